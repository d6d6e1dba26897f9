"""No line of notebook code switches governance off without a record: switches hidden, changed patches found."""

from __future__ import annotations

import importlib
import pkgutil
from contextvars import ContextVar
from types import ModuleType

import httpx
import httpx2
import pytest
import requests

import aigov
import jupyter_aigov
from jupyter_aigov import governance, state
from jupyter_aigov.pipeline import binding, refusals

POLICY = """
version: 1
models:
  allow: ["gpt-4o-mini"]
"""
ALLOWED = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}
DENIED = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}


def _context_variables() -> list[tuple[str, ContextVar]]:
    """Every context variable any module of the package holds at its top level."""
    found = []
    for info in pkgutil.walk_packages(jupyter_aigov.__path__, "jupyter_aigov."):
        if info.name.startswith(("jupyter_aigov.server", "jupyter_aigov.widgets", "jupyter_aigov.labextension")):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():  # at the top level, or held by an object there
            ours = hasattr(value, "__dict__") and not isinstance(value, type | ModuleType)
            held = vars(value).items() if ours else ()
            for path, variable in [(name, value), *((f"{name}.{n}", v) for n, v in held)]:
                if isinstance(variable, ContextVar):
                    found.append((f"{info.name}.{path}", variable))
    return found


def test_when_the_old_governing_flag_is_looked_for_then_it_is_gone():
    assert not hasattr(binding, "governing") and not hasattr(refusals, "governing")


@pytest.mark.parametrize("value", [True, object()], ids=["true", "an-object"])
def test_when_any_context_variable_of_the_package_is_set_then_calls_are_still_governed(governed, provider, value):
    governed(POLICY)
    tokens = [(variable, variable.set(value)) for _, variable in _context_variables()]
    try:
        with pytest.raises(aigov.PolicyViolation):
            httpx.post(provider.openai_base_url + "/chat/completions", json=DENIED)
        with pytest.raises(aigov.PolicyViolation):
            requests.post(provider.openai_base_url + "/chat/completions", json=DENIED, timeout=10)
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)
    assert provider.received == []


def test_when_the_active_gateway_is_switched_off_behind_aigov_then_it_is_recorded_and_calls_refused(governed, provider):
    gateway = governed(POLICY)
    state.set_active_gateway(None)
    try:
        with pytest.raises(aigov.PolicyViolation) as refused:
            httpx.post(provider.openai_base_url + "/chat/completions", json=ALLOWED)  # even an allowed model
        assert refused.value.rule == "governance.tampered"
    finally:
        state.set_active_gateway(gateway)
    assert provider.received == []
    (tampered,) = governed.records("governance.tampered")
    assert "active gateway was switched" in tampered["reason"] and tampered["decision"] == "block"
    (call,) = governed.records("ai.call")
    assert call["rules"] == ["governance.tampered"]


@pytest.mark.parametrize("module", [httpx, httpx2], ids=["httpx", "httpx2"])
def test_when_a_patch_is_put_back_to_its_original_then_it_is_found_before_the_request_leaves(
    governed, provider, module
):
    governed(POLICY)
    with module.Client() as client:
        client.post(provider.openai_base_url + "/chat/completions", json=ALLOWED)  # a kept-alive connection
        patched = module.Client.__dict__["_send_single_request"]
        module.Client._send_single_request = patched.__aigov_original__  # one line, in the same cell
        with pytest.raises(aigov.PolicyViolation) as refused:
            client.post(provider.openai_base_url + "/chat/completions", json=DENIED)
        assert refused.value.rule == "governance.tampered"
        with pytest.raises(aigov.PolicyViolation):  # and again: refused until loaded again
            client.post(provider.openai_base_url + "/chat/completions", json=ALLOWED)
    assert len(provider.received) == 1  # only the call made before the change
    (tampered,) = governed.records("governance.tampered")
    assert "Client._send_single_request was removed or replaced" in tampered["reason"]
    governance.disable()
    assert module.Client.__dict__["_send_single_request"] is patched.__aigov_original__  # unloading restores
    governed(POLICY)  # loading again governs again
    with pytest.raises(aigov.PolicyViolation) as refused:
        module.post(provider.openai_base_url + "/chat/completions", json=DENIED)
    assert refused.value.rule == "models.allow"


