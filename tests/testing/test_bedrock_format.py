"""The real boto3 bedrock-runtime client against the stand-in, including the binary event streams."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ResponseStreamingError
from urllib3.exceptions import ProtocolError

from jupyter_aigov.testing import Reply, StandInProvider, ToolCall

MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "Classify this ticket"}]}]
ANTHROPIC_BODY = json.dumps(
    {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Hi"}],
    }
)


@pytest.fixture(scope="module")
def bedrock(running_provider: StandInProvider) -> Any:
    # One client per module: building a boto3 client costs more than a test.
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=running_provider.bedrock_endpoint_url,
        aws_access_key_id="AKIDSTANDIN",
        aws_secret_access_key="standin-secret",
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_when_converse_is_called_then_output_usage_and_stop_reason_come_back(
    bedrock: Any, provider: StandInProvider
) -> None:
    response = bedrock.converse(modelId=MODEL, messages=MESSAGES)

    text = response["output"]["message"]["content"][0]["text"]
    assert text == "Hello from the stand-in Bedrock provider. You said: Classify this ticket"
    usage = response["usage"]
    assert usage["inputTokens"] > 0 and usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert response["stopReason"] == "end_turn"
    received = provider.received[-1]
    # botocore percent-encodes the ':' of the model id; the route decodes it.
    assert received.path == "/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse"
    assert received.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDSTANDIN/")


def test_when_converse_streams_then_botocore_decodes_every_event(bedrock: Any) -> None:
    events = list(bedrock.converse_stream(modelId=MODEL, messages=MESSAGES)["stream"])

    kinds = [next(iter(e)) for e in events]
    assert kinds[0] == "messageStart" and kinds[-3:] == ["contentBlockStop", "messageStop", "metadata"]
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert text.endswith("You said: Classify this ticket")
    assert events[-1]["metadata"]["usage"]["outputTokens"] > 0


@pytest.mark.parametrize("streamed", [False, True])
def test_when_a_tool_use_is_scripted_then_converse_returns_it(
    bedrock: Any, provider: StandInProvider, streamed: bool
) -> None:
    provider.script(Reply(tool_calls=[ToolCall("get_weather", {"city": "Paris"}, id="tooluse_1")]))

    if streamed:
        events = list(bedrock.converse_stream(modelId=MODEL, messages=MESSAGES)["stream"])
        start = next(e["contentBlockStart"]["start"]["toolUse"] for e in events if "contentBlockStart" in e)
        pieces = [e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events if "contentBlockDelta" in e]
        tool_use = {**start, "input": json.loads("".join(pieces))}
        assert len(pieces) >= 2
        assert events[-2]["messageStop"]["stopReason"] == "tool_use"
    else:
        response = bedrock.converse(modelId=MODEL, messages=MESSAGES)
        tool_use = response["output"]["message"]["content"][0]["toolUse"]
        assert response["stopReason"] == "tool_use"

    assert tool_use == {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}


def test_when_invoke_model_is_called_then_the_anthropic_body_and_token_headers_come_back(
    bedrock: Any,
) -> None:
    response = bedrock.invoke_model(modelId=MODEL, body=ANTHROPIC_BODY)

    body = json.loads(response["body"].read())
    assert body["content"][0]["text"].endswith("You said: Hi") and body["model"] == MODEL
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert int(headers["x-amzn-bedrock-input-token-count"]) == body["usage"]["input_tokens"]
    assert int(headers["x-amzn-bedrock-output-token-count"]) == body["usage"]["output_tokens"]


def test_when_invoke_model_streams_then_chunks_carry_the_anthropic_events_and_metrics(bedrock: Any) -> None:
    response = bedrock.invoke_model_with_response_stream(modelId=MODEL, body=ANTHROPIC_BODY)

    events = [json.loads(e["chunk"]["bytes"]) for e in response["body"]]
    assert events[0]["type"] == "message_start" and events[-1]["type"] == "message_stop"
    metrics = events[-1]["amazon-bedrock-invocationMetrics"]
    assert metrics["inputTokenCount"] > 0 and metrics["outputTokenCount"] > 0


@pytest.mark.parametrize(
    ("status", "error_name"),
    [(400, "ValidationException"), (403, "AccessDeniedException"), (429, "ThrottlingException")],
)
def test_when_an_error_status_is_scripted_then_boto3_raises_the_modelled_exception(
    bedrock: Any, provider: StandInProvider, status: int, error_name: str
) -> None:
    provider.script(Reply(status=status, error_message="Not allowed."))

    with pytest.raises(getattr(bedrock.exceptions, error_name)) as raised:
        bedrock.converse(modelId=MODEL, messages=MESSAGES)

    assert raised.value.response["Error"]["Message"] == "Not allowed."
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_when_the_event_stream_is_cut_off_then_reading_it_raises(bedrock: Any, provider: StandInProvider) -> None:
    provider.script(Reply(cut_off=True))
    stream = bedrock.converse_stream(modelId=MODEL, messages=MESSAGES)["stream"]

    with pytest.raises(ProtocolError):
        list(stream)


def test_when_the_invoke_body_is_cut_off_then_reading_it_raises(bedrock: Any, provider: StandInProvider) -> None:
    provider.script(Reply(cut_off=True))
    response = bedrock.invoke_model(modelId=MODEL, body=ANTHROPIC_BODY)

    with pytest.raises(ResponseStreamingError):
        response["body"].read()


def test_when_the_converse_body_is_cut_off_then_boto3_returns_without_output(
    bedrock: Any, provider: StandInProvider
) -> None:
    # botocore reads modelled JSON bodies without checking Content-Length and treats unparsable JSON as a
    # message, so a truncated converse answer is not an error: callers must check for "output".
    provider.script(Reply(cut_off=True))

    response = bedrock.converse(modelId=MODEL, messages=MESSAGES)

    assert "output" not in response and "usage" not in response
