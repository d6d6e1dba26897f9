"""Routes through the real clients: a model goes to the approved deployment, with that deployment's key only."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import aiohttp
import anthropic
import httpcore
import httpx
import openai
import pytest
import requests
import tornado.httpclient
import urllib3
from google import genai
from google.genai import types

import aigov
from jupyter_aigov.testing import StandInProvider

KEY = "deployment-key-5b1e"


@pytest.fixture(scope="module")
def deployment() -> Iterator[StandInProvider]:
    """The approved deployment: a second stand-in provider on its own port."""
    with StandInProvider() as server:
        yield server


@pytest.fixture
def approved(deployment: StandInProvider) -> StandInProvider:
    deployment.clear()
    return deployment


def policy(approved: StandInProvider, match: str, base_url: str, model: str | None = "gpt-4o-mini") -> str:
    target = {"base_url": base_url, "api_key_env": "DEPLOY_KEY"}
    if model is not None:
        target["model"] = model
    return (
        "version: 1\nmodels:\n  allow: ['gpt-4o-mini', 'claude-haiku-*', 'gemini-2.5-flash-lite', 'anthropic.*']\n"
        f"routes:\n  - {json.dumps({'match': match, 'to': target})}\n"
    )


def test_openai_sdk_call_goes_to_the_deployment_with_its_model_and_key(governed, provider, approved, monkeypatch):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "gpt-*", approved.openai_base_url))
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="callers-own-key")
    answer = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content
    assert provider.received == []  # gpt-4o is not allowed: only its routed form went out
    (sent,) = approved.received
    assert sent.json["model"] == "gpt-4o-mini" and sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    (call,) = governed.records("ai.call")
    assert (call["requested_model"], call["model"], call["route"]) == ("gpt-4o", "gpt-4o-mini", "gpt-*")
    assert call["routed_to"] == approved.openai_base_url + "/chat/completions"
    assert call["decision"] == "allow" and KEY not in governed.log_path.read_text()


async def test_async_openai_stream_is_routed(governed, provider, approved, monkeypatch):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "gpt-*", approved.openai_base_url))
    client = openai.AsyncOpenAI(base_url=provider.openai_base_url, api_key="x")
    stream = await client.chat.completions.create(
        model="gpt-4.1", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    text = [c.choices[0].delta.content or "" async for c in stream if c.choices]
    assert "".join(text) and provider.received == []
    assert approved.received[0].json["model"] == "gpt-4o-mini"


def test_anthropic_gets_its_key_header(governed, provider, approved, monkeypatch):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "claude-opus-*", approved.anthropic_base_url, "claude-haiku-4-5"))
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="callers-own-key")
    client.messages.create(model="claude-opus-4-1", max_tokens=20, messages=[{"role": "user", "content": "hi"}])
    (sent,) = approved.received
    assert sent.json["model"] == "claude-haiku-4-5" and sent.headers["x-api-key"] == KEY
    assert "authorization" not in sent.headers


def test_gemini_model_is_rewritten_in_the_path(governed, provider, approved, monkeypatch):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "gemini-2.5-pro", approved.gemini_base_url + "/v1beta", "gemini-2.5-flash-lite"))
    client = genai.Client(api_key="callers-own-key", http_options=types.HttpOptions(base_url=provider.gemini_base_url))
    client.models.generate_content(model="gemini-2.5-pro", contents="hi")
    (sent,) = approved.received
    assert sent.path.endswith("/models/gemini-2.5-flash-lite:generateContent")
    assert sent.headers["x-goog-api-key"] == KEY


@pytest.mark.parametrize("library", ["requests", "httpx"])
def test_raw_clients_are_routed(governed, provider, approved, monkeypatch, library):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "gpt-*", approved.openai_base_url))
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    url, headers = provider.openai_base_url + "/chat/completions", {"Authorization": "Bearer callers-own-key"}
    if library == "requests":
        reply = requests.post(url, json=body, headers=headers, timeout=10).json()
    else:
        reply = httpx.post(url, json=body, headers=headers).json()
    assert reply["model"] == "gpt-4o-mini"
    assert approved.received[0].headers["authorization"] == f"Bearer {KEY}" and provider.received == []


async def test_aiohttp_is_routed(governed, provider, approved, monkeypatch):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "gpt-*", approved.openai_base_url))
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    url = provider.openai_base_url + "/chat/completions"
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as reply:
        assert (await reply.json())["model"] == "gpt-4o-mini"
    assert approved.received[0].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # aiohttp deprecates auth=; it still sends it
@pytest.mark.parametrize("where", ["session", "request"])
async def test_aiohttp_basic_auth_of_the_caller_never_reaches_the_deployment(
    governed, provider, approved, monkeypatch, where
):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "claude-*", approved.anthropic_base_url, model=None))
    body = {"model": "claude-haiku-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    url = provider.anthropic_base_url + "/v1/messages"
    auth = aiohttp.BasicAuth("caller", "secret-4c2d")
    async with aiohttp.ClientSession(auth=auth if where == "session" else None) as session:
        if where == "session":  # the session's own credential cannot be taken off one request: refused
            with pytest.raises(aigov.PolicyViolation) as refused:
                await session.post(url, json=body)
            assert refused.value.rule == "routes.unsupported"
        else:
            async with session.post(url, json=body, auth=auth) as reply:
                assert reply.status == 200
    assert all("authorization" not in r.headers for r in approved.received)
    assert provider.received == []


def test_bedrock_model_is_rewritten_before_signing(governed, provider, bedrock):
    governed(
        "version: 1\nroutes:\n  - {match: 'anthropic.claude-3-opus*', "
        f"to: {{base_url: '{provider.bedrock_endpoint_url}', model: 'anthropic.claude-3-haiku-20240307-v1:0'}}}}\n"
    )
    bedrock.converse(
        modelId="anthropic.claude-3-opus-20240229-v1:0", messages=[{"role": "user", "content": [{"text": "hi"}]}]
    )
    (sent,) = provider.received
    assert "claude-3-haiku" in sent.path and "Signature=" in sent.headers["authorization"]
    (call,) = governed.records("ai.call")
    assert call["requested_model"] == "anthropic.claude-3-opus-20240229-v1:0"


def test_a_urllib3_pool_cannot_move_a_call_to_another_host_so_it_is_refused(governed, provider, approved, monkeypatch):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "gpt-*", approved.openai_base_url))
    body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    with pytest.raises(aigov.PolicyViolation) as refused:
        urllib3.request("POST", provider.openai_base_url + "/chat/completions", body=body)
    assert refused.value.rule == "routes.unsupported" and "requests or httpx" in refused.value.hint
    assert provider.received == [] and approved.received == []


def test_a_missing_deployment_key_refuses_the_call(governed, provider, approved, monkeypatch):
    monkeypatch.delenv("DEPLOY_KEY", raising=False)
    governed(policy(approved, "gpt-*", approved.openai_base_url))
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    with pytest.raises(aigov.PolicyViolation) as refused:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    assert refused.value.rule == "routes.credentials" and "DEPLOY_KEY" in str(refused.value)
    assert provider.received == [] and approved.received == []
    (call,) = governed.records("ai.call")
    assert call["decision"] == "block" and call["rules"] == ["routes.credentials"]


def test_models_without_a_route_are_decided_as_asked(governed, provider, approved, monkeypatch):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "gpt-*", approved.openai_base_url))
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    with pytest.raises(aigov.PolicyViolation) as refused:
        client.messages.create(model="claude-opus-4-1", max_tokens=5, messages=[{"role": "user", "content": "hi"}])
    assert refused.value.rule.startswith("models.")


def test_an_http_client_connection_cannot_move_a_call_to_another_host_so_it_is_refused(
    governed, provider, approved, monkeypatch
):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "gpt-*", approved.openai_base_url))
    body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}).encode()
    with pytest.raises(aigov.PolicyViolation) as refused:
        urllib.request.urlopen(urllib.request.Request(provider.openai_base_url + "/chat/completions", data=body))
    assert refused.value.rule == "routes.unsupported"
    assert provider.received == [] and approved.received == []


def test_httpcore_and_tornado_calls_go_to_the_deployment_with_its_key(governed, provider, approved, monkeypatch):
    monkeypatch.setenv("DEPLOY_KEY", KEY)
    governed(policy(approved, "gpt-*", approved.openai_base_url))
    url = provider.openai_base_url + "/chat/completions"
    body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    with httpcore.ConnectionPool() as pool:
        reply = pool.request("POST", url, content=body.encode(), headers={"Authorization": "Bearer callers-own"})
    assert json.loads(reply.content)["choices"]
    fetched = tornado.httpclient.HTTPClient()
    try:
        fetched.fetch(url, method="POST", body=body, headers={"Authorization": "Bearer callers-own"})
    finally:
        fetched.close()
    assert provider.received == []
    assert [(r.json["model"], r.headers["authorization"]) for r in approved.received] == [
        ("gpt-4o-mini", f"Bearer {KEY}")
    ] * 2
    assert [c["library"] for c in governed.records("ai.call")] == ["httpcore", "tornado"]
