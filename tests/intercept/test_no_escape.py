"""Ways an AI call could slip past a decision, each closed: URL dressing, body shapes, unknown SDKs."""

from __future__ import annotations

import importlib
import json
import sys
import textwrap

import aiohttp
import httpx
import httpx2
import openai
import pytest
import requests

import aigov

POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\n"
DENIED = {"model": "gpt-4-denied", "messages": [{"role": "user", "content": "x"}]}


@pytest.mark.parametrize("suffix", ["#fragment", "/", "?a=1#b"])
@pytest.mark.parametrize("module", [httpx, httpx2, requests], ids=["httpx", "httpx2", "requests"])
def test_when_the_url_is_dressed_then_the_call_is_still_decided(governed, provider, module, suffix):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation):
        module.post(provider.openai_base_url + "/chat/completions" + suffix, json=DENIED)
    assert provider.received == []


def test_when_an_sdk_base_url_carries_a_fragment_then_the_call_is_still_decided(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url + "/#x", api_key="x")
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation):
        client.chat.completions.create(model="gpt-4-denied", messages=[{"role": "user", "content": "x"}])
    assert provider.received == []


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (json.dumps(DENIED).encode(), {"content-type": "text/plain"}),
        (b" " * 200 + json.dumps(DENIED).encode(), {"content-type": "application/json"}),
        (json.dumps(DENIED).encode("utf-16"), {"content-type": "application/json"}),
        (iter([json.dumps(DENIED).encode()]), {"content-type": "application/json"}),  # streamed: unreadable
    ],
    ids=["text-plain", "leading-spaces", "utf-16", "streamed"],
)
def test_when_the_body_is_shaped_oddly_on_an_unknown_host_then_the_call_is_still_decided(
    governed, provider, content, headers
):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation):
        httpx2.post(provider.openai_base_url + "/chat/completions", content=content, headers=headers)
    assert provider.received == []


def test_when_requests_streams_a_generator_body_then_the_unknown_model_is_refused(governed, provider):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation):
        requests.post(provider.openai_base_url + "/chat/completions", data=(c for c in [json.dumps(DENIED)]))
    assert provider.received == []


def test_when_a_url_carries_credentials_then_they_never_reach_the_evidence(governed, provider):
    governed(POLICY)
    url = provider.openai_base_url.replace("http://", "http://alice:S3cretT0ken@") + "/chat/completions"
    with pytest.raises(aigov.PolicyViolation):
        httpx2.post(url, json=DENIED)
    assert "S3cretT0ken" not in governed.log_path.read_text()
    assert governed.records("ai.call")[0]["host"] == provider.url.split("://")[1]


STAINLESS_LIKE = '''
class RetryingError(Exception):
    pass

class SyncAPIClient:
    """Like the Stainless SDKs (groq, together, cerebras...): wraps transport errors and retries."""
    def __init__(self, send):
        self.send, self.attempts = send, 0

    def request(self, retries=3):
        for _ in range(retries):
            self.attempts += 1
            try:
                return self.send()
            except Exception as exc:
                last = exc
        raise RetryingError("connection failed") from last
'''


def test_when_an_unknown_stainless_sdk_is_imported_after_loading_then_its_refusal_is_not_wrapped(
    governed, provider, tmp_path, monkeypatch
):
    package = tmp_path / "fakesdk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "_base_client.py").write_text(textwrap.dedent(STAINLESS_LIKE))
    monkeypatch.syspath_prepend(str(tmp_path))
    governed(POLICY)
    base_client = importlib.import_module("fakesdk._base_client")
    try:
        client = base_client.SyncAPIClient(
            lambda: httpx2.post(provider.openai_base_url + "/chat/completions", json=DENIED)
        )
        with pytest.raises(aigov.PolicyViolation):
            client.request()
        assert client.attempts == 1  # the refusal passed the SDK's retry loop untouched
        assert len(governed.records("ai.call")) == 1
    finally:
        sys.modules.pop("fakesdk._base_client", None)
        sys.modules.pop("fakesdk", None)


async def test_when_aiohttp_serialises_json_its_own_way_then_non_ai_requests_are_unaffected(governed, provider):
    import datetime

    governed(POLICY)

    def serialize(value):
        return json.dumps(value, default=str)

    async with (
        aiohttp.ClientSession(json_serialize=serialize) as session,
        session.post(provider.url + "/upload", json={"when": datetime.datetime(2026, 1, 1)}) as reply,
    ):
        assert reply.status == 404  # the stand-in serves no /upload: the request went out unchanged
    assert governed.records("ai.call") == []
