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
        "in Abc de Abc " * 1500,  # place words after a cue, joined by particles
        "PO Box 12\nRD 4\nAbc 1234\n" * 800,  # postal lines that all join one block
        "Alpha Beta, " * 3000,  # one long prose list: the list-of-terms rule reads a window, not the whole list
        "# " + "Abc Def " * 4000,  # one long heading line
        "Cl. 9 Bis U # 25-4 Este, " * 1000,
    ],
)
def test_when_text_is_built_to_backtrack_then_analysis_still_finishes(model_engine: DetectionEngine, text: str) -> None:
    model_engine.cache.clear()
    model_engine.analyze(text, DEFAULT_DETECTED)  # raises DetectionFailed past the deadline
