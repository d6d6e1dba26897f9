"""A real `aigov-registry serve` on a loopback port with a temporary SQLite file, tokens, and real bundles."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from jupyter_aigov.bundle.api import export
from jupyter_aigov.evidence import EvidenceLog
from jupyter_aigov.testing.processes import free_port, stop

COMMAND = str(Path(sys.executable).parent / "aigov-registry")
START_TIMEOUT_S = 30.0


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_")}


class Registry:
    """One `serve` process on a fixed port (so it can be stopped and started again at the same URL)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.database = f"sqlite:///{folder / 'registry.sqlite3'}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Registry:
        """Start serving and wait until it answers."""
        log = open(self.folder / "serve.log", "ab")  # noqa: SIM115 (the process writes to it until it stops)
        self.process = subprocess.Popen(
            [COMMAND, "serve", "--db", self.database, "--port", str(self.port), "--log-level", "warning"],
            stdout=log, stderr=subprocess.STDOUT, env=_clean_env(),
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {(self.folder / 'serve.log').read_text()}")
            try:
                httpx.get(f"{self.url}/api/v1/bundles", timeout=1)  # any answer (a 401) means it serves
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.kill()
        raise AssertionError(f"serve did not answer within {START_TIMEOUT_S} s")

    def stop(self) -> None:
        """Stop it (SIGTERM, then SIGKILL) and wait until it is gone."""
        if self.process is None:
            return
        stop(self.process, timeout_s=10)
        self.process = None

    def kill(self) -> None:
        """Kill it at once, as a crash would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def token(self, team: str, role: str) -> str:
        """A new token made by `aigov-registry token create`."""
        done = subprocess.run(
            [COMMAND, "token", "create", "--team", team, "--role", role, "--db", self.database],
            capture_output=True, text=True, check=True, env=_clean_env(),
        )  # fmt: skip
        return done.stdout.strip()

    def get(self, path: str, token: str, **params: Any) -> httpx.Response:
        """GET an API path with a token."""
        return httpx.get(f"{self.url}{path}", params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def decisions(self, token: str) -> list[dict[str, Any]]:
        """Every decision the token's team holds."""
        answer = self.get("/api/v1/decisions", token, limit=1000)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    def put_policy(self, token: str, text: str, use_case: str | None = None) -> httpx.Response:
        """Set the team's policy (admin token)."""
        return httpx.put(
            f"{self.url}/api/v1/policy",
            params={"use_case": use_case} if use_case else None,
            content=text.encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"},
            timeout=30,
        )


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    """A registry started for one test, stopped after it."""
    folder = tmp_path / "registry"
    folder.mkdir()
    running = Registry(folder).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def make_bundle(tmp_path: Path) -> Callable[[int], Path]:
    """A signed bundle of a project whose log holds ``count`` records, written by the real export."""

    def make(count: int = 3) -> Path:
        project = tmp_path / "project"
        (project / ".aigov" / "evidence").mkdir(parents=True, exist_ok=True)
        (project / "aigov.yaml").write_text("version: 1\n")
        records = [
            {"ts": f"2026-11-01T09:{n:02d}:00.000000Z", "event": "ai.call", "user": "ada", "model": "gpt-4o-mini",
             "provider": "openai", "decision": "allow", "rules": ["models.allow"], "reason": "", "entities": {}}
            for n in range(count)
        ]  # fmt: skip
        with EvidenceLog(project / ".aigov" / "evidence" / "churn.jsonl") as log:
            log.append_all(records)
        env = {**_clean_env(), "AIGOV_KEY_DIR": str(tmp_path / "keys"), "AIGOV_USER": "ada"}
        return export(tmp_path / "audit.zip", source=project, env=env, progress=False).path

    return make


def wait_for(check: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Poll until ``check()`` holds; fail the test naming the time waited."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not true within {timeout_s} s")
