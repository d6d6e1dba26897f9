"""The real openai SDK's Responses API against the stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from jupyter_aigov.testing import Reply, StandInProvider, ToolCall


@pytest.fixture
def client(provider: StandInProvider) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=provider.openai_base_url, api_key="sk-test", max_retries=0) as client:
        yield client


def test_when_a_response_is_created_then_output_text_and_usage_come_back(
    client: openai.OpenAI, provider: StandInProvider
) -> None:
    response = client.responses.create(model="gpt-4.1", input="Tell me a joke")

    assert response.output_text == "Hello from the stand-in OpenAI provider. You said: Tell me a joke"
    assert response.id.startswith("resp_") and response.status == "completed"
    assert response.usage is not None and response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    assert provider.received[-1].path == "/v1/responses"


def test_when_input_is_a_list_of_messages_then_the_last_user_text_is_echoed(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="gpt-4.1",
        input=[
            {"role": "user", "content": "first"},
            {"role": "user", "content": [{"type": "input_text", "text": "second"}]},
        ],
    )

    assert response.output_text.endswith("You said: second")


def test_when_a_response_streams_then_deltas_build_the_text_and_completed_carries_usage(
    client: openai.OpenAI,
) -> None:
    events = list(client.responses.create(model="gpt-4.1", input="Tell me a joke", stream=True))

    kinds = [e.type for e in events]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text.endswith("You said: Tell me a joke")
    assert events[-1].response.usage.total_tokens > 0
    assert [e.sequence_number for e in events] == list(range(len(events)))


def test_when_a_function_call_is_scripted_then_the_helper_stream_and_json_agree(
    client: openai.OpenAI, provider: StandInProvider
) -> None:
    call = ToolCall("lookup", {"query": "stand-in providers"}, id="call_1")
    provider.script(Reply(tool_calls=[call]), Reply(tool_calls=[call]))

    whole = client.responses.create(model="gpt-4.1", input="search")
    with client.responses.stream(model="gpt-4.1", input="search") as stream:
        deltas = [e.delta for e in stream if e.type == "response.function_call_arguments.delta"]
        final = stream.get_final_response()

    for response in (whole, final):
        item = response.output[0]
        assert item.type == "function_call" and item.call_id == "call_1" and item.name == "lookup"
        assert json.loads(item.arguments) == {"query": "stand-in providers"}
    assert len(deltas) >= 2


async def test_when_the_async_client_streams_a_response_then_it_completes(provider: StandInProvider) -> None:
    client = openai.AsyncOpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=0)
    async with client, client.responses.stream(model="gpt-4.1", input="async hello") as stream:
        final = await stream.get_final_response()

    assert final.output_text.endswith("You said: async hello")


def test_when_the_stream_is_cut_off_then_no_completed_event_arrives_and_the_sdk_raises(
    client: openai.OpenAI, provider: StandInProvider
) -> None:
    provider.script(Reply(cut_off=True))
    seen: list[str] = []

    with pytest.raises(openai.APIConnectionError):
        seen.extend(e.type for e in client.responses.create(model="gpt-4.1", input="x", stream=True))

    assert "response.completed" not in seen
