"""The one answer every check and action gives: allow, redact or block, the rules that decided, why, and what to do.

Model, registration, use case, tool, redaction, budget and route checks all return a `Verdict`; so do the checks
of plugins. A blocking verdict names the exception its refusal raises (`refusal`), so the caller catches
`ToolCallBlocked` for a tool, `BudgetExceeded` for a budget and `PolicyViolation` for the rest, whatever rule
decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from aigov_core.errors import PolicyViolation

Action = Literal["allow", "redact", "block"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with a call (or a part of one): `action`, the rule ids that decided, one sentence, a hint."""

    action: Action
    rules: tuple[str, ...] = ()
    reason: str = ""
    hint: str = ""
    refusal: type[PolicyViolation] = PolicyViolation  # the exception a block is raised as

    @classmethod
    def allow(cls, rule: str, reason: str) -> Verdict:
        return cls("allow", (rule,), reason)

    @classmethod
    def block(cls, rule: str, reason: str, hint: str = "", refusal: type[PolicyViolation] = PolicyViolation) -> Verdict:
        return cls("block", (rule,), reason, hint, refusal)

    @property
    def allowed(self) -> bool:
        """Whether the call may go (allowed as it is, or after redaction)."""
        return self.action != "block"

    @property
    def blocked(self) -> bool:
        return self.action == "block"

    @property
    def rule(self) -> str:
        """The rule that decided (the first one named)."""
        return self.rules[0] if self.rules else ""

    def then(self, rule: str, sentence: str, action: Action | None = None) -> Verdict:
        """This verdict with one more step taken (a rule and a sentence added; the action changed when given)."""
        reason = f"{self.reason} {sentence}" if self.reason else sentence
        return Verdict(action or self.action, (*self.rules, rule), reason, self.hint, self.refusal)

    def violation(self, record: dict[str, Any] | None, reason: str | None = None) -> PolicyViolation:
        """The exception that refuses the call, with its evidence record (`reason` to say it otherwise)."""
        return self.refusal(self.rule, self.reason if reason is None else reason, record, self.hint)
