"""Every error aigov raises, in one tree: the notebook's (jupyter-aigov) and the part it shares (aigov-core).

AIGovError                  base of everything aigov raises
 +-- PolicyError            a policy file is missing, malformed or invalid
 |    +-- PluginError       a plugin the policy lists is not installed, or fails to import or register
 +-- EvidenceError          the evidence log cannot be written or read
 +-- NoEvidenceError        a notebook has no evidence log yet, so there is nothing to export
 +-- InventoryError         a model registration or assessment is invalid, unknown, or cannot be stored
 +-- BundleError            an evidence bundle cannot be exported, or a bundle or signing key is unusable
 +-- RegistryError          the registry refused a request, or could not be reached
 +-- NoRegistryError        no registry is configured to push to
 +-- LedgerError            the budget ledger cannot be read or written
 +-- DetectionFailed        detecting personal data and secrets could not finish (the call fails closed)
 +-- PlaceholderVaultFull   the session's placeholder vault reached its bound
 +-- RouteError             a policy route matches a call but cannot take it where it says
 |    +-- RouteCredentialsMissing   the route's api_key_env names a variable that is not set
 |    +-- RouteUnsupported          the call's operation or wire format cannot be moved as the route says
 +-- PolicyViolation        a call (or part of one) was refused by policy
      +-- ToolCallBlocked   a model asked for a tool call that policy forbids
      +-- BudgetExceeded    a token / cost / rate budget would be overspent
      +-- GovernanceLocked  locked mode: turning governance off, or changing what it started with, was refused
"""

from __future__ import annotations

from typing import Any


class AIGovError(Exception):
    """Base of everything aigov raises."""


class PolicyError(AIGovError):
    """A policy file is missing, malformed or invalid; the message names every mistake and its line."""

    def __init__(self, message: str, problems: list[Any] | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])
        self.source = source


class PluginError(PolicyError):
    """A plugin the policy lists under `plugins:` is not installed, or fails to import or register; nothing loads."""


class EvidenceError(AIGovError):
    """The evidence log cannot be written or read."""


class NoEvidenceError(AIGovError):
    """The notebook has no evidence log yet, so there is nothing to export."""


class InventoryError(AIGovError):
    """A registration or assessment is invalid, unknown or cannot be stored; `.problems` maps field -> message.

    Nothing is written when it is raised.
    """

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = dict(problems or {})


class BundleError(AIGovError):
    """An evidence bundle cannot be exported, a bundle is unsafe or malformed, or a signing key is unusable.

    Nothing is left half-written when it is raised: an export either lands whole or not at all.
    """


class RegistryError(AIGovError):
    """The registry refused a request, or could not be reached; ``status`` is None when it never answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def unreachable(self) -> bool:
        """Whether trying again later may work (no answer, or a server-side failure)."""
        return self.status is None or self.status >= 500


class NoRegistryError(AIGovError):
    """The server has no registry to push to."""


class LedgerError(AIGovError):
    """The budget ledger cannot be read or written; the message names the file and what to do."""


class DetectionFailed(AIGovError):
    """Detection could not finish (error, deadline, model still loading); the caller must fail closed.

    `reason` goes into evidence: it names an exception by its type, never by its message (which may quote
    the text being analysed).
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Sensitive-data detection failed: {reason}")


class PlaceholderVaultFull(AIGovError):
    """The session's vault reached its bound; new values cannot get a placeholder without reusing one."""

    def __init__(self, entries: int, chars: int) -> None:
        super().__init__(
            f"This kernel session has redacted {entries} distinct values ({chars} characters), the vault's limit: "
            "the request was not sent. Restart the kernel to start a new redaction session."
        )


class RouteError(AIGovError):
    """A policy route matches a call but cannot take it where it says: `.rule`, `.reason`, `.hint` and `.route`
    (the route's match glob) are what the gateway refuses the call with."""

    rule = "routes"

    def __init__(self, route: str, reason: str, hint: str) -> None:
        self.route = route
        self.reason = reason
        self.hint = hint
        super().__init__(f"{reason} [rule {self.rule}] To proceed: {hint}")


class RouteCredentialsMissing(RouteError):
    """The route's api_key_env names an environment variable that is not set (or is empty)."""

    rule = "routes.credentials"

    def __init__(self, route: str, variable: str, reason: str, hint: str) -> None:
        self.variable = variable
        super().__init__(route, reason, hint)


class RouteUnsupported(RouteError):
    """The call's operation or wire format cannot be moved where the route says (a refusal, not a bypass)."""

    rule = "routes.unsupported"


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
    """A call would go over a token, cost or rate budget; its rule is ``budgets.<budget>``.

    Raised by the budget ledger with the figures (``.budget``, the policy key such as "usd_per_day"; ``.limit``
    and ``.spent`` before this call; ``.retry_after``, seconds until it would pass, None when waiting does not
    help), and to the caller with the record of the refused call.
    """

    def __init__(
        self,
        rule: str,
        reason: str,
        record: dict[str, Any] | None = None,
        hint: str = "",
        *,
        limit: float | None = None,
        spent: float | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.budget = rule.removeprefix("budgets.")
        self.limit = limit
        self.spent = spent
        self.retry_after = retry_after
        super().__init__(rule, reason, record, hint)


class GovernanceLocked(PolicyViolation):
    """Locked mode (AIGOV_LOCKED=1, or `locked: true` in the registry's policy) refused to turn governance off.

    Its rule is ``governance.locked``; ``.attempt`` names what was tried, e.g. "%unload_ext aigov".
    """

    def __init__(self, attempt: str, reason: str, record: dict[str, Any] | None = None, hint: str = "") -> None:
        self.attempt = attempt
        super().__init__("governance.locked", reason, record, hint)
