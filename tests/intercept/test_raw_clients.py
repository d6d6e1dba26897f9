"""The raw HTTP clients, governed: httpx, httpx2, requests, urllib3 and aiohttp, sync, async and streaming."""

from __future__ import annotations

import json

import aiohttp
import httpx
import httpx2
import pytest
import requests
import urllib3

import aigov

POLICY = """
version: 1
models:
  allow: ["gpt-4o-mini", "llama3*"]
"""
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello raw"}]}
REFUSED = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello raw"}]}


@pytest.mark.parametrize("module", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_when_httpx_family_posts_chat_then_it_is_decided_and_usage_recorded(governed, provider, module):
    governed(POLICY)
    with module.Client() as client:
        reply = client.post(provider.openai_base_url + "/chat/completions", json=CHAT)
        with pytest.raises(aigov.PolicyViolation):
            client.post(provider.openai_base_url + "/chat/completions", json=REFUSED)
    call, blocked = governed.records("ai.call")
    assert (call["library"], call["decision"], blocked["decision"]) == (module.__name__, "allow", "block")
    (response,) = governed.records("ai.response")
    assert response["usage"]["input_tokens"] == reply.json()["usage"]["prompt_tokens"]
    assert len(provider.received) == 1


@pytest.mark.parametrize("module", [httpx, httpx2], ids=["httpx", "httpx2"])
async def test_when_async_httpx_family_streams_then_usage_is_read_as_the_caller_reads(governed, provider, module):
    governed(POLICY)
    body = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
    async with module.AsyncClient() as client:
        async with client.stream("POST", provider.openai_base_url + "/chat/completions", json=body) as reply:
            lines = [line async for line in reply.aiter_lines() if line.startswith("data: {")]
        with pytest.raises(aigov.PolicyViolation):
            await client.post(provider.openai_base_url + "/chat/completions", json=REFUSED)
    last = json.loads(lines[-1][len("data: ") :])
    (response,) = governed.records("ai.response")
    assert response["usage"]["output_tokens"] == last["usage"]["completion_tokens"]


def test_when_requests_posts_then_one_decision_not_one_per_layer(governed, provider):
    governed(POLICY)
    reply = requests.post(provider.openai_base_url + "/chat/completions", json=CHAT, timeout=10)
    with pytest.raises(aigov.PolicyViolation):
        requests.post(provider.openai_base_url + "/chat/completions", json=REFUSED, timeout=10)
    calls = governed.records("ai.call")
    assert [(c["library"], c["decision"]) for c in calls] == [("requests", "allow"), ("requests", "block")]
    (response,) = governed.records("ai.response")
    assert response["usage"]["output_tokens"] == reply.json()["usage"]["completion_tokens"]


def test_when_requests_streams_ollama_ndjson_then_usage_comes_from_the_final_line(governed, provider):
    governed(POLICY)
    body = {"model": "llama3.2", "messages": [{"role": "user", "content": "hi ollama"}]}
    with requests.post(provider.ollama_base_url + "/api/chat", json=body, stream=True, timeout=10) as reply:
        lines = [json.loads(line) for line in reply.iter_lines() if line]
    final = lines[-1]
    (call,) = governed.records("ai.call")
    (response,) = governed.records("ai.response")
    assert (call["api"], call["stream"]) == ("ollama", True)
    assert response["usage"] == {
        "input_tokens": final["prompt_eval_count"],
        "output_tokens": final["eval_count"],
    }


def test_when_urllib3_pool_posts_then_it_is_governed(governed, provider):
    governed(POLICY)
    pool = urllib3.PoolManager()
    url = provider.openai_base_url + "/chat/completions"
    reply = pool.request("POST", url, body=json.dumps(CHAT), headers={"content-type": "application/json"})
    with pytest.raises(aigov.PolicyViolation):
        pool.request("POST", url, body=json.dumps(REFUSED), headers={"content-type": "application/json"})
    assert [c["decision"] for c in governed.records("ai.call")] == ["allow", "block"]
    (response,) = governed.records("ai.response")
    assert response["usage"]["input_tokens"] == json.loads(reply.data)["usage"]["prompt_tokens"]


async def test_when_aiohttp_posts_and_streams_then_it_is_governed(governed, provider):
    governed(POLICY)
    url = provider.openai_base_url + "/chat/completions"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=CHAT) as reply:
            data = await reply.json()
        body = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
        async with session.post(url, json=body) as reply:
            lines = [line async for line in reply.content if line.startswith(b"data: {")]
        with pytest.raises(aigov.PolicyViolation):
            await session.post(url, json=REFUSED)
    first, second = governed.records("ai.response")
    assert first["usage"]["input_tokens"] == data["usage"]["prompt_tokens"]
    assert second["usage"]["output_tokens"] == json.loads(lines[-1][len(b"data: ") :])["usage"]["completion_tokens"]
    assert len(provider.received) == 2


@pytest.mark.parametrize("library", ["httpx", "httpx2", "requests", "urllib3"])
def test_when_traffic_is_not_an_ai_call_then_it_passes_untouched_and_unrecorded(governed, provider, library):
    governed(POLICY)
    url = provider.url + "/v1/models"
    upload = provider.url + "/upload"
    if library == "requests":
        requests.get(url, timeout=10)
        requests.post(upload, data=b"\x00binary", timeout=10)
    elif library == "urllib3":
        urllib3.PoolManager().request("GET", url)
    else:
        module = {"httpx": httpx, "httpx2": httpx2}[library]
        module.get(url)
        module.post(upload, content=b"\x00binary")
    assert governed.records("ai.call", "ai.response") == []
    assert provider.received[0].path == "/v1/models"


def test_when_a_policy_declares_a_provider_then_its_calls_carry_its_name(governed, provider):
    governed(POLICY + f"providers:\n  - {{name: internal-llm, base_url: '{provider.openai_base_url}', api: openai}}\n")
    httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    (call,) = governed.records("ai.call")
    assert call["provider"] == "internal-llm"


def test_when_an_ai_call_body_cannot_be_read_then_it_is_refused_where_the_policy_must_read_it(
    governed, provider, tmp_path
):
    governed("version: 1\nmodels:\n  deny: ['gpt-4o']\n")  # a deny list and the built-in redaction
    body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "card 4111 1111 1111 1111"}]})
    (tmp_path / "request.json").write_text(body)
    url = provider.openai_base_url + "/chat/completions"
    with (tmp_path / "request.json").open("rb") as upload, pytest.raises(aigov.PolicyViolation) as refused:
        requests.post(url, data=upload, headers={"Content-Type": "application/json"}, timeout=10)
    assert refused.value.rule == "request.unreadable"
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx.post(url, content=iter([body.encode()]))
    assert refused.value.rule == "request.unreadable"
    assert provider.received == []
    assert [c["rules"] for c in governed.records("ai.call")] == [["request.unreadable"]] * 2


def test_when_the_json_escapes_a_key_then_the_call_is_still_recognised(governed, provider):
    governed(POLICY)
    body = b'{"model": "gpt-4o", "\\u006dessages": [{"role": "user", "content": "hi"}]}'
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx.post(provider.openai_base_url + "/chat/completions", content=body)
    assert refused.value.rule == "models.allow"
    assert provider.received == []
