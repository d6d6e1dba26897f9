"""The policy's own patterns and deny terms, found through the detection engine like the built-in recognizers."""

from __future__ import annotations

import time
from typing import Any

import pytest
from presidio_analyzer import Pattern

from aigov_core.errors import DetectionFailed, PolicyError
from aigov_core.policy import RedactionSection, parse_policy_text
from aigov_core.policy.regex_safety import backtracking_risk
from jupyter_aigov.redaction.policy_recognizers import DenyTermsRecognizer, TimedPatternRecognizer
from jupyter_aigov.redaction.transit import ExtraRecognizers, engine_for

PATTERN_ONLY = "aigov_no_such_model"  # no spaCy model: the tokenizer alone, fast


def section(**redaction: Any) -> RedactionSection:
    return RedactionSection.model_validate({"nlp_model": PATTERN_ONLY, **redaction})


EMPLOYEES = section(
    entities={"EMPLOYEE_ID": "redact", "PROJECT_CODENAME": "block"},
    patterns=[
        {"name": "employee_id", "regex": r"\bEMP-\d{6}\b", "entity": "EMPLOYEE_ID", "score": 0.4,
         "context": ["employee", "staff"]},
    ],
    deny_terms={"PROJECT_CODENAME": ["Bluebird", "Kestrel Two", "Kestrel Two Alpha"]},
)  # fmt: skip


def found(redaction: RedactionSection, text: str) -> list[tuple[str, str, float]]:
    engine = engine_for(redaction)
    assert engine.wait_ready(60), engine.status()
    wanted = {entity for entity, action in redaction.entities.items() if action != "allow"}
    return [(f.entity, text[f.start : f.end], round(f.score, 2)) for f in engine.analyze(text, wanted)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reassign ticket of employee EMP-123456 today", [("EMPLOYEE_ID", "EMP-123456", 0.75)]),
        ("Staff id: EMP-123456", [("EMPLOYEE_ID", "EMP-123456", 0.75)]),
        ("Reassign ticket EMP-123456 today", []),  # 0.4 is under the 0.5 threshold without a context word
        ("employee EMP-1234567 and emp-123456", []),  # as written: whole ids, case-sensitive
    ],
)
def test_when_a_policy_pattern_has_context_words_then_they_raise_its_score_as_in_presidio(
    text: str, expected: list[tuple[str, str, float]]
) -> None:
    assert found(EMPLOYEES, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Is bluebird's budget approved?", ["bluebird"]),
        ("BLUEBIRD, then Bluebird.", ["BLUEBIRD", "Bluebird"]),
        ("Bluebirds sing", []),  # whole words only
        ("Kestrel  two and kestrel-two-alpha", ["Kestrel  two", "kestrel-two-alpha"]),  # the longest term wins
        ("Kestrel alone", []),
    ],
)
def test_when_a_deny_term_is_in_the_text_then_it_is_found_as_a_whole_word_in_any_case(
    text: str, expected: list[str]
) -> None:
    assert [value for entity, value, score in found(EMPLOYEES, text) if entity == "PROJECT_CODENAME"] == expected


def test_when_a_deny_list_is_long_then_a_text_is_looked_up_word_by_word_in_microseconds() -> None:
    recognizer = DenyTermsRecognizer("CLIENT", [f"client{number} holdings" for number in range(20_000)])
    text = "Summarise the churn features of client19999 Holdings for the quarterly review. " * 40

    started = time.perf_counter()
    results = recognizer.analyze(text, ["CLIENT"])
    elapsed = time.perf_counter() - started

    assert len(results) == 40
    assert elapsed < 0.01  # one alternation regex of 20,000 terms takes over 100 ms here


def test_when_the_policy_changes_its_patterns_then_a_new_engine_is_built() -> None:
    seven_digits = EMPLOYEES.patterns[0].model_copy(update={"regex": r"\bEMP-\d{7}\b"})
    changed = EMPLOYEES.model_copy(update={"patterns": [seven_digits]})
    same = RedactionSection.model_validate(EMPLOYEES.model_dump())

    assert engine_for(same) is engine_for(EMPLOYEES)
    assert engine_for(changed) is not engine_for(EMPLOYEES)
    assert found(changed, "employee EMP-1234567") == [("EMPLOYEE_ID", "EMP-1234567", 0.75)]


