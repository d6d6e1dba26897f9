"""Fixtures for the evidence log tests: small logs on disk and a forked child to run code in."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_aigov.evidence import EvidenceLog


def sample(i: int) -> dict[str, Any]:
    """Return evidence fields shaped like the contract's record."""
    return {
        "event": "ai.call",
        "session": "s-1",
        "user": "alice",
        "notebook": "churn.ipynb",
        "use_case": None,
        "provider": "openai",
        "model": "gpt-4o-mini",
        "decision": "allow",
        "rules": [],
        "reason": f"call {i} allowed",
        "entities": {},
        "usage": {"input_tokens": 10 + i, "output_tokens": 5},
    }


@pytest.fixture
def fields() -> Callable[[int], dict[str, Any]]:
    """Return the function that makes contract-shaped evidence fields for record ``i``."""
    return sample


@pytest.fixture
def make_log(tmp_path: Path) -> Callable[..., Path]:
    """Return a function that writes an intact log of ``n`` records and returns its path."""

    def make(n: int, name: str = "nb.jsonl") -> Path:
        path = tmp_path / name
        with EvidenceLog(path) as log:
            for i in range(n):
                log.append(sample(i), durable=False)
        return path

    return make


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:
        conn.send(("raised", f"{type(exc).__name__}: {exc}"))


@pytest.fixture
def in_child() -> Callable[..., tuple[str, Any]]:
    """Run a function in a forked child process; return ("ok", result) or ("raised", "Type: message")."""
    if sys.platform == "win32":
        pytest.skip("needs fork")
    context = multiprocessing.get_context("fork")

    def run(fn: Callable[..., Any], *args: Any) -> tuple[str, Any]:
        parent, child = context.Pipe()
        process = context.Process(target=_child, args=(child, fn, args))
        process.start()
        outcome = parent.recv() if parent.poll(30) else ("raised", "child timed out")
        process.join(30)
        return outcome

    return run
