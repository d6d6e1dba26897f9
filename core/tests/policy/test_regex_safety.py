"""The static backtracking check: the catastrophic forms are refused, the patterns teams write pass, quickly."""

from __future__ import annotations

import time

import pytest

from aigov_core.policy.regex_safety import MAX_POSITIONS, backtracking_risk

CATASTROPHIC = [
    r"(a+)+",  # nested unbounded quantifiers
    r"(a+)+b",
    r"(\w+\s?)*",
    r"(\w+\s?)*$",
    r"(\s*\w+\s*)+$",
    r"(\w+\d+)+",
    r"(?:x+x+)+y",
    r"(a*)*b",
    r"(a*b*)*",
    r"(\d{1,3},?)+",  # a counted repeat inside an unbounded one, with an optional separator
    r"(a|a)*",  # quantified alternations whose branches overlap
    r"(ab|ab)*",
    r"(\d|\d\d)+",
    r"(a|aa)+",
    r"([A-Z]|[A-Z0-9])+",
    r"(?i)(a|A)+",  # overlap only once case is ignored
    r"(?:[|]|\|)+",
    r"(.*a){20}",  # a loop repeated many times is checked as repeated without bound
    r"(?:\d+\s?){4}",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"(?=(a+)+b)c",  # inside a lookaround
    r"EMP-(?!(\d+)+x)\d{6}",
]

SAFE = [
    r"\bEMP-\d{6}\b",
    r"\b[A-Z]{2}\d{6}\b",
    r"(?i)project\s+(?:bluebird|kestrel)",
    r"(?<!\w)ACME-(?:[A-Z]{3}-)?\d{4,8}(?!\w)",
    r"\bsk-[A-Za-z0-9]{20,64}\b",
    r"[A-Za-z0-9]{40}",
    r"[\w.+-]+@[\w-]+\.[\w.]+",
    r"\d{1,3}(?:,\d{3})*",
    r"(\w+\s)*",  # each character one way: \w and \s do not overlap
    r"(a+b)+",
    r"(a|ab)*c",  # overlapping starts, but every text splits one way only
    r"(?:ab|ac)+",
    r"(?:\d|[a-f])+",
    r"[\w\d]+",  # one character set, however it is written
    r"(?:[a-z]+\.){5}",
    r"(\w+\s?){2}",  # polynomial of degree 2: left to the deadline
    r"\d+\d+\d+[a-z]",  # polynomial: left to the deadline
    r"(a)(?:x|\1)+",
    r"[]|]+",
]


@pytest.mark.parametrize("regex", CATASTROPHIC)
def test_when_a_regex_can_backtrack_catastrophically_then_the_risk_is_named(regex: str) -> None:
    risk = backtracking_risk(regex)

    assert risk is not None
    assert "more than one way inside a repeat" in risk
    assert "rewrite the repeated part" in risk


@pytest.mark.parametrize("regex", SAFE)
def test_when_a_regex_matches_each_text_one_way_then_it_passes(regex: str) -> None:
    assert backtracking_risk(regex) is None


def test_when_a_counted_repeat_expands_too_far_then_it_is_refused_as_too_large_to_check() -> None:
    risk = backtracking_risk(rf"\d{{{MAX_POSITIONS + 1}}}")

    assert risk is not None
    assert "too many to check" in risk
    assert "use smaller repeat counts" in risk


def test_when_patterns_are_checked_then_each_takes_milliseconds() -> None:
    started = time.perf_counter()
    for regex in CATASTROPHIC + SAFE:
        backtracking_risk(regex)

    assert (time.perf_counter() - started) / len(CATASTROPHIC + SAFE) < 0.02
