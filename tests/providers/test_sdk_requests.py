"""The catalogue reads the requests the real SDKs send: model, stream flag, every string to analyse, tools."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from jupyter_aigov.providers import AIRequest, get_catalogue, value_at

from .sdk_fixtures import Captured, Recorder, boto_client

OPENAI_CHAT = {
    "id": "c1",
    "object": "chat.completion",
    "created": 0,
    "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}
ANTHROPIC_MESSAGE = {
    "id": "m1",
    "type": "message",
    "role": "assistant",
    "model": "claude-test",
    "content": [{"type": "text", "text": "ok"}],
    "stop_reason": "end_turn",
    "usage": {"input_tokens": 3, "output_tokens": 1},
}
GEMINI_RESPONSE = {
    "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}],
    "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1, "totalTokenCount": 4},
}
CONVERSE_RESPONSE = {
    "output": {"message": {"role": "assistant", "content": [{"text": "ok"}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 3, "outputTokens": 1, "totalTokens": 4},
    "metrics": {"latencyMs": 1},
}
WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


@dataclass
class Expect:
    provider: str
    api: str
    operation: str
    model: str
    stream: bool
    texts: set[str]
    tools: list[str] = field(default_factory=list)


def openai_chat() -> tuple[Captured, Expect]:
    import openai

    rec = Recorder(OPENAI_CHAT)
    openai.OpenAI(api_key="k", http_client=rec.client()).chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": [{"type": "text", "text": "Weather for Ana?"}]},
            {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "t1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "t1", "content": "Rain, 4C"},
        ],
        tools=[WEATHER_TOOL],
    )
    texts = {"You are terse.", "Weather for Ana?", '{"city": "Oslo"}', "Rain, 4C"}
    return rec.last, Expect("openai", "openai", "chat.completions", "gpt-4o-mini", False, texts, ["get_weather"])


def openai_chat_stream() -> tuple[Captured, Expect]:
    import openai

    rec = Recorder(b"data: [DONE]\n\n", "text/event-stream")
    stream = openai.OpenAI(api_key="k", http_client=rec.client()).chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    list(stream)
    return rec.last, Expect("openai", "openai", "chat.completions", "gpt-4o-mini", True, {"Hi"})


def openai_responses() -> tuple[Captured, Expect]:
    import openai

    rec = Recorder({"id": "r1", "object": "response", "output": [], "status": "completed"})
    openai.OpenAI(api_key="k", http_client=rec.client()).responses.create(
        model="gpt-4.1",
        instructions="Answer in French.",
        input=[
            {"role": "user", "content": [{"type": "input_text", "text": "Look up Bob"}]},
            {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": '{"who": "Bob"}'},
            {"type": "function_call_output", "call_id": "c1", "output": "Bob lives in Lyon"},
        ],
        tools=[
            {"type": "function", "name": "lookup", "parameters": {"type": "object"}},
            {"type": "web_search"},
        ],
    )
    texts = {"Answer in French.", "Look up Bob", '{"who": "Bob"}', "Bob lives in Lyon"}
    return rec.last, Expect("openai", "openai", "responses", "gpt-4.1", False, texts, ["lookup", "web_search"])


def openai_embeddings() -> tuple[Captured, Expect]:
    import openai

    rec = Recorder({"object": "list", "data": [], "model": "m", "usage": {"prompt_tokens": 2, "total_tokens": 2}})
    client = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:8000/v1", http_client=rec.client())
    client.embeddings.create(model="bge-small", input=["first text", "second text"], encoding_format="float")
    texts = {"first text", "second text"}
    return rec.last, Expect("openai-compatible", "openai", "embeddings", "bge-small", False, texts)


def openai_completions() -> tuple[Captured, Expect]:
    import openai

    rec = Recorder({"id": "x", "object": "text_completion", "created": 0, "model": "m", "choices": []})
    client = openai.OpenAI(api_key="k", base_url="https://api.together.xyz/v1", http_client=rec.client())
    client.completions.create(model="llama-3", prompt="Once upon a time")
    return rec.last, Expect("together", "openai", "completions", "llama-3", False, {"Once upon a time"})


def azure_openai_chat() -> tuple[Captured, Expect]:
    import openai

    rec = Recorder(OPENAI_CHAT)
    client = openai.AzureOpenAI(
        api_key="k",
        api_version="2024-10-21",
        azure_endpoint="https://acme.openai.azure.com",
        http_client=rec.client(),
    )
    client.chat.completions.create(model="prod-gpt4o", messages=[{"role": "user", "content": "Hello Azure"}])
    return rec.last, Expect("azure-openai", "openai", "chat.completions", "prod-gpt4o", False, {"Hello Azure"})


def anthropic_messages() -> tuple[Captured, Expect]:
    import anthropic

    rec = Recorder(ANTHROPIC_MESSAGE)
    anthropic.Anthropic(api_key="k", http_client=rec.client()).messages.create(
        model="claude-test",
        max_tokens=100,
        system=[{"type": "text", "text": "Be kind."}],
        messages=[
            {"role": "user", "content": "Find Carol"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "t1", "name": "find", "input": {"q": "x"}}],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "content": [{"type": "text", "text": "Carol, 42"}],
                    },
                    {"type": "text", "text": "Summarise"},
                ],
            },
        ],
        tools=[{"name": "find", "description": "find a person", "input_schema": {"type": "object"}}],
    )
    texts = {"Be kind.", "Find Carol", "x", "Carol, 42", "Summarise", "find a person"}
    return rec.last, Expect("anthropic", "anthropic", "messages", "claude-test", False, texts, ["find"])


def anthropic_stream() -> tuple[Captured, Expect]:
    import anthropic

    rec = Recorder(b"", "text/event-stream")
    client = anthropic.Anthropic(api_key="k", http_client=rec.client())
    list(
        client.messages.create(
            model="claude-x", max_tokens=10, messages=[{"role": "user", "content": "Yo"}], stream=True
        )
    )
    return rec.last, Expect("anthropic", "anthropic", "messages", "claude-x", True, {"Yo"})


def anthropic_count_tokens() -> tuple[Captured, Expect]:
    import anthropic

    rec = Recorder({"input_tokens": 5})
    client = anthropic.Anthropic(api_key="k", http_client=rec.client())
    client.messages.count_tokens(model="claude-x", messages=[{"role": "user", "content": "Count me"}])
    return rec.last, Expect("anthropic", "anthropic", "messages.count_tokens", "claude-x", False, {"Count me"})


def anthropic_vertex() -> tuple[Captured, Expect]:
    import anthropic

    rec = Recorder(ANTHROPIC_MESSAGE)
    client = anthropic.AnthropicVertex(region="us-east5", project_id="proj", access_token="t", http_client=rec.client())
    client.messages.create(
        model="claude-sonnet-4@20250514", max_tokens=10, messages=[{"role": "user", "content": "Hi V"}]
    )
    return rec.last, Expect("vertex-ai", "anthropic", "messages", "claude-sonnet-4@20250514", False, {"Hi V"})


def anthropic_bedrock() -> tuple[Captured, Expect]:
    import anthropic

    rec = Recorder(ANTHROPIC_MESSAGE)
    client = anthropic.AnthropicBedrock(
        aws_region="us-east-1",
        aws_access_key="AKIDEXAMPLE",
        aws_secret_key="secret",
        http_client=rec.client(),
    )
    model = "us.anthropic.claude-sonnet-4-20250514-v1:0"
    client.messages.create(model=model, max_tokens=10, system="Sys B", messages=[{"role": "user", "content": "Hi B"}])
    return rec.last, Expect("bedrock", "bedrock", "invoke", model, False, {"Sys B", "Hi B"})


def _genai(rec: Recorder, **kwargs: Any) -> Any:
    from google import genai
    from google.genai import types

    return genai.Client(**kwargs, http_options=types.HttpOptions(httpx_client=rec.client()))


def gemini_generate() -> tuple[Captured, Expect]:
    from google.genai import types

    rec = Recorder(GEMINI_RESPONSE)
    _genai(rec, api_key="k").models.generate_content(
        model="gemini-2.5-flash",
        contents=[
            types.Content(role="user", parts=[types.Part(text="Who is Dan?")]),
            types.Content(role="model", parts=[types.Part.from_function_call(name="who", args={"n": "Dan"})]),
            types.Content(
                role="user",
                parts=[types.Part.from_function_response(name="who", response={"result": {"bio": "Dan, chemist"}})],
            ),
        ],
        config=types.GenerateContentConfig(
            system_instruction="Reply briefly.",
            tools=[types.Tool(function_declarations=[types.FunctionDeclaration(name="who", description="d")])],
        ),
    )
    texts = {"Who is Dan?", "Dan", "Dan, chemist", "Reply briefly.", "d"}
    return rec.last, Expect("gemini", "gemini", "generateContent", "gemini-2.5-flash", False, texts, ["who"])


def gemini_stream() -> tuple[Captured, Expect]:
    rec = Recorder(b"", "text/event-stream")
    list(_genai(rec, api_key="k").models.generate_content_stream(model="gemini-2.5-flash", contents="Stream it"))
    return rec.last, Expect("gemini", "gemini", "streamGenerateContent", "gemini-2.5-flash", True, {"Stream it"})


def gemini_embed() -> tuple[Captured, Expect]:
    rec = Recorder({"embeddings": [{"values": [0.1]}, {"values": [0.2]}]})
    _genai(rec, api_key="k").models.embed_content(model="gemini-embedding-001", contents=["alpha", "beta"])
    return rec.last, Expect("gemini", "gemini", "batchEmbedContents", "gemini-embedding-001", False, {"alpha", "beta"})


def vertex_generate() -> tuple[Captured, Expect]:
    import google.oauth2.credentials

    rec = Recorder(GEMINI_RESPONSE)
    credentials = google.oauth2.credentials.Credentials(token="t")
    client = _genai(rec, vertexai=True, project="proj", location="europe-west4", credentials=credentials)
    client.models.generate_content(model="gemini-2.5-pro", contents="Hi Vertex")
    return rec.last, Expect("vertex-ai", "gemini", "generateContent", "gemini-2.5-pro", False, {"Hi Vertex"})


BEDROCK_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0"


def bedrock_converse() -> tuple[Captured, Expect]:
    client = boto_client("bedrock-runtime", json.dumps(CONVERSE_RESPONSE).encode(), "application/json")
    client.converse(
        modelId=BEDROCK_ARN,
        system=[{"text": "Be exact."}],
        messages=[
            {"role": "user", "content": [{"text": "Where is Eve?"}]},
            {
                "role": "assistant",
                "content": [{"toolUse": {"toolUseId": "t1", "name": "locate", "input": {"n": "Eve"}}}],
            },
            {
                "role": "user",
                "content": [
                    {
                        "toolResult": {
                            "toolUseId": "t1",
                            "content": [{"text": "Eve is in Rome"}, {"json": {"phone": "+39 06 1234"}}],
                        }
                    }
                ],
            },
        ],
        toolConfig={"tools": [{"toolSpec": {"name": "locate", "inputSchema": {"json": {"type": "object"}}}}]},
    )
    texts = {"Be exact.", "Where is Eve?", "Eve", "Eve is in Rome", "+39 06 1234"}
    return client.captured[-1], Expect("bedrock", "bedrock", "converse", BEDROCK_ARN, False, texts, ["locate"])


def bedrock_converse_stream() -> tuple[Captured, Expect]:
    client = boto_client("bedrock-runtime", b"", "application/vnd.amazon.eventstream")
    client.converse_stream(modelId="amazon.nova-lite-v1:0", messages=[{"role": "user", "content": [{"text": "Go"}]}])
    return client.captured[-1], Expect("bedrock", "bedrock", "converse-stream", "amazon.nova-lite-v1:0", True, {"Go"})


def bedrock_invoke_titan() -> tuple[Captured, Expect]:
    client = boto_client("bedrock-runtime", b"{}", "application/json")
    body = {"inputText": "Summarise Frank's memo", "textGenerationConfig": {"maxTokenCount": 10}}
    client.invoke_model(modelId="amazon.titan-text-express-v1", body=json.dumps(body))
    texts = {"Summarise Frank's memo"}
    return client.captured[-1], Expect("bedrock", "bedrock", "invoke", "amazon.titan-text-express-v1", False, texts)


CASES: list[Callable[[], tuple[Captured, Expect]]] = [
    openai_chat,
    openai_chat_stream,
    openai_responses,
    openai_embeddings,
    openai_completions,
    azure_openai_chat,
    anthropic_messages,
    anthropic_stream,
    anthropic_count_tokens,
    anthropic_vertex,
    anthropic_bedrock,
    gemini_generate,
    gemini_stream,
    gemini_embed,
    vertex_generate,
    bedrock_converse,
    bedrock_converse_stream,
    bedrock_invoke_titan,
]


def _recognise(captured: Captured) -> AIRequest:
    request = get_catalogue().recognise(captured.method, captured.url, captured.headers, captured.body)
    assert request is not None, f"not recognised: {captured.method} {captured.url}"
    return request


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_when_a_real_sdk_sends_a_call_then_it_is_recognised_with_model_stream_and_tools(
    case: Callable[[], Any],
) -> None:
    captured, expect = case()
    request = _recognise(captured)
    got = (request.provider, request.api, request.operation, request.model, request.stream, request.tools)
    assert got == (expect.provider, expect.api, expect.operation, expect.model, expect.stream, expect.tools)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_when_a_real_sdk_sends_a_call_then_every_prompt_text_is_found_at_its_path(
    case: Callable[[], Any],
) -> None:
    captured, expect = case()
    request = _recognise(captured)
    body = json.loads(captured.body)
    for part in request.text_parts:
        assert value_at(body, part.path) == part.text
    assert {part.text for part in request.text_parts} == expect.texts