def test_when_a_patch_without_a_sentinel_is_replaced_then_a_new_connection_is_refused(governed, provider):
    import urllib3

    governed(POLICY)
    pool = urllib3.connectionpool.HTTPConnectionPool
    pool.urlopen = pool.__dict__["urlopen"].__aigov_original__
    with pytest.raises(aigov.PolicyViolation) as refused:  # the audit hook sees the new socket first
        urllib3.PoolManager().request("POST", provider.openai_base_url + "/chat/completions", json=DENIED)
    assert refused.value.rule == "governance.tampered"
    assert provider.received == []
    assert len(governed.records("governance.tampered")) == 1


def test_when_the_import_watch_is_taken_out_then_it_is_put_back_on_record(governed, provider):
    import sys

    governed(POLICY)
    watch = sys.meta_path.pop(0)
    assert governance.check_integrity() == ["aigov's import watch was taken out of sys.meta_path"]
    assert sys.meta_path[0] is watch
    assert len(governed.records("governance.tampered")) == 1


def test_when_the_original_is_put_back_dressed_as_our_wrapper_then_it_is_still_found(governed, provider):
    import functools

    governed(POLICY)
    ours = httpx.Client.__dict__["_send_single_request"]
    httpx.Client._send_single_request = functools.wraps(ours)(ours.__aigov_original__)  # __wrapped__ points at ours
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx.post(provider.openai_base_url + "/chat/completions", json=DENIED)
    assert refused.value.rule == "governance.tampered"
    assert provider.received == []


def test_when_one_client_object_gets_the_original_method_then_it_is_found(governed, provider):
    governed(POLICY)
    with httpx.Client() as client:
        client._send_single_request = httpx.Client._send_single_request.__aigov_original__.__get__(client)
        with pytest.raises(aigov.PolicyViolation) as refused:
            client.post(provider.openai_base_url + "/chat/completions", json=DENIED)
    assert refused.value.rule == "governance.tampered"
    assert provider.received == []
    (tampered,) = governed.records("governance.tampered")
    assert "replaced on one Client object" in tampered["reason"]


def test_when_the_interceptor_is_stopped_by_hand_then_it_refuses(governed, provider):
    governed(POLICY)
    assert governance._interceptor is not None
    with pytest.raises(aigov.AIGovError, match="unload_ext aigov"):
        governance._interceptor.stop(object())
    with pytest.raises(aigov.PolicyViolation):
        httpx.post(provider.openai_base_url + "/chat/completions", json=DENIED)


def test_when_the_binding_names_are_rebound_then_calls_are_still_governed(governed, provider, monkeypatch):
    gateway = governed(POLICY)
    monkeypatch.setattr(refusals, "outer_layer_has_it", lambda: True)
    monkeypatch.setattr(binding, "outer_layer_has_it", lambda: True)
    monkeypatch.setattr(binding, "governor", lambda: None)
    monkeypatch.setattr(binding, "deciding_pipeline", lambda: None)
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx.post(provider.openai_base_url + "/chat/completions", json=DENIED)
    assert refused.value.rule == "models.allow"
    monkeypatch.setattr(state, "_active", None, raising=False)  # held in a closure: a module global changes nothing
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx.post(provider.openai_base_url + "/chat/completions", json=DENIED)
    assert refused.value.rule == "models.allow"
    assert state.active_gateway() is gateway
    assert provider.received == []


def test_when_a_library_is_imported_anew_then_the_new_module_is_governed(tmp_path, provider):
    import os
    import subprocess
    import sys

    script = """
import os, sys, aigov
aigov.enable()
import httpx
for name in [m for m in sys.modules if m == "httpx" or m.startswith("httpx.")]:
    del sys.modules[name]
import httpx
try:
    httpx.post(os.environ["PROVIDER"] + "/chat/completions", json={"model": "gpt-4o", "messages": []})
    print("sent")
except aigov.PolicyViolation as refused:
    print("refused", refused.rule)
"""
    (tmp_path / "aigov.yaml").write_text(POLICY + "redaction:\n  entities: {}\n")
    env = {**os.environ, "AIGOV_POLICY": str(tmp_path / "aigov.yaml"), "PROVIDER": provider.openai_base_url}
    env["AIGOV_EVIDENCE_DIR"] = str(tmp_path / "evidence")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "refused models.allow", done.stderr
    assert provider.received == []


