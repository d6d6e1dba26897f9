"""The pre-send checks an AI call goes through, in order; the first refusal decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..policy import EffectivePolicy, decide_model
from ..providers.base import AIRequest
from ..tools.rules import decide_tool
from ..verdict import Verdict

if TYPE_CHECKING:
    from ..inventory.enforcement import RegistrationCheck


@dataclass(frozen=True)
class CallContext:
    """What the checks know about the caller."""

    user: str
    use_case: str | None
    registrations: RegistrationCheck | None = None  # the inventory, when require_registered_model is on
    plugin_checks: tuple[Check, ...] = ()  # the policy's plugins' checks (plugins/checks.py), run after CHECKS


Check = Callable[[AIRequest, EffectivePolicy, CallContext], Verdict | None]


def check_use_case(call: AIRequest, effective: EffectivePolicy, ctx: CallContext) -> Verdict | None:
    """Refuse when a use case is required but not declared, unknown, or not open to this user."""
    return effective.use_case_problem


def check_model(call: AIRequest, effective: EffectivePolicy, ctx: CallContext) -> Verdict | None:
    """Refuse models the policy denies or does not allow."""
    return decide_model(effective, call.provider, call.model)


def check_tool_definitions(call: AIRequest, effective: EffectivePolicy, ctx: CallContext) -> Verdict | None:
    """Refuse a request that offers the model a forbidden tool (unless the policy strips it instead)."""
    if not call.tools or effective.tools.on_forbidden_definition != "refuse":
        return None
    for name in call.tools:
        verdict = decide_tool(effective, name)
        if verdict.blocked:
            reason = f"The request offers the model a forbidden tool. {verdict.reason}"
            hint = f"{verdict.hint} Or set tools.on_forbidden_definition: strip to send the request without it."
            return Verdict.block(verdict.rule, reason, hint)
    return None


def check_registration(call: AIRequest, effective: EffectivePolicy, ctx: CallContext) -> Verdict | None:
    """With require_registered_model, refuse models without a registration and an approved assessment in force."""
    if not effective.require_registered_model:
        return None
    if ctx.registrations is None:  # the gateway could not open the inventory: fail closed
        return Verdict.block("inventory.unregistered", "The inventory could not be opened.")
    verdict = ctx.registrations.verdict(call.provider, call.model, ctx.use_case, date.today())
    if verdict.allowed:
        return verdict
    key = effective.origin("require_registered_model")
    hint = f"{verdict.hint} (The policy requires it: {key} in {effective.source}.)"
    return Verdict.block(verdict.rule, verdict.reason, hint)


CHECKS: tuple[Check, ...] = (check_use_case, check_model, check_registration, check_tool_definitions)


def decide(call: AIRequest, effective: EffectivePolicy, ctx: CallContext) -> Verdict:
    """Run every check; the first block wins, else the call is allowed with the rules that passed it.

    Plugins' checks run last: they can add a refusal, never lift one.
    """
    passed: list[str] = []
    reasons: list[str] = []
    for check in (*CHECKS, *ctx.plugin_checks) if ctx.plugin_checks else CHECKS:
        verdict = check(call, effective, ctx)
        if verdict is None:
            continue
        if verdict.blocked:
            return verdict
        passed.extend(verdict.rules)
        reasons.append(verdict.reason)
    return Verdict("allow", tuple(passed), " ".join(reasons) or "Allowed by policy.")
