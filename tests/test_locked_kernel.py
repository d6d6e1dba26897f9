"""Locked mode in real kernels, driven through nbclient, with aigov loaded from the kernel's config as an
administrator would: nothing the notebook does turns governance off, and every attempt is on record."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\n"
KERNEL_CONFIG = 'c.InteractiveShellApp.extensions = ["aigov"]\n'  # what docs/locked-mode.md tells administrators

CALL = """
import os, json, openai, aigov
client = openai.OpenAI(base_url=os.environ["PROVIDER"], api_key="x", max_retries=0)
def ask(model):
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
        return "answered"
    except aigov.PolicyViolation as refused:
        return f"refused {refused.rule}"
def events(name):
    from jupyter_aigov.governance import flush_evidence
    flush_evidence()
    return [json.loads(line) for line in open(aigov.status()["evidence_log"]) if json.loads(line)["event"] == name]
print(aigov.status()["locked"], aigov.status()["user"])
"""


def _run(
    tmp_path: Path, provider: Any, *sources: str, locked: str = "1", admin_policy: str | None = POLICY
) -> tuple[list[Any], list[dict[str, Any]]]:
    """Run the cells in a kernel whose config loads aigov; the cells, and the records of its evidence log.

    `admin_policy` is the text of the file AIGOV_POLICY names (None: unset); the notebook's folder has an
    aigov.yaml of its own that allows every model.
    """
    notebook = new_notebook(cells=[new_code_cell(s) for s in (CALL, *sources)])
    for cell in notebook.cells:
        cell.metadata["tags"] = ["raises-exception"]  # keep going: the test reads every cell's outputs
    (tmp_path / "aigov.yaml").write_text("version: 1\n")  # the notebook user's own
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "aigov.yaml").write_text(admin_policy or "")
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text(KERNEL_CONFIG)
    env = {
        **os.environ,
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "JPY_SESSION_NAME": str(tmp_path / "analysis.ipynb"),
        "AIGOV_LOCKED": locked,
        "AIGOV_POLICY": str(tmp_path / "admin" / "aigov.yaml"),
        "AIGOV_EVIDENCE_DIR": str(tmp_path / "evidence"),
        "JUPYTERHUB_USER": "grace",
        "AIGOV_USER": "mallory",  # what the notebook's environment claims; a locked kernel's user is the hub's
        "PROVIDER": provider.openai_base_url,
    }
    for name in ("AIGOV_NOTEBOOK", "AIGOV_USE_CASE", "AIGOV_REGISTRY_URL"):
        env.pop(name, None)
    if admin_policy is None:
        del env["AIGOV_POLICY"]
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env=env)
    log = tmp_path / "evidence" / "analysis.jsonl"
    return notebook.cells, [json.loads(line) for line in log.read_text().splitlines()]


def _text(cell: Any) -> str:
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)


def _error(cell: Any) -> Any:
    (error,) = [o for o in cell.outputs if o.output_type == "error"]
    return error


def _attempts(records: list[dict[str, Any]]) -> list[str]:
    return [r["attempt"] for r in records if r["event"] == "governance.locked"]


def test_when_locked_then_unload_disable_and_reload_are_refused_and_recorded(tmp_path, provider):
    cells, records = _run(
        tmp_path,
        provider,
        "%unload_ext aigov",
        "aigov.disable()",
        "%reload_ext aigov",
        "print(aigov.status()['enabled'], ask('gpt-4o'), ask('gpt-4o-mini'))",
    )
    assert _text(cells[0]).startswith("{'by': 'AIGOV_LOCKED=1', 'user': 'grace'} grace")
    for cell in cells[1:4]:
        error = _error(cell)
        assert error.ename == "GovernanceLocked"
        assert "locked by the administrator (AIGOV_LOCKED=1)" in error.evalue and "was refused" in error.evalue
        assert "[rule governance.locked]" in error.traceback[0] and "ask them" in error.traceback[1]
    assert _text(cells[4]).strip() == "True refused models.allow answered"
    assert _attempts(records) == ["`%unload_ext aigov`", "`aigov.disable()`", "`%reload_ext aigov`"]
    assert all(r["decision"] == "block" for r in records if r["event"] == "governance.locked")
    (load,) = [r for r in records if r["event"] == "extension.load"]
    assert load["locked"] == "AIGOV_LOCKED=1" and load["claimed_user"] == "mallory"
    assert {r["user"] for r in records} == {"grace"}  # JUPYTERHUB_USER, not AIGOV_USER
    assert "extension.unload" not in [r["event"] for r in records]


def test_when_locked_then_changing_the_environment_has_no_effect_and_is_recorded(tmp_path, provider):
    cells, records = _run(
        tmp_path,
        provider,
        "os.environ['AIGOV_USER'] = 'mallory2'",  # refused as it happens
        "os.environ._data[b'AIGOV_POLICY'] = b'/tmp/open.yaml'",  # around os.environ: put back at the cell's end
        "print(os.environ['AIGOV_POLICY'], os.environ['AIGOV_USER'])",
        "os.environ._data[b'AIGOV_EVIDENCE_DIR'] = b'/tmp/elsewhere'\nprint(ask('gpt-4o-mini'))\n"
        "print(os.environ['AIGOV_EVIDENCE_DIR'], aigov.status()['user'])",
        "del os.environ['AIGOV_LOCKED']",
        "print(ask('gpt-4o'))",
    )
    error = _error(cells[1])
    assert error.ename == "GovernanceLocked" and "changing AIGOV_USER" in error.evalue
    assert _text(cells[3]).strip() == f"{tmp_path / 'admin' / 'aigov.yaml'} mallory"
    # checked at the AI call: put back before it was decided
    assert _text(cells[4]).splitlines() == ["answered", f"{tmp_path / 'evidence'} grace"]
    assert _error(cells[5]).ename == "GovernanceLocked"
    assert _text(cells[6]).strip() == "refused models.allow"  # the policy read at start still governs
    assert _attempts(records) == [
        f"changing {name} in the kernel's environment"
        for name in ("AIGOV_USER", "AIGOV_POLICY", "AIGOV_EVIDENCE_DIR", "AIGOV_LOCKED")
    ]
    assert not Path("/tmp/elsewhere").exists()
    assert {r["user"] for r in records} == {"grace"}


PLAIN_ASSIGNMENTS = """
from jupyter_aigov import governance, state
gateway = state.active_gateway()
for target, name in [(gateway, "pipeline"), (gateway, "evidence"), (gateway.session, "in_force"),
                     (gateway.pipeline, "tampering"), (gateway.pipeline, "verify_layers"), (gateway, "anything")]:
    try:
        setattr(target, name, None)
        print("set", name)
    except aigov.GovernanceLocked as refused:
        print("refused", refused.attempt)