@pytest.mark.parametrize("library", ["urllib3", "aiohttp"])
def test_when_a_patch_is_put_back_and_a_kept_alive_connection_is_reused_then_it_is_refused(governed, provider, library):
    import asyncio

    import aiohttp
    import urllib3

    governed(POLICY)
    url = provider.openai_base_url + "/chat/completions"
    if library == "urllib3":
        manager = urllib3.PoolManager()
        manager.request("POST", url, json=ALLOWED)  # a kept-alive connection
        pool = urllib3.connectionpool.HTTPConnectionPool
        pool.urlopen = pool.__dict__["urlopen"].__aigov_original__
        with pytest.raises(aigov.PolicyViolation) as refused:
            manager.request("POST", url, json=DENIED)
    else:

        async def go() -> None:
            async with aiohttp.ClientSession() as session:
                async with session.post(url, json=ALLOWED) as reply:
                    await reply.read()
                aiohttp.ClientSession._request = aiohttp.ClientSession.__dict__["_request"].__aigov_original__
                async with session.post(url, json=DENIED) as reply:
                    await reply.read()

        with pytest.raises(aigov.PolicyViolation) as refused:
            asyncio.run(go())
    assert refused.value.rule == "governance.tampered"
    assert len(provider.received) == 1  # only the call before the change


def test_when_aigov_is_disabled_in_a_shell_then_load_ext_loads_it_again(tmp_path, monkeypatch, provider):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("AIGOV_EVIDENCE_DIR", str(tmp_path))
    monkeypatch.setenv("AIGOV_NOTEBOOK", str(tmp_path / "x.ipynb"))
    (tmp_path / "aigov.yaml").write_text(POLICY)
    monkeypatch.setenv("AIGOV_POLICY", str(tmp_path / "aigov.yaml"))
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "aigov")
        aigov.disable()
        assert "aigov" not in shell.extension_manager.loaded
        shell.run_line_magic("load_ext", "aigov")
        assert aigov.status()["enabled"]
        with pytest.raises(aigov.PolicyViolation):
            httpx.post(provider.openai_base_url + "/chat/completions", json=DENIED)
    finally:
        shell.run_line_magic("unload_ext", "aigov")
        InteractiveShell.clear_instance()
    assert not aigov.status()["enabled"]


def test_when_a_layer_module_name_is_rebound_then_it_is_put_back_and_the_connection_refused(governed, provider):
    from jupyter_aigov.intercept import httpx_family

    governed(POLICY)
    original = httpx_family.deciding_pipeline
    httpx_family.deciding_pipeline = lambda: None  # the layer would ask no one: found before the connection opens
    try:
        with pytest.raises(aigov.PolicyViolation) as refused:
            httpx.post(provider.openai_base_url + "/chat/completions", json=ALLOWED)
    finally:
        put_back = httpx_family.deciding_pipeline
        httpx_family.deciding_pipeline = original
    assert put_back is original and refused.value.rule == "governance.tampered"
    assert provider.received == []
    (tampered,) = governed.records("governance.tampered")
    assert "httpx_family.deciding_pipeline was rebound" in tampered["reason"]


def test_when_a_layer_module_name_is_rebound_then_a_kept_alive_connection_is_refused_too(governed, provider):
    from jupyter_aigov.intercept import httpx_family

    governed(POLICY)
    original = httpx_family.deciding_pipeline
    with httpx.Client() as client:
        client.post(provider.openai_base_url + "/chat/completions", json=ALLOWED)  # a kept-alive connection
        httpx_family.deciding_pipeline = lambda: None
        try:
            with pytest.raises(aigov.PolicyViolation) as refused:
                client.post(provider.openai_base_url + "/chat/completions", json=ALLOWED)
        finally:
            put_back = httpx_family.deciding_pipeline
            httpx_family.deciding_pipeline = original
    assert put_back is original and refused.value.rule == "governance.tampered"
    assert len(provider.received) == 1  # only the call before the change
