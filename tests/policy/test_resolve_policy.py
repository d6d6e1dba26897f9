"""The policy in force for a user and use case: overrides merged, refusals said in a sentence."""

from __future__ import annotations

import gc
import textwrap

import pytest

import jupyter_aigov.policy.resolve as resolve_module
from aigov_core.policy import Policy, parse_policy_text
from jupyter_aigov.policy import for_context

POLICY = textwrap.dedent(
    """\
    version: 1
    require_registered_model: false
    models: {allow: [gpt-4o-mini, "claude-*"], deny: ["*-realtime*"]}
    redaction:
      entities: {PERSON: redact, SECRET: block}
      restore_in_response: true
      allow_terms: [Acme]
    tools: {allow: ["search_*"], deny: [run_shell]}
    budgets: {usd_per_day: 5.0, requests_per_minute: 60}
    routes:
      - {match: "gpt-*", to: {base_url: "https://a.example/v1"}}
    use_cases:
      churn-analysis:
        users: ["*"]
        description: Predict churn from support tickets.
        models: {allow: [gpt-4o-mini]}
        redaction:
          entities: {PERSON: allow, PHONE_NUMBER: block}
        budgets: {usd_per_day: 1.0}
        require_registered_model: true
      hr-review:
        users: [alice, "hr-*"]
        tools: {allow: []}
        routes: []
    """
)


@pytest.fixture
def policy() -> Policy:
    return parse_policy_text(POLICY, "aigov.yaml")


def test_when_no_use_case_is_declared_then_the_top_level_is_in_force(policy: Policy) -> None:
    effective = for_context(policy, "ana", None)

    assert effective.use_case_problem is None and effective.use_case_error is None
    assert effective.models == policy.models
    assert effective.budgets.usd_per_day == 5.0
    assert effective.origin("models.allow") == "models.allow"


def test_when_a_use_case_overrides_keys_then_only_those_keys_change(policy: Policy) -> None:
    effective = for_context(policy, "ana", "churn-analysis")

    assert effective.models.allow == ["gpt-4o-mini"]
    assert effective.models.deny == ["*-realtime*"]  # kept: the use case only narrowed allow
    assert effective.budgets.usd_per_day == 1.0
    assert effective.budgets.requests_per_minute == 60
    assert effective.require_registered_model is True
    assert effective.tools == policy.tools
    assert effective.origin("models.allow") == "use_cases.churn-analysis.models.allow"
    assert effective.origin("models.deny") == "models.deny"


def test_when_a_use_case_sets_entities_then_they_merge_per_entity(policy: Policy) -> None:
    redaction = for_context(policy, "ana", "churn-analysis").redaction

    assert redaction.entities == {"PERSON": "allow", "SECRET": "block", "PHONE_NUMBER": "block"}
    assert redaction.allow_terms == ["Acme"]
    assert redaction.restore_in_response is True


def test_when_a_use_case_empties_a_list_then_the_empty_list_is_in_force(policy: Policy) -> None:
    effective = for_context(policy, "alice", "hr-review")

    assert effective.tools.allow == [] and effective.tools.deny == ["run_shell"]
    assert effective.routes == ()


@pytest.mark.parametrize(
    ("require", "user", "use_case", "rule", "says"),
    [
        (False, "ana", None, None, None),
        (True, "ana", None, "use_case.required", "until a use case is declared"),
        (False, "ana", "fraud", "use_case.unknown", "Use case 'fraud' is not declared"),
        (False, "bob", "hr-review", "use_case.user_not_listed", "User 'bob' is not listed"),
        (False, "hr-carol", "hr-review", None, None),
        (False, "Alice", "hr-review", "use_case.user_not_listed", "User 'Alice'"),  # globs are case-sensitive
        (True, "alice", "hr-review", None, None),
    ],
)
def test_when_the_use_case_cannot_be_used_then_the_refusal_says_which_rule(
    require: bool, user: str, use_case: str | None, rule: str | None, says: str | None
) -> None:
    policy = parse_policy_text(POLICY.replace("version: 1", f"version: 1\nrequire_use_case: {require}"), "aigov.yaml")

    refusal = for_context(policy, user, use_case).use_case_problem

    assert (refusal.rule if refusal else None) == rule
    if refusal is not None and says is not None:
        assert says in refusal.reason
        assert refusal.reason.endswith(".") and refusal.hint


def test_when_a_use_case_is_refused_then_its_overrides_are_not_applied(policy: Policy) -> None:
    effective = for_context(policy, "bob", "hr-review")

    assert effective.tools == policy.tools


def test_when_the_policy_declares_no_use_cases_then_any_name_is_a_label() -> None:
    policy = parse_policy_text("version: 1\n", "aigov.yaml")

    effective = for_context(policy, "ana", "quarterly-report")

    assert effective.use_case_problem is None and effective.use_case == "quarterly-report"


def test_when_the_same_context_is_asked_twice_then_the_cached_object_is_returned(policy: Policy) -> None:
    assert for_context(policy, "ana", "churn-analysis") is for_context(policy, "ana", "churn-analysis")
    assert for_context(policy, "ana", None) is not for_context(policy, "bob", None)


def test_when_the_source_is_renamed_then_the_context_is_resolved_again_and_hints_name_it(policy: Policy) -> None:
    before = for_context(policy, "bob", "hr-review")

    after = for_context(policy.with_source("team/aigov.yaml"), "bob", "hr-review")

    assert after is not before
    assert after.use_case_problem is not None and "team/aigov.yaml" in after.use_case_problem.hint


def test_when_a_policy_is_dropped_then_its_cached_contexts_go_with_it() -> None:
    # the cache lives beside the policy (aigov_core's document knows nothing of it), keyed by the policy's id
    policy = parse_policy_text("version: 1\n", "aigov.yaml")
    for_context(policy, "ana", None)
    key = id(policy)
    assert key in resolve_module._CONTEXTS

    del policy
    gc.collect()

    assert key not in resolve_module._CONTEXTS
