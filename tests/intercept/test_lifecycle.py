"""Loading and unloading: patches installed once, removed exactly, stacked instrumentation respected."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import httpx
import httpx2
import pytest
import requests
import urllib3

import aigov
from jupyter_aigov import governance
from jupyter_aigov.intercept import LAYERS

PATCHED = [
    (httpx.Client, "_send_single_request"),
    (httpx.AsyncClient, "_send_single_request"),
    (httpx2.Client, "_send_single_request"),
    (httpx2.AsyncClient, "_send_single_request"),
    (requests.adapters.HTTPAdapter, "send"),
    (urllib3.connectionpool.HTTPConnectionPool, "urlopen"),
]
REFUSE_ALL = "version: 1\nmodels:\n  allow: ['only-this-one']\n"
CHAT = {"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}


def test_when_unloaded_then_every_patched_function_is_the_original_object(governed):
    before = [owner.__dict__[name] for owner, name in PATCHED]
    governed()
    assert [owner.__dict__[name] for owner, name in PATCHED] != before
    aigov.disable()
    assert [owner.__dict__[name] for owner, name in PATCHED] == before


def test_when_loaded_twice_then_one_gateway_and_one_decision(governed, provider):
    first = governed(REFUSE_ALL)
    assert aigov.enable() is first
    with pytest.raises(aigov.PolicyViolation):
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    assert len(governed.records("ai.call")) == 1
    assert len(governed.records("extension.load")) == 1


def test_when_other_instrumentation_wraps_ours_then_unload_keeps_it_working(governed, provider):
    original = httpx2.Client.__dict__["_send_single_request"]
    governed(REFUSE_ALL)
    ours = httpx2.Client.__dict__["_send_single_request"]
    seen: list[str] = []

    def otel_like(self, request):  # e.g. OpenTelemetry's httpx instrumentation, installed after aigov
        seen.append(str(request.url))
        return ours(self, request)

    httpx2.Client._send_single_request = otel_like
    try:
        aigov.disable()
        assert httpx2.Client.__dict__["_send_single_request"] is otel_like  # theirs stays in place
        reply = httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)  # ours passes through
        assert reply.status_code == 200 and len(seen) == 1
    finally:
        httpx2.Client._send_single_request = original


def test_when_a_library_is_imported_after_loading_then_it_is_governed(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, aigov
        aigov.enable()
        assert "requests" not in sys.modules and "httpx2" not in sys.modules
        import requests, httpx2
        for send in (lambda: requests.post("http://127.0.0.1:9/v1/chat/completions", json={CHAT!r}),
                     lambda: httpx2.post("http://127.0.0.1:9/v1/chat/completions", json={CHAT!r})):
            try:
                send()
            except aigov.PolicyViolation as refusal:
                print("refused", refusal.rule)
        aigov.disable()
        """
    )
    (tmp_path / "aigov.yaml").write_text(REFUSE_ALL)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "AIGOV_NOTEBOOK": str(tmp_path / "late.ipynb"), "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["refused models.allow", "refused models.allow"]


def test_when_loading_then_no_client_library_is_imported(tmp_path):
    # no entity to detect: the detection engine's background import (which brings httpx) does not start
    (tmp_path / "aigov.yaml").write_text("version: 1\nredaction:\n  entities: {}\n")
    script = f"import sys, aigov; aigov.enable(); print(sorted(m for m in {list(LAYERS)!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AIGOV_POLICY": str(tmp_path / "aigov.yaml")},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_when_disabled_then_status_says_so_and_calls_pass(governed, provider):
    governed(REFUSE_ALL)
    governance.disable()
    assert aigov.status() == {"enabled": False}
    assert httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT).status_code == 200
