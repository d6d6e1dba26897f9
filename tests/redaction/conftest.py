"""Fixtures: a pattern-only engine (fast, no spaCy model) and the real model, loaded once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jupyter_aigov.redaction import DetectionEngine


@pytest.fixture(scope="session")
def pattern_engine() -> Iterator[DetectionEngine]:
    """An engine whose model name matches nothing installed: patterns only."""
    engine = DetectionEngine("aigov_no_such_model")
    assert engine.wait_ready(60), engine.status()
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def model_engine() -> Iterator[DetectionEngine]:
    """An engine on the real default spaCy model."""
    engine = DetectionEngine("en_core_web_sm", deadline_ms=30_000)
    assert engine.wait_ready(120), engine.status()
    yield engine
    engine.close()
