"""No line of notebook code switches governance off without a record: switches hidden, changed patches found."""

from __future__ import annotations

import importlib
import pkgutil
from contextvars import ContextVar

import httpx
import httpx2
import pytest
import requests

import aigov
import jupyter_aigov
from jupyter_aigov import governance, state
from jupyter_aigov.intercept import scope

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
        found += [(f"{info.name}.{n}", v) for n, v in vars(module).items() if isinstance(v, ContextVar)]
    return found


def test_when_the_old_governing_flag_is_looked_for_then_it_is_gone():
    assert not hasattr(scope, "governing")


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