def test_when_a_plugins_recognizers_and_the_policys_patterns_are_both_there_then_both_are_found() -> None:
    from presidio_analyzer import PatternRecognizer

    badge = PatternRecognizer("BADGE_NUMBER", patterns=[Pattern("badge", r"\bBDG\d{5}\b", 0.9)])
    plugins = ExtraRecognizers(("badges 1.0",), lambda: [badge])
    redaction = section(
        entities={"EMPLOYEE_ID": "redact", "BADGE_NUMBER": "redact"},
        patterns=[{"name": "employee_id", "regex": r"\bEMP-\d{6}\b", "entity": "EMPLOYEE_ID"}],
    )
    engine = engine_for(redaction, plugins)
    assert engine.wait_ready(60)

    findings = engine.analyze("EMP-123456 wears BDG12345", {"EMPLOYEE_ID", "BADGE_NUMBER"})

    assert [f.entity for f in findings] == ["EMPLOYEE_ID", "BADGE_NUMBER"]


def test_when_a_catastrophic_pattern_is_in_the_policy_then_it_never_gets_to_the_engine() -> None:
    policy = """\
version: 1
redaction:
  entities: {E: block}
  patterns: [{name: slow, regex: '(\\d|\\d\\d)+x', entity: E}]
"""

    with pytest.raises(PolicyError, match="could backtrack catastrophically"):
        parse_policy_text(policy)


@pytest.mark.parametrize(
    ("regex", "text"),
    [(r"(a|a)*$", "a" * 30 + "!"), (r"(\d|\d\d)+$", "1" * 40 + "!"), (r"([A-Z]|[A-Z0-9])+$", "A" * 30 + "!")],
)
def test_when_the_static_check_refuses_an_overlapping_alternation_then_the_regex_module_would_take_seconds(
    regex: str, text: str
) -> None:
    import regex as regex_module

    assert backtracking_risk(regex) is not None
    with pytest.raises(TimeoutError):
        regex_module.search(regex, text, timeout=0.3)


def test_when_a_pattern_past_the_static_check_is_slow_then_the_deadline_refuses_and_detection_recovers() -> None:
    # Polynomial backtracking (three overlapping loops) is left to the deadline: 1,000 digits take seconds.
    slow = section(
        entities={"TICKET": "block"},
        patterns=[{"name": "ticket", "regex": r"\d+\d+\d+[a-z]", "entity": "TICKET"}],
        deadline_ms=300,
    )
    engine = engine_for(slow)
    assert engine.wait_ready(60)

    started = time.monotonic()
    with pytest.raises(DetectionFailed, match=r"took longer than 300 ms \(redaction.deadline_ms\)"):
        engine.analyze("1" * 3000, {"TICKET"})
    assert time.monotonic() - started < 1.5

    time.sleep(0.5)  # the pattern's own time limit has freed the engine's worker
    assert [f.entity for f in engine.analyze("ticket 12345z", {"TICKET"})] == ["TICKET"]


def test_when_a_pattern_runs_past_its_time_limit_then_it_fails_naming_itself_rather_than_skipping() -> None:
    recognizer = TimedPatternRecognizer(
        "TICKET", name="policy pattern ticket", patterns=[Pattern("ticket", r"\d+\d+\d+[a-z]", 0.8)], context=(),
        timeout_s=0.05,
    )  # fmt: skip

    with pytest.raises(DetectionFailed, match="policy pattern ticket took longer than 50 ms"):
        recognizer.analyze("1" * 3000, ["TICKET"])


def test_when_the_real_model_runs_without_its_lemmatizer_then_context_words_still_count_in_any_case() -> None:
    on_model = EMPLOYEES.model_copy(update={"nlp_model": "en_core_web_sm", "deadline_ms": 30_000})

    assert found(on_model, "Our Employee EMP-123456 left.") == [("EMPLOYEE_ID", "EMP-123456", 0.75)]
    assert found(on_model, "Ticket EMP-123456 closed.") == []
