"""The canned streams are real: each SDK parses them to the usage aigov reads from their bytes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from jupyter_aigov.providers import Usage

from .sdk_fixtures import Recorder, UsageTap, boto_client
from .test_usage_reader import (
    ANTHROPIC_SSE,
    CONVERSE_STREAM,
    EVENTSTREAM_TYPE,
    GEMINI_SSE,
    INVOKE_STREAM,
    OPENAI_CHAT_SSE,
    OPENAI_RESPONSES_SSE,
    SSE_TYPE,
)


def openai_chat() -> Usage:
    import openai

    client = openai.OpenAI(api_key="k", http_client=Recorder(OPENAI_CHAT_SSE, SSE_TYPE).client())
    chunks = list(client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}], stream=True))
    usage = chunks[-1].usage
    assert usage is not None
    return Usage(usage.prompt_tokens, usage.completion_tokens)


def openai_responses() -> Usage:
    import openai

    client = openai.OpenAI(api_key="k", http_client=Recorder(OPENAI_RESPONSES_SSE, SSE_TYPE).client())
    events = list(client.responses.create(model="m", input="x", stream=True))
    usage = events[-1].response.usage  # type: ignore[union-attr]
    return Usage(usage.input_tokens, usage.output_tokens)


def anthropic_messages() -> Usage:
    import anthropic

    client = anthropic.Anthropic(api_key="k", http_client=Recorder(ANTHROPIC_SSE, SSE_TYPE).client())
    with client.messages.stream(model="claude-x", max_tokens=9, messages=[{"role": "user", "content": "x"}]) as stream:
        usage = stream.get_final_message().usage
    return Usage(usage.input_tokens + (usage.cache_read_input_tokens or 0), usage.output_tokens)


def gemini_stream() -> Usage:
    from google import genai
    from google.genai import types

    http = types.HttpOptions(httpx_client=Recorder(GEMINI_SSE, SSE_TYPE).client())
    chunks = list(genai.Client(api_key="k", http_options=http).models.generate_content_stream(model="g", contents="x"))
    usage = chunks[-1].usage_metadata
    assert usage is not None
    return Usage(usage.prompt_token_count, usage.candidates_token_count)


def bedrock_converse_stream() -> Usage:
    client = boto_client("bedrock-runtime", CONVERSE_STREAM, EVENTSTREAM_TYPE)
    response = client.converse_stream(modelId="m", messages=[{"role": "user", "content": [{"text": "x"}]}])
    metadata = [e["metadata"] for e in response["stream"] if "metadata" in e][-1]
    return Usage(metadata["usage"]["inputTokens"], metadata["usage"]["outputTokens"])


def bedrock_invoke_stream() -> Usage:
    client = boto_client("bedrock-runtime", INVOKE_STREAM, EVENTSTREAM_TYPE)
    response = client.invoke_model_with_response_stream(modelId="m", body=b"{}")
    events = [json.loads(e["chunk"]["bytes"]) for e in response["body"]]
    metrics = events[-1]["amazon-bedrock-invocationMetrics"]
    return Usage(metrics["inputTokenCount"], metrics["outputTokenCount"])


CASES: list[tuple[Callable[[], Usage], str, str, str, bytes]] = [
    (openai_chat, "openai", "chat.completions", SSE_TYPE, OPENAI_CHAT_SSE),
    (openai_responses, "openai", "responses", SSE_TYPE, OPENAI_RESPONSES_SSE),
    (anthropic_messages, "anthropic", "messages", SSE_TYPE, ANTHROPIC_SSE),
    (gemini_stream, "gemini", "streamGenerateContent", SSE_TYPE, GEMINI_SSE),
    (bedrock_converse_stream, "bedrock", "converse-stream", EVENTSTREAM_TYPE, CONVERSE_STREAM),
    (bedrock_invoke_stream, "bedrock", "invoke-with-response-stream", EVENTSTREAM_TYPE, INVOKE_STREAM),
]


@pytest.mark.parametrize(
    ("sdk_usage", "api", "operation", "content_type", "data"), CASES, ids=[c[0].__name__ for c in CASES]
)
def test_when_an_sdk_reads_a_stream_then_the_tap_reads_the_same_usage_from_its_bytes(
    sdk_usage: Callable[[], Usage], api: str, operation: str, content_type: str, data: bytes
) -> None:
    tap = UsageTap(api, operation, content_type)
    for i in range(0, len(data), 3):
        tap.feed(data[i : i + 3])
    assert tap.close() == sdk_usage()
