"""``/decisions``: the team's evidence records, filtered, oldest first, a page at a time (keyset, never offset)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select, tuple_

from aigov_registry.api import schemas
from aigov_registry.api.cursor import decode_cursor, encode_cursor
from aigov_registry.api.deps import DbSession, Reader
from aigov_registry.api.text import has_nul
from aigov_registry.errors import BadRequest
from aigov_registry.models import Decision

router = APIRouter(tags=["decisions"])
_TIME = "A UTC date (2026-11-01) or RFC 3339 time (2026-11-01T09:30:00Z); a time without zone is UTC."


@router.get("/decisions", response_model=schemas.DecisionPage)
def list_decisions(
    caller: Reader,
    session: DbSession,
    model: Annotated[str | None, Query(description="The model called, exactly as recorded.")] = None,
    user: Annotated[str | None, Query(description="The acting user.")] = None,
    use_case: Annotated[str | None, Query(description="The declared use case.")] = None,
    decision: Annotated[str | None, Query(description="allow, redact or block.")] = None,
    event: Annotated[str | None, Query(description="The record's event, e.g. ai.call or ai.response.")] = None,
    since: Annotated[str | None, Query(description=f"Records at or after this time. {_TIME}")] = None,
    until: Annotated[str | None, Query(description=f"Records before this time. {_TIME}")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
) -> schemas.DecisionPage:
    """The team's records matching every filter given, ordered by time then id."""
    if has_nul([model, user, use_case, decision, event]):
        # no stored value holds a NUL (none can be stored), and PostgreSQL refuses to compare text with one
        return schemas.DecisionPage(items=[], next_cursor=None)
    query = select(Decision).where(Decision.team_id == caller.team_id)
    for column, value in (
        (Decision.model, model),
        (Decision.user, user),
        (Decision.use_case, use_case),
        (Decision.decision, decision),
        (Decision.event, event),
    ):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(Decision.ts >= parse_time(since, "since"))
    if until is not None:
        query = query.where(Decision.ts < parse_time(until, "until"))
    if cursor:
        ts, row_id = decode_cursor(cursor, int)
        query = query.where(tuple_(Decision.ts, Decision.id) > (ts, row_id))
    rows = session.scalars(query.order_by(Decision.ts, Decision.id).limit(limit + 1)).all()
    page = rows[:limit]
    following = encode_cursor(page[-1].ts, page[-1].id) if len(rows) > limit else None
    return schemas.DecisionPage(items=[schemas.Decision.model_validate(row) for row in page], next_cursor=following)


def parse_time(text: str, name: str) -> datetime:
    """A query's time bound as an aware UTC datetime; a date is its midnight UTC."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name}={text!r} is not a time. {_TIME}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
