"""Shared fixtures: one stand-in provider for the session, and governance switched on for one test."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_aigov import governance
from jupyter_aigov.gateway import Gateway
from jupyter_aigov.testing import StandInProvider, fixtures

# the stand-in provider, started once per session, cleared for each test
running_provider = fixtures.running_provider
provider = fixtures.provider


@pytest.fixture
def bedrock(provider: StandInProvider) -> object:
    """A bedrock-runtime client (boto3) pointed at the stand-in provider, with dummy credentials."""
    import boto3

    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=provider.bedrock_endpoint_url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


class Governed:
    """Governance switched on for one test, with its evidence in a temporary folder."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.gateway: Gateway | None = None
        monkeypatch.setenv("AIGOV_EVIDENCE_DIR", str(tmp_path / "evidence"))
        monkeypatch.setenv("AIGOV_NOTEBOOK", str(tmp_path / "analysis.ipynb"))
        monkeypatch.setenv("AIGOV_USER", "ada")
        monkeypatch.setenv("AIGOV_INVENTORY_DIR", str(tmp_path / "inventory"))
        for name in ("AIGOV_POLICY", "AIGOV_USE_CASE", "AIGOV_LOCKED", "JUPYTERHUB_USER", "JPY_SESSION_NAME"):
            monkeypatch.delenv(name, raising=False)

    def __call__(self, policy: str | None = None, **env: str) -> Gateway:
        """Enable governance under this policy text (None: the built-in default)."""
        if policy is not None:
            path = self.tmp_path / "aigov.yaml"
            path.write_text(policy)
            self.monkeypatch.setenv("AIGOV_POLICY", str(path))
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        self.gateway = governance.enable()
        return self.gateway

    @property
    def log_path(self) -> Path:
        return self.tmp_path / "evidence" / "analysis.jsonl"

    def records(self, *events: str) -> list[dict[str, Any]]:
        """The records written so far, only of these events when named."""
        if self.gateway is not None:
            self.gateway.evidence.flush()
        if not self.log_path.exists():
            return []
        rows = [json.loads(line) for line in self.log_path.read_text().splitlines() if line.strip()]
        return [r for r in rows if not events or r["event"] in events]


@pytest.fixture
def governed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Gateway]]:
    """Call it to switch governance on; it is switched off after the test."""
    helper = Governed(tmp_path, monkeypatch)
    yield helper
    governance.disable()


@pytest.fixture
def inheriting_site(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PYTHONPATH under which a Python process runs aigov_inherit.pth at start, as an installed aigov's does.

    The venv's own copy comes with setup (pip install -e); this one is the worktree's, so the tests do not depend on
    a re-install. A second run of the .pth (both present) finds the child governed already and does nothing.
    """
    site_dir = tmp_path_factory.mktemp("site")
    pth = Path(__file__).resolve().parent.parent / "aigov_inherit.pth"
    (site_dir / "aigov_inherit.pth").write_text(pth.read_text())
    (site_dir / "sitecustomize.py").write_text(f"import site\nsite.addsitedir({str(site_dir)!r})\n")
    return os.pathsep.join([str(site_dir), *filter(None, [os.environ.get("PYTHONPATH")])])
