"""Every fresh kernel governed from the first cell: a denied model is refused through every client, every time.

A start-up race once left raw httpx ungoverned in most fresh kernels: the background import of the detection
engine (Presidio -> spaCy -> weasel -> httpx) had httpx half-initialised while the layer patched it. Each kernel
here is new, loads aigov, and at once (the first cell after loading) imports and calls every supported client
with a model the policy denies; then again once the background loads are done.

AIGOV_FRESH_KERNELS sets how many kernels are tried (20 by default).
"""

from __future__ import annotations

import json
import os
import queue
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

KERNELS = int(os.environ.get("AIGOV_FRESH_KERNELS", "20"))
POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\n"  # the built-in redaction: detection loads at start

# Every supported client, each asked for a model the policy denies; prints {client: outcome} as JSON.
PROBE = r"""
import asyncio, concurrent.futures, json, os
base = os.environ["PROVIDER"]
denied = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}
chat = base + "/v1/chat/completions"

def run(coroutine):  # the kernel's own event loop is running: asyncio.run on a thread of its own
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

def _httpx():
    import httpx
    return httpx.post(chat, json=denied)

def _httpx_async():
    import httpx
    async def go():
        async with httpx.AsyncClient() as client:
            return await client.post(chat, json=denied)
    return run(go())

def _httpx2():
    import httpx2
    return httpx2.post(chat, json=denied)

def _requests():
    import requests
    return requests.post(chat, json=denied, timeout=10)

def _urllib3():
    import urllib3
    return urllib3.PoolManager().request("POST", chat, body=json.dumps(denied).encode())

def _aiohttp():
    import aiohttp
    async def go():
        async with aiohttp.ClientSession() as session, session.post(chat, json=denied) as reply:
            return await reply.read()
    return run(go())

def _openai():
    import openai
    client = openai.OpenAI(base_url=base + "/v1", api_key="x")
    return client.chat.completions.create(**denied)

def _anthropic():
    import anthropic
    client = anthropic.Anthropic(base_url=base, api_key="x")
    return client.messages.create(model="claude-3-5-haiku-latest", max_tokens=10, messages=denied["messages"])

def _genai():
    from google import genai
    from google.genai import types
    client = genai.Client(api_key="x", http_options=types.HttpOptions(base_url=base))
    return client.models.generate_content(model="gemini-2.0-flash", contents="hello")

def _bedrock():
    import boto3
    client = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=base,
                          aws_access_key_id="x", aws_secret_access_key="x")
    return client.converse(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                           messages=[{"role": "user", "content": [{"text": "hello"}]}])

def _urlopen():
    import urllib.request
    return urllib.request.urlopen(urllib.request.Request(chat, data=json.dumps(denied).encode())).read()

def _httpcore():
    import httpcore
    with httpcore.ConnectionPool() as pool:
        return pool.request("POST", chat, content=json.dumps(denied).encode())

def _httpx_transport():
    import httpx
    with httpx.HTTPTransport() as transport:
        return transport.handle_request(httpx.Request("POST", chat, json=denied))

def _tornado():
    from tornado.httpclient import AsyncHTTPClient
    async def go():
        return await AsyncHTTPClient(force_instance=True).fetch(chat, method="POST", body=json.dumps(denied))
    return run(go())

import aigov
outcomes = {}
for name, call in [("httpx", _httpx), ("httpx-async", _httpx_async), ("httpx2", _httpx2), ("requests", _requests),
                   ("urllib3", _urllib3), ("aiohttp", _aiohttp), ("openai", _openai), ("anthropic", _anthropic),
                   ("google-genai", _genai), ("boto3-bedrock", _bedrock), ("urllib.request", _urlopen),
                   ("httpcore", _httpcore), ("httpx-transport", _httpx_transport), ("tornado", _tornado)]:
    try:
        call()
        outcomes[name] = "sent"
    except aigov.PolicyViolation as refused:
        outcomes[name] = "refused " + refused.rule
    except Exception as failed:
        outcomes[name] = "failed " + type(failed).__name__
print("OUTCOMES " + json.dumps(outcomes))
"""

SETTLE = r"""
import threading, time, aigov
deadline = time.monotonic() + 120
while "loading" in aigov.status()["detection"] or any(t.name.startswith("aigov") for t in threading.enumerate()):
    assert time.monotonic() < deadline, aigov.status()["detection"]
    time.sleep(0.1)
time.sleep(1.5)  # the price list's warm-up timer starts a moment after loading
print("SETTLED " + aigov.status()["detection"])
"""

CLIENTS = 14


def _execute(client: Any, code: str, timeout: float = 180) -> str:
    """Run code in the kernel; its printed output (errors included, as text)."""
    msg_id = client.execute(code)
    out: list[str] = []
    while True:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the kernel did not finish within {timeout} s: {''.join(out)}") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            out.append(f"ERROR {content['ename']}: {content['evalue']}\n")
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


def _outcomes(output: str) -> dict[str, str]:
    line = next((line for line in output.splitlines() if line.startswith("OUTCOMES ")), None)
    assert line is not None, output
    return json.loads(line[len("OUTCOMES ") :])


@pytest.mark.parametrize("round_", range(KERNELS))
def test_when_a_fresh_kernel_loads_aigov_then_every_client_is_governed_from_the_first_cell(
    tmp_path: Path, provider: Any, round_: int
) -> None:
    (tmp_path / "aigov.yaml").write_text(POLICY)
    env = {**os.environ, "JPY_SESSION_NAME": str(tmp_path / "fresh.ipynb"), "AIGOV_USER": "ada"}
    env["PROVIDER"] = provider.url
    for name in ("AIGOV_POLICY", "AIGOV_EVIDENCE_DIR", "AIGOV_NOTEBOOK", "AIGOV_USE_CASE"):
        env.pop(name, None)
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        loaded = _execute(client, "%load_ext aigov")
        first = _outcomes(_execute(client, PROBE))
        settled = _execute(client, SETTLE)
        again = _outcomes(_execute(client, PROBE))
        status = _execute(client, "%aigov status")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    refused = {name: "refused models.allow" for name in first}
    assert (first, again) == (refused, refused), loaded + status
    assert len(first) == CLIENTS
    assert "SETTLED" in settled and "NOT intercepting" not in status, status
    assert provider.received == []  # not one byte, in any kernel
    log = tmp_path / ".aigov" / "evidence" / "fresh.jsonl"
    calls = [r for r in map(json.loads, log.read_text().splitlines()) if r["event"] == "ai.call"]
    assert len(calls) == 2 * CLIENTS and {c["decision"] for c in calls} == {"block"}  # one record per refusal
