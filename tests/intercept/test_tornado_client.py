"""tornado's HTTP clients (the asynchronous one, simple or not, and the blocking one) governed."""

from __future__ import annotations

import json

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClient, HTTPRequest

import aigov

POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\n"
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello tornado"}]}
DENIED = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello tornado"}]}
STREAMED = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}


def _post(url: str, document: dict, **options: object) -> HTTPRequest:
    return HTTPRequest(url, method="POST", body=json.dumps(document), **options)


def assert_refused_once(governed, provider, refused) -> None:
    assert refused.value.rule == "models.allow"
    assert provider.received == []
    (call,) = governed.records("ai.call")
    assert (call["library"], call["decision"], call["model"]) == ("tornado", "block", "gpt-4o")


async def test_when_the_async_client_asks_a_denied_model_then_it_is_refused_once(governed, provider):
    governed(POLICY)
    client = AsyncHTTPClient(force_instance=True)
    with pytest.raises(aigov.PolicyViolation) as refused:
        await client.fetch(_post(provider.openai_base_url + "/chat/completions", DENIED))
    assert_refused_once(governed, provider, refused)


async def test_when_the_async_client_asks_an_allowed_model_then_it_is_answered_and_recorded(governed, provider):
    governed(POLICY)
    client = AsyncHTTPClient(force_instance=True)
    reply = await client.fetch(
        provider.openai_base_url + "/chat/completions", method="POST", body=json.dumps(CHAT).encode()
    )
    answer = json.loads(reply.body)
    (call,) = governed.records("ai.call")
    (response,) = governed.records("ai.response")
    assert (call["library"], call["decision"]) == ("tornado", "allow")
    assert response["usage"]["input_tokens"] == answer["usage"]["prompt_tokens"]


async def test_when_the_answer_is_streamed_to_a_callback_then_usage_is_read_chunk_by_chunk(governed, provider):
    governed(POLICY)
    chunks: list[bytes] = []
    client = AsyncHTTPClient(force_instance=True)
    request = _post(provider.openai_base_url + "/chat/completions", STREAMED, streaming_callback=chunks.append)
    await client.fetch(request)
    events = [json.loads(line[6:]) for line in b"".join(chunks).decode().splitlines() if line.startswith("data: {")]
    assert "".join(e["choices"][0]["delta"].get("content") or "" for e in events if e["choices"])
    (response,) = governed.records("ai.response")
    assert response["usage"]["output_tokens"] == events[-1]["usage"]["completion_tokens"]
    assert request.streaming_callback == chunks.append  # the caller's request is left as it was


def test_when_the_blocking_client_is_used_then_it_is_governed_the_same(governed, provider):
    governed(POLICY)
    client = HTTPClient()
    try:
        reply = client.fetch(_post(provider.openai_base_url + "/chat/completions", CHAT))
        with pytest.raises(aigov.PolicyViolation):
            client.fetch(_post(provider.openai_base_url + "/chat/completions", DENIED))
    finally:
        client.close()
    assert json.loads(reply.body)["choices"]
    assert [c["decision"] for c in governed.records("ai.call")] == ["allow", "block"]
    assert len(provider.received) == 1


async def test_when_an_answer_asks_for_a_forbidden_tool_then_the_fetch_raises_it(governed, provider):
    from jupyter_aigov.testing import Reply, ToolCall

    governed("version: 1\ntools:\n  allow: ['get_weather']\n  deny: ['run_shell']\n")
    provider.script(Reply(tool_calls=[ToolCall("run_shell", {"command": "rm -rf /canary"})]))
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    with pytest.raises(aigov.ToolCallBlocked):
        await AsyncHTTPClient(force_instance=True).fetch(
            _post(provider.openai_base_url + "/chat/completions", {**CHAT, "tools": tools})
        )


async def test_when_traffic_is_not_an_ai_call_then_it_passes_unrecorded(governed, provider):
    governed(POLICY)
    client = AsyncHTTPClient(force_instance=True)
    assert (await client.fetch(provider.url + "/v1/models")).code == 200
    await client.fetch(provider.url + "/upload", method="POST", body=b"\x00binary", raise_error=False)
    assert governed.records("ai.call", "ai.response") == []
