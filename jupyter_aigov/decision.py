"""The checks an AI call goes through, in order; the first refusal decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from .policy import decide_model
from .providers.base import AIRequest
from .tools.verdict import decide_tool

if TYPE_CHECKING:
    from .inventory.enforcement import RegistrationCheck


@dataclass(frozen=True)
class Decision:
    """allow or block, with the rule ids that decided and one human sentence."""

    decision: str  # "allow" | "block" (issue-3 redaction adds "redact")
    rules: list[str] = field(default_factory=list)
    reason: str = ""
    hint: str = ""

    @property
    def blocked(self) -> bool:
        return self.decision == "block"


Check = Callable[[AIRequest, Any, "CallContext"], Decision | None]


@dataclass(frozen=True)
class CallContext:
    """What the checks know about the caller."""

    user: str
    use_case: str | None
    registrations: RegistrationCheck | None = None  # the inventory, when require_registered_model is on


def check_use_case(call: AIRequest, effective: Any, ctx: CallContext) -> Decision | None:
    """Refuse when a use case is required but not declared, unknown, or not open to this user."""
    problem = effective.use_case_problem
    if problem is None:
        return None
    return Decision("block", [problem.rule], problem.reason, problem.hint)


def check_model(call: AIRequest, effective: Any, ctx: CallContext) -> Decision | None:
    """Refuse models the policy denies or does not allow."""
    verdict = decide_model(effective, call.provider, call.model)
    if verdict.allowed:
        return Decision("allow", [verdict.rule], verdict.reason)
    return Decision("block", [verdict.rule], verdict.reason, verdict.hint)


def check_tool_definitions(call: AIRequest, effective: Any, ctx: CallContext) -> Decision | None:
    """Refuse a request that offers the model a forbidden tool (unless the policy strips it instead)."""
    if not call.tools or effective.tools.on_forbidden_definition != "refuse":
        return None
    for name in call.tools:
        verdict = decide_tool(effective, name)
        if not verdict.allowed:
            reason = f"The request offers the model a forbidden tool. {verdict.reason}"
            hint = f"{verdict.hint} Or set tools.on_forbidden_definition: strip to send the request without it."
            return Decision("block", [verdict.rule], reason, hint)
    return None


def check_registration(call: AIRequest, effective: Any, ctx: CallContext) -> Decision | None:
    """With require_registered_model, refuse models without a registration and an approved assessment in force."""
    if not effective.require_registered_model:
        return None
    if ctx.registrations is None:  # the gateway could not open the inventory: fail closed
        return Decision("block", ["inventory.unregistered"], "The inventory could not be opened.", "")
    verdict = ctx.registrations.verdict(call.provider, call.model, ctx.use_case, date.today())
    if verdict.allowed:
        return Decision("allow", [verdict.rule], verdict.reason)
    key = effective.origin("require_registered_model")
    hint = f"{verdict.hint} (The policy requires it: {key} in {effective.source}.)"
    return Decision("block", [verdict.rule], verdict.reason, hint)


CHECKS: tuple[Check, ...] = (check_use_case, check_model, check_registration, check_tool_definitions)


def decide(call: AIRequest, effective: Any, ctx: CallContext) -> Decision:
    """Run every check; the first block wins, else the call is allowed with the rules that passed it."""
    passed: list[str] = []
    reasons: list[str] = []
    for check in CHECKS:
        verdict = check(call, effective, ctx)
        if verdict is None:
            continue
        if verdict.blocked:
            return verdict
        passed.extend(verdict.rules)
        reasons.append(verdict.reason)
    return Decision("allow", passed, " ".join(reasons) or "Allowed by policy.")
