"""A client layer that cannot be installed fails closed: its library's AI calls are refused, one record each."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from types import ModuleType
from typing import Any

import aiohttp
import httpcore
import httpcore2
import httpx
import httpx2
import pytest
import requests
import tornado.httpclient
import urllib3

import aigov
from jupyter_aigov import governance, intercept
from jupyter_aigov.intercept.patches import PatchSet

POLICY = """
version: 1
models:
  allow: ["gpt-4o-mini"]
"""
ALLOWED = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}


def _broken(patches: PatchSet, module: ModuleType) -> None:
    raise AttributeError("module has no attribute 'SyncByteStream' (as a half-initialised module would)")


def _httpx_post(module: Any) -> Callable[[str], Any]:
    def post(base: str) -> Any:
        with module.Client() as client:
            return client.post(base + "/chat/completions", json=ALLOWED)

    return post


def _requests_post(base: str) -> Any:
    return requests.post(base + "/chat/completions", json=ALLOWED, timeout=10)


def _urllib3_post(base: str) -> Any:
    return urllib3.PoolManager().request("POST", base + "/chat/completions", body=json.dumps(ALLOWED).encode())


def _aiohttp_post(base: str) -> Any:
    async def post() -> Any:
        async with aiohttp.ClientSession() as session, session.post(base + "/chat/completions", json=ALLOWED) as r:
            return await r.read()

    return asyncio.run(post())


def _urlopen_post(base: str) -> Any:
    request = urllib.request.Request(base + "/chat/completions", data=json.dumps(ALLOWED).encode())
    with urllib.request.urlopen(request, timeout=10) as reply:
        return reply.read()


def _pool_post(module: Any) -> Callable[[str], Any]:
    def post(base: str) -> Any:
        with module.ConnectionPool() as pool:
            return pool.request("POST", base + "/chat/completions", content=json.dumps(ALLOWED).encode())

    return post


def _tornado_post(base: str) -> Any:
    client = tornado.httpclient.HTTPClient()
    try:
        return client.fetch(base + "/chat/completions", method="POST", body=json.dumps(ALLOWED))
    finally:
        client.close()


RAW_CLIENTS = {
    "httpx": _httpx_post(httpx),
    "httpx2": _httpx_post(httpx2),
    "requests": _requests_post,
    "urllib3": _urllib3_post,
    "aiohttp": _aiohttp_post,
    "http.client": _urlopen_post,
    "httpcore": _pool_post(httpcore),
    "httpcore2": _pool_post(httpcore2),
    "tornado.httpclient": _tornado_post,
}


@pytest.mark.parametrize("layer", list(RAW_CLIENTS))
def test_when_a_layer_cannot_be_installed_then_its_ai_calls_are_refused(governed, provider, monkeypatch, layer):
    monkeypatch.setitem(intercept.LAYERS, layer, _broken)
    governed(POLICY)
    status = governance.status()
    assert layer in status["interception_failures"] and layer in status["refusing"]
    with pytest.raises(aigov.PolicyViolation) as refused:
        RAW_CLIENTS[layer](provider.openai_base_url)
    assert refused.value.rule == "intercept.unavailable"
    assert "%reload_ext aigov" in str(refused.value)
    assert provider.received == []  # not one byte
    (failure,) = governed.records("intercept.unavailable")
    assert (failure["library"], failure["error"], failure["decision"]) == (layer, "AttributeError", "block")
    assert "SyncByteStream" not in json.dumps(failure)  # the exception's type, never its message
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["rules"], call["model"]) == ("block", ["intercept.unavailable"], "gpt-4o-mini")


@pytest.mark.parametrize("layer", list(RAW_CLIENTS))
def test_when_a_layer_is_guarded_then_other_traffic_goes_on(governed, provider, monkeypatch, layer):
    monkeypatch.setitem(intercept.LAYERS, layer, _broken)
    governed(POLICY)
    if layer in ("httpx", "httpx2"):
        module = httpx if layer == "httpx" else httpx2
        assert module.get(provider.url + "/v1/models").status_code < 500
    elif layer == "requests":
        assert requests.get(provider.url + "/v1/models", timeout=10).status_code < 500
    elif layer == "urllib3":
        assert urllib3.PoolManager().request("GET", provider.url + "/v1/models").status < 500
    elif layer == "http.client":
        with urllib.request.urlopen(provider.url + "/v1/models", timeout=10) as reply:
            assert reply.status < 500
    elif layer in ("httpcore", "httpcore2"):
        with (httpcore if layer == "httpcore" else httpcore2).ConnectionPool() as pool:
            assert pool.request("GET", provider.url + "/v1/models").status < 500
    elif layer == "tornado.httpclient":
        client = tornado.httpclient.HTTPClient()
        assert client.fetch(provider.url + "/v1/models").code < 500
        client.close()
    governed.records()
    assert governed.records("ai.call") == []


def test_when_the_http_client_layer_is_guarded_then_a_request_sent_step_by_step_is_refused_too(
    governed, provider, monkeypatch
):
    monkeypatch.setitem(intercept.LAYERS, "http.client", _broken)
    governed(POLICY)
    connection = http.client.HTTPConnection(provider.url.split("://")[1], timeout=10)
    with pytest.raises(aigov.PolicyViolation) as refused:
        connection.putrequest("POST", "/v1/chat/completions")
    assert refused.value.rule == "intercept.unavailable"
    assert provider.received == []
    (call,) = governed.records("ai.call")
    assert call["rules"] == ["intercept.unavailable"]


def test_when_botocore_layer_cannot_be_installed_then_bedrock_calls_are_refused(governed, provider, monkeypatch):
    monkeypatch.setitem(intercept.LAYERS, "botocore.endpoint", _broken)
    import boto3

    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=provider.bedrock_endpoint_url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        client.converse(
            modelId="anthropic.claude-3-haiku-20240307-v1:0",
            messages=[{"role": "user", "content": [{"text": "hi"}]}],
        )
    assert refused.value.rule == "intercept.unavailable"
    assert provider.received == []
    (call,) = governed.records("ai.call")
    assert call["rules"] == ["intercept.unavailable"]


IMPORTED_LATER = """
import json, os, sys
from jupyter_aigov import intercept
def broken(patches, module):
    raise AttributeError("half-initialised")
intercept.LAYERS["httpx"] = broken
import aigov
aigov.enable()
assert "httpx" not in sys.modules
import httpx  # the import watch installs the layer now: it fails, and the guard goes in
try:
    httpx.post(os.environ["PROVIDER"] + "/chat/completions", json={"model": "gpt-4o-mini", "messages": []})
except aigov.PolicyViolation as refused:
    print(json.dumps({"rule": refused.rule, "refusing": aigov.status()["refusing"]}))
"""


def test_when_a_layer_fails_on_import_after_loading_then_it_is_guarded_too(tmp_path, provider):
    (tmp_path / "aigov.yaml").write_text(POLICY + "redaction:\n  entities: {}\n")
    env = {
        **os.environ,
        "AIGOV_POLICY": str(tmp_path / "aigov.yaml"),
        "AIGOV_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "PROVIDER": provider.openai_base_url,
    }
    done = subprocess.run(
        [sys.executable, "-c", IMPORTED_LATER], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout) == {"rule": "intercept.unavailable", "refusing": ["httpx"]}
    assert provider.received == []
