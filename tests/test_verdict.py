"""One verdict type: every check and action answers with it, and the exception a block raises follows from it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aigov_core.errors import BudgetExceeded, PolicyViolation, RouteUnsupported, ToolCallBlocked
from aigov_core.policy import parse_policy_text
from jupyter_aigov.inventory.enforcement import RegistrationCheck
from jupyter_aigov.inventory.store import Inventory
from jupyter_aigov.pipeline.checks import CallContext, decide
from jupyter_aigov.policy import decide_model, for_context
from jupyter_aigov.providers import wire_format
from jupyter_aigov.providers.base import AIRequest
from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.redaction.plan import decide as plan_redaction
from jupyter_aigov.redaction.plan import failed
from jupyter_aigov.spend.guard import BudgetGuard
from jupyter_aigov.tools.rules import check_arguments, decide_tool
from jupyter_aigov.verdict import Verdict

POLICY = """
version: 1
require_use_case: true
models: {allow: ['gpt-4o-mini'], deny: ['*-realtime*']}
tools:
  deny: [run_shell]
  arguments: [{tool: run_sql, path: query, deny_pattern: '(?i)drop'}]
budgets: {tokens_per_session: 1}
use_cases: {churn: {users: ['*']}}
"""


def _effective(use_case: str | None = "churn"):
    return for_context(parse_policy_text(POLICY, "aigov.yaml"), "ada", use_case)


def _checks(model: str | None, use_case: str | None) -> Verdict:
    return decide(_call(model), _effective(use_case), CallContext("ada", use_case))


def _redaction(entity: str, action: str, found: bool = True) -> Verdict:
    findings = [[Finding(entity, 0, 4, 1.0)]] if found else [[]]
    return plan_redaction(findings, {entity: action}).verdict(Verdict.allow("models.allowed", "ok"))


def _call(model: str | None = "gpt-4o-mini") -> AIRequest:
    body = {"model": model, "messages": [{"role": "user", "content": "a prompt of several tokens"}]}
    parts = wire_format("openai").text_parts("chat.completions", body)
    return AIRequest("openai", "openai", "chat.completions", model, False, body, parts)


@pytest.mark.parametrize(
    ("verdict", "action", "rules", "refusal"),
    [
        (lambda: decide_model(_effective(), "openai", "gpt-4o-mini"), "allow", ("models.allowed",), PolicyViolation),
        (lambda: decide_model(_effective(), "openai", "gpt-4o"), "block", ("models.allow",), PolicyViolation),
        (lambda: decide_model(_effective(), "openai", "x-realtime-1"), "block", ("models.deny",), PolicyViolation),
        (lambda: _effective(None).use_case_problem, "block", ("use_case.required",), PolicyViolation),
        (lambda: decide_tool(_effective(), "run_shell"), "block", ("tools.deny",), ToolCallBlocked),
        (lambda: decide_tool(_effective(), "search"), "allow", ("tools.allowed",), PolicyViolation),
        (lambda: check_arguments(_effective(), "run_sql", {"query": "DROP t"}), "block", ("tools.arguments",),
         ToolCallBlocked),
        (lambda: _redaction("SECRET", "block"), "block", ("redaction.block",), PolicyViolation),
        (lambda: _redaction("PERSON", "redact"), "redact", ("models.allowed", "redaction.redact"), PolicyViolation),
        (lambda: _redaction("PERSON", "redact", found=False), "allow", ("models.allowed",), PolicyViolation),
        (lambda: failed("TimeoutError"), "block", ("redaction.failed",), PolicyViolation),
        (lambda: _checks("gpt-4o-mini", "churn"), "allow", ("models.allowed",), PolicyViolation),
        (lambda: _checks("gpt-4o", "churn"), "block", ("models.allow",), PolicyViolation),
        (lambda: _checks("gpt-4o-mini", None), "block", ("use_case.required",), PolicyViolation),
    ],
    ids=[
        "model-allowed", "model-not-allowed", "model-denied", "use-case-missing", "tool-denied", "tool-allowed",
        "tool-arguments", "redaction-block", "redaction-redact", "redaction-nothing", "detection-failed",
        "checks-allow", "checks-first-block", "checks-use-case-first",
    ],
)  # fmt: skip
def test_when_a_check_answers_then_it_is_a_verdict_with_its_refusal(verdict, action, rules, refusal) -> None:
    answer = verdict()
    assert isinstance(answer, Verdict)
    assert (answer.action, answer.rules, answer.refusal) == (action, rules, refusal)
    assert answer.reason.strip() and (answer.hint.strip() if answer.blocked else True)
    assert answer.allowed is (action != "block") and answer.blocked is (action == "block")


def test_when_a_registration_is_checked_then_the_verdict_names_the_inventory_rule(tmp_path: Path) -> None:
    inventory = Inventory(tmp_path / "inventory")
    try:
        answer = RegistrationCheck(inventory).verdict("openai", "gpt-4o-mini", None, date.today())
    finally:
        inventory.close()
    assert (answer.action, answer.rule, answer.refusal) == ("block", "inventory.unregistered", PolicyViolation)


def test_when_a_budget_is_spent_then_the_verdict_raises_budget_exceeded(tmp_path: Path) -> None:
    guard = BudgetGuard(tmp_path, "s1", "ada")
    try:
        reservation, answer = guard.reserve(_call(), _effective().budgets, "churn")
    finally:
        guard.close()
    assert reservation is None and answer is not None
    assert (answer.action, answer.rule, answer.refusal) == ("block", "budgets.tokens_per_session", BudgetExceeded)


@pytest.mark.parametrize(
    ("verdict", "exception"),
    [
        (Verdict.block("models.deny", "Denied.", "Use another."), PolicyViolation),
        (Verdict.block("tools.deny", "Denied.", "Use another.", ToolCallBlocked), ToolCallBlocked),
        (Verdict.block("budgets.usd_per_day", "Spent.", "Wait.", BudgetExceeded), BudgetExceeded),
        # the rule's name does not pick the class: a budget-looking rule with the default refusal stays a violation
        (Verdict.block("budgets.custom", "Spent.", "Wait."), PolicyViolation),
    ],
)
def test_when_a_block_is_raised_then_the_class_follows_from_the_verdict(verdict: Verdict, exception: type) -> None:
    record = {"seq": 1}
    raised = verdict.violation(record)
    assert type(raised) is exception
    assert (raised.rule, raised.reason, raised.hint, raised.record) == (
        verdict.rule,
        verdict.reason,
        verdict.hint,
        record,
    )
    assert type(verdict.violation(record, "Said otherwise.")).__name__ == exception.__name__
    assert verdict.violation(None, "Said otherwise.").reason == "Said otherwise."


@pytest.mark.parametrize(
    ("steps", "action", "rules", "reason"),
    [
        ([], "allow", ("models.allowed",), "Allowed."),
        ([("tools.strip", "Removed x.", None)], "allow", ("models.allowed", "tools.strip"), "Allowed. Removed x."),
        ([("redaction.redact", "Replaced y.", "redact")], "redact", ("models.allowed", "redaction.redact"),
         "Allowed. Replaced y."),
        (
            [("tools.strip", "Removed x.", None), ("redaction.redact", "Replaced y.", "redact")],
            "redact", ("models.allowed", "tools.strip", "redaction.redact"), "Allowed. Removed x. Replaced y.",
        ),
    ],
)  # fmt: skip
def test_when_steps_are_taken_then_the_verdict_gathers_their_rules(steps, action, rules, reason) -> None:
    verdict = Verdict.allow("models.allowed", "Allowed.")
    for rule, sentence, new_action in steps:
        verdict = verdict.then(rule, sentence, new_action)
    assert (verdict.action, verdict.rules, verdict.reason) == (action, rules, reason)


def test_when_a_route_cannot_be_followed_its_error_carries_a_rule_for_the_verdict() -> None:
    problem = RouteUnsupported("gpt-*", "Cannot move it.", "Use httpx.")
    verdict = Verdict.block(problem.rule, problem.reason, problem.hint)
    assert (verdict.rule, type(verdict.violation(None))) == ("routes.unsupported", PolicyViolation)
