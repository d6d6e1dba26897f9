"""Budgets in the gateway: a call is checked and reserved before it is sent, and settled with what it cost.

The ledger lives beside the evidence (`budgets.sqlite3`), so budgets survive a kernel restart and are shared
by every kernel writing evidence there. A session is the kernel: its id outlives restarts, so restarting
does not reset `tokens_per_session`; outside a kernel it is the process's session.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from aigov_core.errors import BudgetExceeded
from jupyter_aigov.providers.base import AIRequest, Usage
from jupyter_aigov.spend.ledger import BudgetLedger, Reservation
from jupyter_aigov.spend.prices import Cost, cost_of, estimate_input_cost
from jupyter_aigov.verdict import Verdict

if TYPE_CHECKING:
    from aigov_core.policy.document import BudgetsSection

LEDGER_NAME = "budgets.sqlite3"
CHARS_PER_TOKEN = 4  # the usual rule of thumb for English text: an estimate, replaced by the provider's count


def has_limits(budgets: BudgetsSection) -> bool:
    """Whether any budget is set (else nothing is reserved or written)."""
    return any(
        getattr(budgets, key) is not None
        for key in ("tokens_per_session", "usd_per_day", "usd_per_day_per_use_case", "requests_per_minute")
    )


def estimated_input_tokens(call: AIRequest) -> int:
    """Tokens of the prompt, estimated from its text before the provider counts them."""
    return max(1, sum(len(part.text) for part in call.text_parts) // CHARS_PER_TOKEN)


class BudgetGuard:
    """Reserves each call against the budgets in force and settles it once its usage is known."""

    def __init__(self, evidence_dir: Path, session: str, user: str, session_user: str | None = None) -> None:
        """`session_user`: who the session started as, when the acting user changed since (a reload)."""
        self.path = evidence_dir / LEDGER_NAME
        self.session = session
        # Per-user budgets are charged to the user the session's spending started under: changing AIGOV_USER and
        # reloading is recorded (user.changed), and gives no fresh budget. Settled when the ledger opens.
        self.user = session_user or user
        self._ledger: BudgetLedger | None = None
        self._lock = threading.Lock()

    def _open(self) -> BudgetLedger:
        with self._lock:
            if self._ledger is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                ledger = BudgetLedger(self.path)
                self.user = ledger.session_user(self.session) or self.user  # across kernel restarts too
                self._ledger = ledger
            return self._ledger

    def reserve(
        self, call: AIRequest, budgets: BudgetsSection, use_case: str | None
    ) -> tuple[Reservation | None, Verdict | None]:
        """The call's reservation, or the refusal when it would go over a budget; (None, None) when none is set."""
        if not has_limits(budgets):
            return None, None
        tokens = estimated_input_tokens(call)
        usd = estimate_input_cost(call.provider, call.model, tokens) if _prices_usd(budgets) else None
        try:
            reservation = self._open().reserve(
                limits=budgets,
                session=self.session,
                user=self.user,
                use_case=use_case,
                estimated_tokens=tokens,
                estimated_usd=usd,
            )
        except BudgetExceeded as breach:
            return None, Verdict.block(breach.rule, breach.reason, breach.hint, BudgetExceeded)
        return reservation, None

    def settle(self, reservation: Reservation, usage: Usage | None, cost: Cost | None) -> None:
        """Replace the estimate with the provider's count and the priced cost (what is unknown keeps the estimate)."""
        usage = usage or Usage()
        self._open().settle(reservation, usage.input_tokens, usage.output_tokens, cost.usd if cost else None)

    def spent(self, use_case: str | None) -> dict[str, float | None]:
        """What counts against each budget now (for `%aigov status`)."""
        return self._open().spent(self.session, self.user, use_case)

    def close(self) -> None:
        with self._lock:
            if self._ledger is not None:
                self._ledger.close()
                self._ledger = None


def _prices_usd(budgets: BudgetsSection) -> bool:
    return budgets.usd_per_day is not None or budgets.usd_per_day_per_use_case is not None


def priced(provider: str, model: str | None, usage: Usage | None) -> Cost | None:
    """The cost of a call from its usage; None when unknown. Never raises: pricing is accounting, not control."""
    if usage is None:
        return None
    try:
        return cost_of(provider, model, usage)
    except Exception:
        return None
