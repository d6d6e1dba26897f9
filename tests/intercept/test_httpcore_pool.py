"""httpcore and httpcore2 used directly, and httpx's and httpx2's transports called without a client: governed,
and decided once when an httpx client already has the call."""

from __future__ import annotations

import json

import httpcore
import httpcore2
import httpx
import httpx2
import pytest

import aigov

POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\n"
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello pool"}]}
DENIED = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello pool"}]}
STREAMED = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
POOLS = {"httpcore": httpcore, "httpcore2": httpcore2}
CLIENTS = {"httpcore": httpx, "httpcore2": httpx2}  # the client library whose transport sits on each pool


def _body(document: dict) -> bytes:
    return json.dumps(document).encode()


def assert_refused_once(governed, provider, refused, library: str) -> None:
    assert refused.value.rule == "models.allow"
    assert provider.received == []
    (call,) = governed.records("ai.call")
    assert (call["library"], call["decision"], call["model"]) == (library, "block", "gpt-4o")


@pytest.mark.parametrize("library", list(POOLS))
def test_when_a_pool_is_used_directly_then_a_denied_model_is_refused_once(governed, provider, library):
    governed(POLICY)
    with POOLS[library].ConnectionPool() as pool, pytest.raises(aigov.PolicyViolation) as refused:
        pool.request("POST", provider.openai_base_url + "/chat/completions", content=_body(DENIED))
    assert_refused_once(governed, provider, refused, library)


@pytest.mark.parametrize("library", list(POOLS))
def test_when_a_pool_is_used_directly_then_an_allowed_stream_is_read_through_the_tap(governed, provider, library):
    governed(POLICY)
    url = provider.openai_base_url + "/chat/completions"
    with POOLS[library].ConnectionPool() as pool:
        answer = json.loads(pool.request("POST", url, content=_body(CHAT)).content)
        with pool.stream("POST", url, content=_body(STREAMED)) as reply:
            streamed = b"".join(reply.iter_stream()).decode()
    events = [json.loads(line[6:]) for line in streamed.splitlines() if line.startswith("data: {")]
    assert [(c["library"], c["decision"]) for c in governed.records("ai.call")] == [(library, "allow")] * 2
    first, second = governed.records("ai.response")
    assert first["usage"]["input_tokens"] == answer["usage"]["prompt_tokens"]
    assert second["usage"]["output_tokens"] == events[-1]["usage"]["completion_tokens"]


@pytest.mark.parametrize("library", list(POOLS))
async def test_when_an_async_pool_is_used_directly_then_it_is_governed(governed, provider, library):
    governed(POLICY)
    url = provider.openai_base_url + "/chat/completions"
    async with POOLS[library].AsyncConnectionPool() as pool:
        reply = await pool.request("POST", url, content=_body(CHAT))
        with pytest.raises(aigov.PolicyViolation):
            await pool.request("POST", url, content=_body(DENIED))
    assert json.loads(reply.content)["choices"]
    assert [c["decision"] for c in governed.records("ai.call")] == ["allow", "block"]
    assert len(governed.records("ai.response")) == 1
    assert len(provider.received) == 1


@pytest.mark.parametrize("library", list(POOLS))
def test_when_a_transport_is_called_without_a_client_then_it_is_governed(governed, provider, library):
    governed(POLICY)
    client_library = CLIENTS[library]
    url = provider.openai_base_url + "/chat/completions"
    with client_library.HTTPTransport() as transport:
        with pytest.raises(aigov.PolicyViolation) as refused:
            transport.handle_request(client_library.Request("POST", url, json=DENIED))
        assert_refused_once(governed, provider, refused, library)
        reply = transport.handle_request(client_library.Request("POST", url, json=CHAT))
        assert json.loads(reply.read())["choices"]
    assert len(governed.records("ai.response")) == 1


@pytest.mark.parametrize("library", list(POOLS))
async def test_when_an_async_transport_is_called_without_a_client_then_it_is_governed(governed, provider, library):
    governed(POLICY)
    client_library = CLIENTS[library]
    async with client_library.AsyncHTTPTransport() as transport:
        with pytest.raises(aigov.PolicyViolation) as refused:
            await transport.handle_async_request(
                client_library.Request("POST", provider.openai_base_url + "/chat/completions", json=DENIED)
            )
    assert_refused_once(governed, provider, refused, library)


@pytest.mark.parametrize("library", list(POOLS))
def test_when_a_client_sends_then_the_pool_beneath_does_not_decide_again(governed, provider, library):
    governed(POLICY)
    client_library = CLIENTS[library]
    url = provider.openai_base_url + "/chat/completions"
    with client_library.Client() as client:
        client.post(url, json=CHAT)
        with pytest.raises(aigov.PolicyViolation):
            client.post(url, json=DENIED)
    calls = governed.records("ai.call")
    assert [(c["library"], c["decision"]) for c in calls] == [
        (client_library.__name__, "allow"),
        (client_library.__name__, "block"),
    ]
    assert len(governed.records("ai.response")) == 1


@pytest.mark.parametrize("library", list(POOLS))
def test_when_a_pool_sends_other_traffic_then_it_passes_unrecorded(governed, provider, library):
    governed(POLICY)
    with POOLS[library].ConnectionPool() as pool:
        assert pool.request("GET", provider.url + "/v1/models").status == 200
        pool.request("POST", provider.url + "/upload", content=b"\x00binary")
    assert governed.records("ai.call", "ai.response") == []
