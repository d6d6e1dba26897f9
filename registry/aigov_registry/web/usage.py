"""A model's live usage, counted from the decisions its team's gateways recorded."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from aigov_registry.models import Decision

CALL_EVENT = "ai.call"  # one record per call the gateway decided on; responses are counted with their call


@dataclass(frozen=True)
class Usage:
    """Calls the gateway decided on for a model, how many it blocked and redacted, and when it was last called."""

    calls: int
    blocks: int
    redactions: int
    last_used: datetime | None


def usage_of(session: Session, team_id: int, names: Collection[str]) -> Usage:
    """The usage of the calls that named the model by any of ``names`` (its model ids and aliases)."""
    if not names:
        return Usage(0, 0, 0, None)
    row = session.execute(
        select(
            func.count(Decision.id),
            func.coalesce(func.sum(case((Decision.decision == "block", 1), else_=0)), 0),
            func.coalesce(func.sum(case((Decision.decision == "redact", 1), else_=0)), 0),
            func.max(Decision.ts),
        ).where(Decision.team_id == team_id, Decision.model.in_(list(names)), Decision.event == CALL_EVENT)
    ).one()
    return Usage(int(row[0]), int(row[1]), int(row[2]), row[3])
