"""Spending: what AI calls cost (``prices``) and the budgets they are checked against (``ledger``)."""

from jupyter_aigov.spend.ledger import BudgetLedger, Limits, Reservation
from jupyter_aigov.spend.prices import Cost, cost_of, estimate_input_cost, warm_up

__all__ = [
    "BudgetLedger",
    "Cost",
    "Limits",
    "Reservation",
    "cost_of",
    "estimate_input_cost",
    "warm_up",
]
