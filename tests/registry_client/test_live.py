"""Live records: what a governed kernel writes reaches a real registry, through outages, once each."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from jupyter_aigov import governance
from jupyter_aigov.gateway import Gateway
from jupyter_aigov.testing import StandInProvider

from .conftest import Registry, wait_for

HI = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _ask(provider: StandInProvider, model: str = "gpt-4o-mini") -> None:
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=0)
    client.chat.completions.create(model=model, messages=HI)  # type: ignore[arg-type]


def _logged(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _hashes(registry: Registry, token: str) -> list[str]:
    return [item["record_hash"] for item in registry.decisions(token)]


def _arrived(registry: Registry, token: str, log: Path) -> Callable[[], bool]:
    return lambda: sorted(_hashes(registry, token)) == sorted(r["hash"] for r in _logged(log))


def test_when_calls_are_made_then_their_records_reach_the_registry_as_written(
    registry: Registry, governed: Any, provider: StandInProvider
):
    token = registry.token("churn", "submit")
    gateway: Gateway = governed(AIGOV_REGISTRY_URL=registry.url, AIGOV_REGISTRY_TOKEN=token)

    _ask(provider)
    gateway.evidence.flush()

    wait_for(_arrived(registry, token, governed.log_path))
    stored = registry.decisions(token)
    assert [d["event"] for d in stored] == ["extension.load", "policy.load", "ai.call", "ai.response"]
    assert {d["origin"] for d in stored} == {"live"} and stored[2]["model"] == "gpt-4o-mini"
    live = governance.status()["registry"]["live"]
    assert live["sent"] == 4 and live["spooled"] == 0 and live["last_error"] is None


def test_when_the_registry_dies_and_comes_back_then_spooled_records_arrive_once(
    registry: Registry, governed: Any, provider: StandInProvider, tmp_path: Path
):
    token = registry.token("churn", "submit")
    gateway: Gateway = governed(AIGOV_REGISTRY_URL=registry.url, AIGOV_REGISTRY_TOKEN=token)
    _ask(provider)
    gateway.evidence.flush()
    wait_for(_arrived(registry, token, governed.log_path))
    spool = tmp_path / "spool" / "analysis.jsonl"

    registry.kill()
    _ask(provider)
    _ask(provider, "gpt-4o")
    gateway.evidence.flush()
    written = len(_logged(governed.log_path))
    wait_for(lambda: governance.status()["registry"]["live"]["spooled"] == written - 4)
    assert governance.status()["registry"]["live"]["state"] == "spooling"
    assert [r["hash"] for r in map(json.loads, spool.read_text().splitlines())] == [
        r["hash"] for r in _logged(governed.log_path)[4:]
    ]
    registry.start()

    wait_for(_arrived(registry, token, governed.log_path))
    hashes = _hashes(registry, token)
    assert len(hashes) == len(set(hashes)) == written == 8
    wait_for(lambda: not spool.exists())
    assert governance.status()["registry"]["live"]["last_error"] is None


def test_when_the_kernel_stops_while_the_registry_is_down_then_the_next_start_sends_the_spool_first(
    tmp_path: Path, governed: Any, provider: StandInProvider
):
    folder = tmp_path / "registry"
    folder.mkdir()
    later = Registry(folder)  # its URL, not yet served
    env = {"AIGOV_REGISTRY_URL": later.url, "AIGOV_REGISTRY_TOKEN": "not-yet"}
    governed(**env)
    _ask(provider)
    governance.disable()  # flushes what is pending into the spool within its short timeout
    spooled = (tmp_path / "spool" / "analysis.jsonl").read_text().splitlines()
    assert len(spooled) == 5  # extension.load, policy.load, ai.call, ai.response, extension.unload
    try:
        later.start()
        token = later.token("churn", "submit")
        governed(**{**env, "AIGOV_REGISTRY_TOKEN": token})

        wait_for(lambda: len(later.decisions(token)) >= 7)
        events = [d["event"] for d in later.decisions(token)]
        assert events[:5] == ["extension.load", "policy.load", "ai.call", "ai.response", "extension.unload"]
        assert events[5:] == ["extension.load", "policy.load"]
    finally:
        governance.disable()
        later.stop()


def test_when_a_batch_holds_a_forged_record_then_only_it_is_set_aside_and_the_rest_are_stored(
    registry: Registry, governed: Any, provider: StandInProvider, tmp_path: Path
):
    token = registry.token("churn", "submit")
    gateway: Gateway = governed(AIGOV_REGISTRY_URL=registry.url, AIGOV_REGISTRY_TOKEN=token)
    pusher = gateway.evidence.listeners[-1]
    forged = {**_logged(governed.log_path)[0], "user": "eve"}  # its hash no longer matches

    pusher([*_logged(governed.log_path), forged])  # one batch: the registry refuses it whole
    _ask(provider)
    gateway.evidence.flush()

    wait_for(_arrived(registry, token, governed.log_path))
    rejected = tmp_path / "spool" / "analysis.rejected.jsonl"
    assert json.loads(rejected.read_text()) == forged
    live = governance.status()["registry"]["live"]
    assert live["rejected"] == 1 and "does not match its hash" in live["last_error"]


def test_when_a_real_kernel_loads_aigov_then_its_records_reach_the_registry_and_push_sends_its_bundle(
    registry: Registry, provider: StandInProvider, tmp_path: Path
):
    token = registry.token("churn", "submit")
    notebook = new_notebook(
        cells=[
            new_code_cell("%load_ext aigov"),
            new_code_cell(
                "import os, openai\n"
                "client = openai.OpenAI(base_url=os.environ['PROVIDER'], api_key='x', max_retries=0)\n"
                "client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': 'hi'}])\n"
                "print('done')"
            ),
            new_code_cell("import aigov; print(aigov.status()['registry']['url'])"),
            new_code_cell("%aigov push"),
            new_code_cell("%unload_ext aigov"),
        ]
    )
    (tmp_path / "aigov.yaml").write_text("version: 1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_")}
    env |= {
        "JPY_SESSION_NAME": str(tmp_path / "live.ipynb"),
        "AIGOV_USER": "ada",
        "PROVIDER": provider.openai_base_url,
        "AIGOV_REGISTRY_URL": registry.url,
        "AIGOV_REGISTRY_TOKEN": token,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "AIGOV_KEY_DIR": str(tmp_path / "keys"),
    }

    client = NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=env)

    assert notebook.cells[2].outputs[0]["text"].strip() == registry.url
    pushed = "".join(output.get("text", "") for output in notebook.cells[3].outputs)
    bundles = registry.get("/api/v1/bundles", token).json()["items"]
    assert len(bundles) == 1 and f"Bundle {bundles[0]['id']} stored: " in pushed, pushed
    log = tmp_path / ".aigov" / "evidence" / "live.jsonl"
    wait_for(_arrived(registry, token, log))
    events = [d["event"] for d in registry.decisions(token)]
    assert events == ["extension.load", "policy.load", "ai.call", "ai.response", "extension.unload"]
    assert {d["origin"] for d in registry.decisions(token)} == {"live"}  # the bundle's records were there already
    assert not (tmp_path / ".aigov" / "spool" / "live.jsonl").exists()
