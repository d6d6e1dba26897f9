"""Which models may be called: deny wins, empty allow allows all, globs over model or provider/model."""

from __future__ import annotations

import pytest

from aigov_core.policy import parse_policy_text
from jupyter_aigov.policy import GlobSet, decide_model, for_context

POLICY = """\
version: 1
models:
  allow: [gpt-4o-mini, "claude-*", "ollama/*"]
  deny: ["*-realtime*"]
use_cases:
  churn-analysis:
    users: ["*"]
    models: {allow: [gpt-4o-mini]}
  open:
    users: ["*"]
    models: {allow: [], deny: []}
"""


@pytest.mark.parametrize(
    ("use_case", "provider", "model", "allowed", "rule", "pattern"),
    [
        (None, "openai", "gpt-4o-mini", True, "models.allowed", "gpt-4o-mini"),
        (None, "anthropic", "claude-3-5-sonnet", True, "models.allowed", "claude-*"),
        (None, "ollama", "llama3", True, "models.allowed", "ollama/*"),  # matched as provider/model
        (None, "openai", "gpt-4o", False, "models.allow", None),
        (None, "openai", "gpt-4o-realtime-preview", False, "models.deny", "*-realtime*"),
        (None, "ollama", "x-realtime", False, "models.deny", "*-realtime*"),  # deny wins over allow
        (None, "openai", "GPT-4O-MINI", False, "models.allow", None),  # case-sensitive
        # a glob without '/' never matches across it: 'claude-*' is not 'claude-compatible/gpt-4o'
        (None, "claude-compatible", "gpt-4o", False, "models.allow", None),
        (None, "openrouter", "meta-llama/llama-3", False, "models.allow", None),
        (None, "openai", None, False, "models.allow", None),  # unreadable model, allow list set
        ("churn-analysis", "anthropic", "claude-3-5-sonnet", False, "models.allow", None),
        ("churn-analysis", "openai", "gpt-4o-mini", True, "models.allowed", "gpt-4o-mini"),
        ("open", "openai", "gpt-4o-realtime", True, "models.allowed", None),
        ("open", "openai", None, True, "models.allowed", None),  # unreadable model, no allow list
    ],
)
def test_when_a_model_is_decided_then_the_rule_matches_the_table(
    use_case: str | None, provider: str, model: str | None, allowed: bool, rule: str, pattern: str | None
) -> None:
    effective = for_context(parse_policy_text(POLICY, "aigov.yaml"), "ana", use_case)

    decision = decide_model(effective, provider, model)

    assert (decision.allowed, decision.rule) == (allowed, rule)
    # the glob that decided is named in the reason (the verdict has no field for it), and none when none did
    named = [
        glob
        for glob in ("gpt-4o-mini", "claude-*", "ollama/*", "*-realtime*")
        if f"'{glob}' in" in decision.reason or f"pattern '{glob}'" in decision.reason
    ]
    assert named == ([] if pattern is None else [pattern])
    assert decision.reason.endswith(".") and decision.reason.count(". ") == 0
    assert bool(decision.hint) is not allowed


def test_when_a_model_is_not_in_a_use_case_allow_list_then_the_sentence_names_both() -> None:
    effective = for_context(parse_policy_text(POLICY, "aigov.yaml"), "ana", "churn-analysis")

    decision = decide_model(effective, "openai", "gpt-4o")

    assert decision.reason == (
        "Model 'gpt-4o' is not in the allowed models of use case 'churn-analysis' (allowed: gpt-4o-mini)."
    )
    assert "use_cases.churn-analysis.models.allow in aigov.yaml" in decision.hint


def test_when_a_model_is_denied_then_the_glob_and_the_key_to_change_are_named() -> None:
    effective = for_context(parse_policy_text(POLICY, "aigov.yaml"), "ana", None)

    decision = decide_model(effective, "openai", "gpt-4o-realtime")

    assert "'*-realtime*'" in decision.reason
    assert "models.deny in aigov.yaml" in decision.hint


def test_when_the_same_model_is_decided_twice_then_the_cached_decision_is_reused() -> None:
    effective = for_context(parse_policy_text(POLICY, "aigov.yaml"), "ana", None)

    assert decide_model(effective, "openai", "gpt-4o") is decide_model(effective, "openai", "gpt-4o")


@pytest.mark.parametrize(
    ("globs", "candidates", "expected"),
    [
        ([], ("a",), None),
        (["gpt-*", "claude-*"], ("claude-3",), "claude-*"),
        (["ollama/*"], ("llama3", "ollama/llama3"), "ollama/*"),
        (["a[b"], ("a[b",), "a[b"),  # an unbalanced bracket is a literal, not an error
        (["x?"], ("x\n",), "x?"),
        (["Gpt-*"], ("gpt-4",), None),
    ],
)
def test_when_globs_are_matched_then_the_first_matching_glob_is_named(
    globs: list[str], candidates: tuple[str, ...], expected: str | None
) -> None:
    assert GlobSet(globs).match(*candidates) == expected


def test_when_the_use_case_is_a_free_label_then_the_sentence_speaks_of_the_policy() -> None:
    effective = for_context(parse_policy_text("version: 1\nmodels: {allow: [a]}\n", "aigov.yaml"), "ana", "label")

    assert "allowed models of the policy" in decide_model(effective, "openai", "b").reason
