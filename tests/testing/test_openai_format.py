"""The real openai SDK against the stand-in: chat completions, completions, embeddings, models, Azure."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from jupyter_aigov.testing import Reply, StandInProvider, ToolCall

USER: list[ChatCompletionMessageParam] = [
    {"role": "user", "content": "What is the weather like in Paris today, please?"}
]
WEATHER = ToolCall("get_weather", {"city": "Paris", "unit": "celsius"})


@pytest.fixture
def client(provider: StandInProvider) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=provider.openai_base_url, api_key="sk-test", max_retries=0) as client:
        yield client


def test_when_chat_completion_is_created_then_text_echoes_the_prompt_and_usage_is_counted(
    client: openai.OpenAI, provider: StandInProvider
) -> None:
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=USER)

    text = completion.choices[0].message.content
    assert text == "Hello from the stand-in OpenAI provider. You said: What is the weather like in Paris today,"
    assert completion.id.startswith("chatcmpl-")
    assert completion.usage is not None and completion.usage.prompt_tokens > 0
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    assert provider.received[-1].path == "/v1/chat/completions"
    assert provider.received[-1].json["model"] == "gpt-4o-mini"
    assert provider.received[-1].headers["authorization"] == "Bearer sk-test"


def test_when_chat_completion_streams_with_include_usage_then_the_last_chunk_carries_usage(
    client: openai.OpenAI,
) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)

    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith("Hello from the stand-in OpenAI provider.")
    assert len(chunks) > 5
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])


def test_when_chat_completion_streams_without_include_usage_then_no_chunk_carries_usage(
    client: openai.OpenAI,
) -> None:
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True))

    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.usage is None for c in chunks)


def test_when_a_tool_call_is_scripted_then_the_sdk_parses_its_arguments(
    client: openai.OpenAI, provider: StandInProvider
) -> None:
    provider.script(Reply(tool_calls=[WEATHER]))

    completion = client.chat.completions.create(model="gpt-4o-mini", messages=USER)

    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris", "unit": "celsius"}
    assert call.id.startswith("call_")


def test_when_a_tool_call_is_streamed_then_its_arguments_arrive_over_several_chunks(
    client: openai.OpenAI, provider: StandInProvider
) -> None:
    provider.script(Reply(tool_calls=[ToolCall("get_weather", {"city": "Paris"}, id="call_fixed")]))

    with client.chat.completions.stream(model="gpt-4o-mini", messages=USER) as stream:
        pieces = [e.arguments_delta for e in stream if e.type == "tool_calls.function.arguments.delta"]
        final = stream.get_final_completion()

    assert len(pieces) >= 2
    call = final.choices[0].message.tool_calls[0]
    assert call.id == "call_fixed" and json.loads(call.function.arguments) == {"city": "Paris"}


def test_when_a_legacy_completion_is_created_then_text_and_usage_come_back(client: openai.OpenAI) -> None:
    completion = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi")
    streamed = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hi", stream=True)

    assert completion.choices[0].text.endswith("You said: Say hi")
    assert completion.usage is not None and completion.usage.prompt_tokens > 0
    assert "".join(c.choices[0].text for c in streamed if c.choices) == completion.choices[0].text


@pytest.mark.parametrize("encoding_format", ["float", None])
def test_when_embeddings_are_created_then_equal_inputs_get_equal_vectors(
    client: openai.OpenAI, provider: StandInProvider, encoding_format: str | None
) -> None:
    # Given no encoding_format, the SDK asks for base64 and decodes it itself.
    extra = {"encoding_format": encoding_format} if encoding_format else {}
    result = client.embeddings.create(model="text-embedding-3-small", input=["a", "b", "a"], **extra)

    vectors = [d.embedding for d in result.data]
    assert len(vectors) == 3 and len(vectors[0]) == 8
    assert vectors[0] == pytest.approx(vectors[2]) and vectors[0] != pytest.approx(vectors[1])
    assert result.usage.prompt_tokens > 0
    assert provider.received[-1].json["encoding_format"] == (encoding_format or "base64")


def test_when_base64_embeddings_are_asked_for_then_the_sdk_hands_back_the_base64_text(
    client: openai.OpenAI,
) -> None:
    result = client.embeddings.create(model="text-embedding-3-small", input="a", encoding_format="base64")

    raw = base64.b64decode(result.data[0].embedding)
    assert len(raw) == 8 * 4  # eight little-endian float32


def test_when_models_are_listed_then_the_stand_in_models_are_named(client: openai.OpenAI) -> None:
    assert "gpt-4o-mini" in [m.id for m in client.models.list()]


def test_when_an_azure_client_calls_a_deployment_then_the_deployment_path_and_api_version_are_used(
    provider: StandInProvider,
) -> None:
    client = openai.AzureOpenAI(
        azure_endpoint=provider.azure_endpoint, api_version="2024-10-21", api_key="azure-key", max_retries=0
    )

    completion = client.chat.completions.create(model="my-gpt4o", messages=USER)

    assert completion.choices[0].message.content
    received = provider.received[-1]
    assert received.path == "/openai/deployments/my-gpt4o/chat/completions"
    assert received.query == {"api-version": "2024-10-21"}
    assert received.headers["api-key"] == "azure-key"


def test_when_the_azure_v1_api_is_used_then_it_is_served_like_openai(provider: StandInProvider) -> None:
    client = openai.OpenAI(base_url=f"{provider.url}/openai/v1", api_key="azure-key", max_retries=0)

    completion = client.chat.completions.create(model="gpt-4o-mini", messages=USER)

    assert completion.usage is not None
    assert provider.received[-1].path == "/openai/v1/chat/completions"


async def test_when_the_async_client_streams_then_the_text_is_the_same(provider: StandInProvider) -> None:
    async with openai.AsyncOpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=0) as client:
        whole = await client.chat.completions.create(model="gpt-4o-mini", messages=USER)
        stream = await client.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=True)
        streamed = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    assert streamed == whole.choices[0].message.content


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, openai.BadRequestError),
        (401, openai.AuthenticationError),
        (403, openai.PermissionDeniedError),
        (404, openai.NotFoundError),
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
    ],
)
def test_when_an_error_status_is_scripted_then_the_sdk_raises_its_error_class(
    client: openai.OpenAI, provider: StandInProvider, status: int, error_class: type[openai.APIStatusError]
) -> None:
    provider.script(Reply(status=status, error_message="Quota gone."))

    with pytest.raises(error_class) as raised:
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)

    assert raised.value.status_code == status and raised.value.message.endswith("Quota gone.")


def test_when_the_body_is_not_json_then_the_sdk_fails_to_decode_it(
    client: openai.OpenAI, provider: StandInProvider
) -> None:
    provider.script(Reply(body=b"<html>502 Bad Gateway</html>"))

    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(model="gpt-4o-mini", messages=USER)


def test_when_a_200_answer_is_html_then_the_sdk_returns_the_text_instead_of_raising(
    client: openai.OpenAI, provider: StandInProvider
) -> None:
    # Worth knowing when checking responses: openai hands back a str, not a ChatCompletion.
    provider.script(Reply(body=b"<html>captive portal</html>", content_type="text/html"))

    answer = client.chat.completions.create(model="gpt-4o-mini", messages=USER)

    assert answer == "<html>captive portal</html>"


@pytest.mark.parametrize("stream", [False, True])
def test_when_the_answer_is_cut_off_then_the_sdk_raises_a_connection_error(
    client: openai.OpenAI, provider: StandInProvider, stream: bool
) -> None:
    provider.script(Reply(cut_off=True))

    with pytest.raises(openai.APIConnectionError):
        list(client.chat.completions.create(model="gpt-4o-mini", messages=USER, stream=stream))
