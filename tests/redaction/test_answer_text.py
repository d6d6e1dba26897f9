"""The text side of scanning answers: how much of a growing text is released, and findings masked."""

from __future__ import annotations

import json

import pytest

from jupyter_aigov.redaction.answer_text import (
    HOLD_CHARS,
    HOLD_TOKEN_CHARS,
    marker,
    mask,
    outside_placeholders,
    release_point,
)
from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.redaction.placeholders import PLACEHOLDER_PATTERN

KEY = "sk-proj-4fT9aQ2LmZ8xW1cV7bN3kJ6hG5dS0pR2"


@pytest.mark.parametrize(
    ("text", "released"),
    [
        ("Here is the key", ""),  # no sentence end yet: a name or key may continue
        ("Here it is. The key is sk-pro", "Here it is. "),
        ("One.\nTwo! Three? Fo", "One.\nTwo! Three? "),
        ('He said "stop." Then', 'He said "stop." '),
        ("mail frank.holt@example.com and", ""),  # a dot inside a word is no break
        ("line one\nline two", "line one\n"),
        ("password: hunter2 and", ""),  # a colon keeps a keyword with its value
        (f"See {KEY}.", ""),  # a key at a sentence's end waits for what follows
        ("Done. -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAAB. x", "Done. "),  # a key block is held whole
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\nok", None),
    ],
)
def test_when_text_grows_then_it_is_released_up_to_its_last_line_or_sentence_end(text: str, released: str | None):
    expected = len(text) - len("ok") if released is None else len(released)
    assert release_point(text) == expected


def test_when_text_runs_long_without_a_break_then_it_is_released_up_to_its_last_space():
    text = "word " * (HOLD_CHARS // 5 + 10) + "tail"
    assert release_point(text) == len(text) - len("tail")
    blob = "A" * (HOLD_TOKEN_CHARS + HOLD_CHARS + 1)
    assert release_point(blob) == len(blob)  # no space at all: released whole rather than held without end


def test_when_text_is_a_tool_calls_json_then_it_is_held_to_its_end():
    assert release_point('{"to": "jo@example.com", "note": "ok. then"}', json_text=True) == 0


def test_when_findings_are_masked_then_each_becomes_its_types_marker():
    text = f"Use {KEY} and write to jo@example.com."
    found = [Finding("SECRET", 4, 4 + len(KEY), 0.9), Finding("EMAIL_ADDRESS", text.index("jo@"), len(text) - 1, 1)]
    assert mask(text, found) == "Use <SECRET> and write to <EMAIL_ADDRESS>."


def test_when_a_finding_in_json_text_takes_a_quote_then_the_json_stays_valid():
    text = json.dumps({"key": KEY})
    start = text.index(KEY) - 1  # the analyzer took the opening quote too
    masked = mask(text, [Finding("SECRET", start, start + len(KEY) + 2, 0.9)], json_text=True)
    assert json.loads(masked) == {"key": "<SECRET>"}


@pytest.mark.parametrize("entity", ["SECRET", "US_SSN", "BADGE_2", "e-mail"])
def test_when_an_entity_is_masked_then_its_marker_is_never_a_placeholder_restore_would_fill(entity: str):
    assert PLACEHOLDER_PATTERN.fullmatch(marker(entity)) is None
    assert marker(entity).startswith("<") and marker(entity).endswith(">")


def test_when_a_finding_touches_a_placeholder_then_it_is_the_callers_own_value():
    text = "Dear <PERSON_1>, Frank says hi"
    found = [Finding("PERSON", 5, 15, 0.8), Finding("PERSON", 17, 22, 0.8), Finding("ORG", 0, 10, 0.8)]
    assert outside_placeholders(text, found) == [Finding("PERSON", 17, 22, 0.8)]
