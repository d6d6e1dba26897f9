"""Every error jupyter-aigov raises.

AIGovError                  base of everything the package raises
 +-- PolicyError            a policy file is missing, malformed or invalid
 +-- EvidenceError          the evidence log cannot be written or read
 +-- PolicyViolation        a call (or part of one) was refused by policy
      +-- ToolCallBlocked   a model asked for a tool call that policy forbids
      +-- BudgetExceeded    a token / cost / rate budget is spent
"""

from __future__ import annotations

from typing import Any


class AIGovError(Exception):
    """Base of everything jupyter-aigov raises."""


class PolicyError(AIGovError):
    """A policy file is missing, malformed or invalid; the message names every mistake and its line."""

    def __init__(self, message: str, problems: list[Any] | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])
        self.source = source


class EvidenceError(AIGovError):
    """The evidence log cannot be written or read."""


class PolicyViolation(AIGovError):
    """A call was refused by policy: `.rule`, `.reason` and `.record` say which rule, why, and where it is logged."""

    def __init__(self, rule: str, reason: str, record: dict[str, Any] | None = None, hint: str = "") -> None:
        self.rule = rule
        self.reason = reason
        self.record = record
        self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
        text = f"{self.reason} [rule {self.rule}]"
        if self.hint:
            text += f" To proceed: {self.hint}"
        return text


class ToolCallBlocked(PolicyViolation):
    """A model asked for a tool call that policy forbids."""


class BudgetExceeded(PolicyViolation):
    """A token, cost or rate budget is spent."""
