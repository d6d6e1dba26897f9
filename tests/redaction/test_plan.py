"""From findings and policy actions to allow / redact / block, with counts and merged spans."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction import Finding, decide, entities_to_detect, merge_spans

ACTIONS = {"SECRET": "block", "PERSON": "redact", "EMAIL_ADDRESS": "redact", "LOCATION": "allow"}


@pytest.mark.parametrize(
    ("findings", "action", "entities"),
    [
        ([[]], "allow", {}),
        ([[Finding("LOCATION", 0, 5, 0.9)]], "allow", {}),
        ([[Finding("PERSON", 0, 5, 0.9)], [Finding("PERSON", 3, 8, 0.9)]], "redact", {"PERSON": 2}),
        ([[Finding("PERSON", 0, 5, 0.9)], [Finding("SECRET", 0, 40, 1.0)]], "block", {"PERSON": 1, "SECRET": 1}),
        ([[Finding("ORGANIZATION", 0, 5, 0.9)]], "allow", {}),
    ],
)
def test_when_findings_meet_actions_then_the_strongest_action_wins(
    findings: list[list[Finding]], action: str, entities: dict[str, int]
) -> None:
    decision = decide(findings, ACTIONS)
    assert (decision.action, decision.entities) == (action, entities)


def test_when_blocked_then_the_blocking_types_are_named() -> None:
    assert decide([[Finding("SECRET", 0, 9, 1.0)]], ACTIONS).blocked_by == ("SECRET",)


def test_when_spans_overlap_then_they_merge_under_the_stronger_action() -> None:
    merged = merge_spans([Finding("PERSON", 0, 10, 0.9), Finding("SECRET", 5, 20, 0.8)], ACTIONS)
    assert merged == [Finding("SECRET", 0, 20, 0.9)]


def test_when_policy_lists_actions_then_only_redact_and_block_are_detected() -> None:
    assert entities_to_detect(ACTIONS) == {"SECRET", "PERSON", "EMAIL_ADDRESS"}
