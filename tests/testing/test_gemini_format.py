"""The real google-genai SDK against the stand-in: generate_content and generate_content_stream."""

from __future__ import annotations

import json

import httpx2
import pytest
from google import genai
from google.genai import errors, types

from jupyter_aigov.testing import Reply, StandInProvider, ToolCall

MODEL = "gemini-2.5-flash"


@pytest.fixture(scope="module")
def client(running_provider: StandInProvider) -> genai.Client:
    # One client per module: building one costs more than a test.
    options = types.HttpOptions(base_url=running_provider.gemini_base_url)
    return genai.Client(api_key="gemini-key", http_options=options)


def test_when_content_is_generated_then_text_and_usage_metadata_come_back(
    client: genai.Client, provider: StandInProvider
) -> None:
    response = client.models.generate_content(model=MODEL, contents="Explain governance")

    assert response.text == "Hello from the stand-in Gemini provider. You said: Explain governance"
    usage = response.usage_metadata
    assert usage is not None and usage.prompt_token_count and usage.candidates_token_count
    assert usage.total_token_count == usage.prompt_token_count + usage.candidates_token_count
    received = provider.received[-1]
    # google-genai 3.x defaults to the v1 API, not v1beta.
    assert received.path == f"/v1/models/{MODEL}:generateContent"
    assert received.headers["x-goog-api-key"] == "gemini-key"


def test_when_api_version_is_v1beta_then_the_v1beta_path_is_served(provider: StandInProvider) -> None:
    options = types.HttpOptions(base_url=provider.gemini_base_url, api_version="v1beta")
    client = genai.Client(api_key="x", http_options=options)

    response = client.models.generate_content(model=MODEL, contents="hi")

    assert response.text
    assert provider.received[-1].path == f"/v1beta/models/{MODEL}:generateContent"


def test_when_content_streams_then_chunks_build_the_text_and_carry_usage(
    client: genai.Client, provider: StandInProvider
) -> None:
    chunks = list(client.models.generate_content_stream(model=MODEL, contents="Explain governance"))

    assert len(chunks) > 3
    assert "".join(c.text or "" for c in chunks).endswith("You said: Explain governance")
    assert all(c.usage_metadata and c.usage_metadata.prompt_token_count for c in chunks)
    assert provider.received[-1].query == {"alt": "sse"}


@pytest.mark.parametrize("streamed", [False, True])
def test_when_a_function_call_is_scripted_then_the_sdk_parses_it(
    client: genai.Client, provider: StandInProvider, streamed: bool
) -> None:
    provider.script(Reply(tool_calls=[ToolCall("get_weather", {"city": "Paris"})]))

    if streamed:
        calls = [
            fc
            for c in client.models.generate_content_stream(model=MODEL, contents="x")
            for fc in c.function_calls or []
        ]
    else:
        calls = client.models.generate_content(model=MODEL, contents="x").function_calls or []

    assert [(c.name, c.args) for c in calls] == [("get_weather", {"city": "Paris"})]


# google-genai's async client runs on aiohttp when it is installed, and subclasses its ClientSession.
@pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")
async def test_when_the_async_client_generates_then_it_answers(client: genai.Client) -> None:
    response = await client.aio.models.generate_content(model=MODEL, contents="async hi")

    assert response.text and response.text.endswith("You said: async hi")


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(400, errors.ClientError), (429, errors.ClientError), (503, errors.ServerError)],
)
def test_when_an_error_status_is_scripted_then_the_sdk_raises_its_error_class(
    client: genai.Client, provider: StandInProvider, status: int, error_class: type[errors.APIError]
) -> None:
    provider.script(Reply(status=status, error_message="Not today."))

    with pytest.raises(error_class) as raised:
        client.models.generate_content(model=MODEL, contents="x")

    assert raised.value.code == status and raised.value.message == "Not today."


def test_when_the_body_is_not_json_then_each_call_style_raises(client: genai.Client, provider: StandInProvider) -> None:
    provider.script(Reply(body=b"<html>oops</html>"), Reply(body=b"<html>oops</html>"))

    with pytest.raises(json.JSONDecodeError):
        client.models.generate_content(model=MODEL, contents="x")
    with pytest.raises(errors.UnknownApiResponseError):
        list(client.models.generate_content_stream(model=MODEL, contents="x"))


def test_when_the_stream_is_cut_off_then_the_transport_error_reaches_the_caller(
    client: genai.Client, provider: StandInProvider
) -> None:
    provider.script(Reply(cut_off=True))

    with pytest.raises(httpx2.RemoteProtocolError):
        list(client.models.generate_content_stream(model=MODEL, contents="x"))
