"""A patched module reloaded (`importlib.reload`) is patched again: the classes it defines anew are governed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\nredaction:\n  entities: {}\n"

# run in a process of its own: a reload leaves the module's new classes beside the old ones for good
RELOADED = """
import importlib, json, os, sys
import aigov
import {module}, urllib.request
aigov.enable()
old = {owner}
importlib.reload({module})
assert {owner} is not old, "the reload defined the class anew"
outcomes = []
for model in ("gpt-4o", "gpt-4o-mini"):
    try:
        {call}
        outcomes.append("sent")
    except aigov.PolicyViolation as refused:
        outcomes.append(refused.rule)
aigov.disable()
restored = getattr({owner}, "{method}")
print(json.dumps({{"outcomes": outcomes, "restored": not hasattr(restored, "__aigov_original__")}}))
"""
URL = 'os.environ["PROVIDER"] + "/chat/completions"'
BODY = '{"model": model, "messages": [{"role": "user", "content": "hi"}]}'
CASES = {
    "httpx._client": (
        "httpx._client.Client",
        "_send_single_request",
        f"httpx._client.Client().post({URL}, json={BODY})",
    ),
    "http.client": (
        "http.client.HTTPConnection",
        "putrequest",
        f"urllib.request.urlopen(urllib.request.Request({URL}, data=json.dumps({BODY}).encode())).read()",
    ),
    "requests.adapters": (
        "requests.adapters.HTTPAdapter",
        "send",
        f"requests.post({URL}, json={BODY}, timeout=10)",
    ),
}


@pytest.mark.parametrize("module", list(CASES))
def test_when_a_patched_module_is_reloaded_then_a_denied_model_is_still_refused_once(tmp_path, provider, module):
    owner, method, call = CASES[module]
    (tmp_path / "aigov.yaml").write_text(POLICY)
    env = {
        **os.environ,
        "AIGOV_POLICY": str(tmp_path / "aigov.yaml"),
        "AIGOV_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "AIGOV_NOTEBOOK": str(tmp_path / "analysis.ipynb"),
        "PROVIDER": provider.openai_base_url,
    }
    script = RELOADED.format(module=module, owner=owner, method=method, call=call)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {"outcomes": ["models.allow", "sent"], "restored": True}
    assert len(provider.received) == 1  # the allowed call only
    log = tmp_path / "evidence" / "analysis.jsonl"
    calls = [r for r in map(json.loads, log.read_text().splitlines()) if r["event"] == "ai.call"]
    assert [(c["decision"], c["model"]) for c in calls] == [("block", "gpt-4o"), ("allow", "gpt-4o-mini")]
