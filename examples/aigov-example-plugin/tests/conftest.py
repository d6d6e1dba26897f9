"""Governance switched on for one test under a policy that lists the example plugin, and a stand-in provider."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_aigov import governance
from jupyter_aigov.testing import fixtures

# the stand-in provider, started once per session, cleared for each test
running_provider = fixtures.running_provider
provider = fixtures.provider


class Governed:
    """aigov.enable() under a policy text, its evidence and the plugin's sink file in a temporary folder."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp_path = tmp_path
        self.sink = tmp_path / "sink.jsonl"
        self.log = tmp_path / "evidence" / "analysis.jsonl"
        for name, value in {
            "AIGOV_EVIDENCE_DIR": str(tmp_path / "evidence"),
            "AIGOV_NOTEBOOK": str(tmp_path / "analysis.ipynb"),
            "AIGOV_USER": "ada",
            "AIGOV_INVENTORY_DIR": str(tmp_path / "inventory"),
            "AIGOV_POLICY": str(tmp_path / "aigov.yaml"),
            "AIGOV_EXAMPLE_SINK": str(self.sink),
            "AIGOV_KEY_DIR": str(tmp_path / "keys"),
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("AIGOV_USE_CASE", "AIGOV_REGISTRY_URL", "AIGOV_SIGNING_KEY", "JPY_SESSION_NAME"):
            monkeypatch.delenv(name, raising=False)

    def __call__(self, policy: str) -> Any:
        (self.tmp_path / "aigov.yaml").write_text(policy)
        return governance.enable()

    def records(self, *events: str) -> list[dict[str, Any]]:
        governance.flush_evidence()
        rows = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [row for row in rows if not events or row["event"] in events]


@pytest.fixture
def governed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Any]]:
    yield Governed(tmp_path, monkeypatch)
    governance.disable()