state._active = None
governance._interceptor = None
governance.locked_mode = lambda: None
try:
    aigov.disable()
except aigov.GovernanceLocked as refused:
    print("refused", refused.attempt)
print(aigov.status()["enabled"], ask("gpt-4o"), ask("gpt-4o-mini"))
"""


def test_when_locked_then_the_governing_state_cannot_be_reached_by_plain_assignment(tmp_path, provider):
    cells, records = _run(tmp_path, provider, PLAIN_ASSIGNMENTS)
    assert _text(cells[1]).splitlines() == [
        "refused setting Gateway.pipeline",
        "refused setting Gateway.evidence",
        "refused setting Session.in_force",
        "refused setting Pipeline.tampering",
        "refused setting Pipeline.verify_layers",
        "refused setting Gateway.anything",
        "refused switching off the gateway that governs this kernel",  # the lock is not a module global
        "True refused models.allow answered",
    ]
    assert len(_attempts(records)) == 7
    assert "governance.tampered" not in [r["event"] for r in records]


def test_when_locked_and_a_patch_is_replaced_then_it_is_recorded_and_ai_calls_are_refused_until_restart(
    tmp_path, provider
):
    cells, records = _run(
        tmp_path,
        provider,
        "import httpx\nhttpx.Client._send_single_request = httpx.Client.__dict__['_send_single_request']"
        ".__aigov_original__",
        "print(json.dumps([r['reason'] for r in events('governance.tampered')]))",  # found at the previous cell's end
        "print(ask('gpt-4o-mini'))",
        "%reload_ext aigov",
        "print(ask('gpt-4o-mini'))",
    )
    (reason,) = json.loads(_text(cells[2]))
    assert "_send_single_request was removed or replaced" in reason and "until the kernel restarts" in reason
    assert _text(cells[3]).strip() == "refused governance.tampered"
    assert _error(cells[4]).ename == "GovernanceLocked"
    assert _text(cells[5]).strip() == "refused governance.tampered"
    calls = [r for r in records if r["event"] == "ai.call"]
    assert [r["rules"] for r in calls] == [["governance.tampered"]] * 2 and provider.received == []
    (tampered,) = [r for r in records if r["event"] == "governance.tampered"]
    assert tampered["decision"] == "block" and tampered["user"] == "grace"


def test_when_not_locked_then_the_kernel_config_loads_aigov_and_unload_works(tmp_path, provider):
    cells, records = _run(
        tmp_path, provider, "%unload_ext aigov", "print(aigov.status()['enabled'], ask('gpt-4o'))", locked="0"
    )
    assert _text(cells[0]).startswith("None mallory")  # AIGOV_USER as the contract says, when not locked
    assert _text(cells[2]).strip() == "False answered"
    assert [r["event"] for r in records][-1] == "extension.unload"


STATUS = "print(aigov.status()['policy'], ask('gpt-4o'))"


def test_when_locked_then_an_aigov_yaml_beside_the_notebook_is_not_read(tmp_path, provider):
    cells, _ = _run(tmp_path, provider, STATUS, admin_policy=None)
    assert _text(cells[1]).strip() == "built-in default answered"  # not the user's file, which allows every model


def test_when_locked_and_the_administrators_policy_does_not_load_then_every_ai_call_is_refused(tmp_path, provider):
    cells, records = _run(
        tmp_path, provider, STATUS, "print(ask('gpt-4o-mini'))", admin_policy="version: 1\nmodles: {}\n"
    )
    assert (
        _text(cells[1])
        .strip()
        .endswith(
            "fail-closed policy (the administrator's policy did not load in this locked kernel) refused models.deny"
        )
    )
    assert _text(cells[2]).strip() == "refused models.deny"
    assert provider.received == []
    (load,) = [r for r in records if r["event"] == "policy.load"]
    assert "fail-closed" in load["policy_source"]
