"""Inputs built to make a recognizer backtrack: each finishes well inside the engine's deadline (30 s here).

Before the fixes, "Abc-" x 100 took 11 s in the address patterns (exponential: a hyphen both inside a name and
between names) and 12,800 digits took 2 s in the name filter (quadratic), so these sizes could not finish.
"""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction import DEFAULT_DETECTED, DetectionEngine


@pytest.mark.parametrize(
    "text",
    [
        "Abc-" * 2000,  # hyphenated capitalised words, no number: the street and postcode-line patterns
        "Ab-cd " * 1500 + "12345",
        "1" * 60000,  # one long digit run spaCy may call a name: the name filter's leading-number cut
        "Abc." * 2000,
        "O'Br-" * 1500,
    ],
)
def test_when_text_is_built_to_backtrack_then_analysis_still_finishes(model_engine: DetectionEngine, text: str) -> None:
    model_engine.cache.clear()
    model_engine.analyze(text, DEFAULT_DETECTED)  # raises DetectionFailed past the deadline
