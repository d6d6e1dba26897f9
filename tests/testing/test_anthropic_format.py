"""The real anthropic SDK against the stand-in: messages.create, stream=True and messages.stream."""

from __future__ import annotations

import json
from collections.abc import Iterator

import anthropic
import httpx2
import pytest
from anthropic.types import MessageParam

from jupyter_aigov.testing import Reply, StandInProvider, ToolCall

MODEL = "claude-sonnet-4-6"  # the SDK warns on deprecated model names
USER: list[MessageParam] = [{"role": "user", "content": "Summarise the governance policy."}]
WEATHER = ToolCall("get_weather", {"city": "Paris"}, id="toolu_fixed")


@pytest.fixture
def client(provider: StandInProvider) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="sk-ant-test", max_retries=0) as client:
        yield client


def test_when_a_message_is_created_then_text_echoes_the_prompt_and_usage_is_counted(
    client: anthropic.Anthropic, provider: StandInProvider
) -> None:
    message = client.messages.create(model=MODEL, max_tokens=100, messages=USER)

    assert message.content[0].type == "text"
    assert (
        message.content[0].text
        == "Hello from the stand-in Anthropic provider. You said: Summarise the governance policy."
    )
    assert message.stop_reason == "end_turn" and message.id.startswith("msg_")
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    received = provider.received[-1]
    # anthropic 2.x sends the key as a bearer token, not x-api-key.
    assert received.path == "/v1/messages" and received.headers["authorization"] == "Bearer sk-ant-test"
    assert "anthropic-version" in received.headers


def test_when_stream_is_true_then_events_come_in_the_documented_order(client: anthropic.Anthropic) -> None:
    events = list(client.messages.create(model=MODEL, max_tokens=100, messages=USER, stream=True))

    kinds = [e.type for e in events]
    assert kinds[:2] == ["message_start", "content_block_start"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert events[0].message.usage.input_tokens > 0
    assert events[-2].usage.output_tokens > 1
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta")
    assert text.endswith("You said: Summarise the governance policy.")


def test_when_the_stream_helper_is_used_then_text_and_final_usage_agree_with_create(
    client: anthropic.Anthropic,
) -> None:
    whole = client.messages.create(model=MODEL, max_tokens=100, messages=USER)
    with client.messages.stream(model=MODEL, max_tokens=100, messages=USER) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()

    assert text == whole.content[0].text
    assert final.usage.output_tokens == whole.usage.output_tokens


@pytest.mark.parametrize("streamed", [False, True])
def test_when_a_tool_use_is_scripted_then_the_sdk_parses_its_input(
    client: anthropic.Anthropic, provider: StandInProvider, streamed: bool
) -> None:
    provider.script(Reply(text="Let me check.", tool_calls=[WEATHER]))

    if streamed:
        with client.messages.stream(model=MODEL, max_tokens=100, messages=USER) as stream:
            json_pieces = [e for e in stream if e.type == "content_block_delta" and e.delta.type == "input_json_delta"]
            message = stream.get_final_message()
        assert len(json_pieces) >= 2
    else:
        message = client.messages.create(model=MODEL, max_tokens=100, messages=USER)

    assert message.stop_reason == "tool_use"
    text, tool = message.content
    assert text.type == "text" and text.text == "Let me check."
    assert tool.type == "tool_use" and tool.id == "toolu_fixed"
    assert tool.name == "get_weather" and tool.input == {"city": "Paris"}


async def test_when_the_async_client_creates_and_streams_then_both_answer(provider: StandInProvider) -> None:
    async with anthropic.AsyncAnthropic(base_url=provider.anthropic_base_url, api_key="x", max_retries=0) as client:
        whole = await client.messages.create(model=MODEL, max_tokens=100, messages=USER)
        async with client.messages.stream(model=MODEL, max_tokens=100, messages=USER) as stream:
            final = await stream.get_final_message()

    assert final.content[0].text == whole.content[0].text


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, anthropic.BadRequestError),
        (401, anthropic.AuthenticationError),
        (404, anthropic.NotFoundError),
        (429, anthropic.RateLimitError),
        (500, anthropic.InternalServerError),
        (529, anthropic.OverloadedError),
    ],
)
def test_when_an_error_status_is_scripted_then_the_sdk_raises_its_error_class(
    client: anthropic.Anthropic,
    provider: StandInProvider,
    status: int,
    error_class: type[anthropic.APIStatusError],
) -> None:
    provider.script(Reply(status=status, error_message="Slow down."))

    with pytest.raises(error_class) as raised:
        client.messages.create(model=MODEL, max_tokens=100, messages=USER)

    assert raised.value.status_code == status
    assert raised.value.body["error"]["message"] == "Slow down."
    assert raised.value.request_id is not None and raised.value.request_id.startswith("req_")


def test_when_the_body_is_not_json_then_the_sdk_fails_to_decode_it(
    client: anthropic.Anthropic, provider: StandInProvider
) -> None:
    provider.script(Reply(body=b"upstream connect error"))

    with pytest.raises(json.JSONDecodeError):
        client.messages.create(model=MODEL, max_tokens=100, messages=USER)


def test_when_the_json_answer_is_cut_off_then_the_sdk_raises_a_connection_error(
    client: anthropic.Anthropic, provider: StandInProvider
) -> None:
    provider.script(Reply(cut_off=True))

    with pytest.raises(anthropic.APIConnectionError):
        client.messages.create(model=MODEL, max_tokens=100, messages=USER)


def test_when_the_stream_is_cut_off_then_the_transport_error_reaches_the_caller(
    client: anthropic.Anthropic, provider: StandInProvider
) -> None:
    provider.script(Reply(cut_off=True))
    seen: list[str] = []

    # anthropic before 2.17 lets httpx2's own error through while iterating; from 2.17 on it wraps it as it does
    # for a JSON answer
    with pytest.raises((httpx2.RemoteProtocolError, anthropic.APIConnectionError)) as failed:
        seen.extend(e.type for e in client.messages.create(model=MODEL, max_tokens=100, messages=USER, stream=True))

    if isinstance(failed.value, anthropic.APIConnectionError):
        assert isinstance(failed.value.__cause__, httpx2.RemoteProtocolError)

    assert "message_start" in seen and "message_stop" not in seen
