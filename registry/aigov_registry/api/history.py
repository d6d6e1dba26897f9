"""``/history``: the team's change log (who changed what, when, from what to what) and a check of its hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from aigov_registry.api import schemas
from aigov_registry.api.deps import DbSession, Reader
from aigov_registry.api.text import has_nul
from aigov_registry.errors import BadRequest
from aigov_registry.history import KINDS, verify_chain
from aigov_registry.models import Change

router = APIRouter(tags=["history"])


@router.get("/history", response_model=schemas.ChangePage)
def list_changes(
    caller: Reader,
    session: DbSession,
    kind: Annotated[str | None, Query(description=f"Only changes of one kind: {', '.join(KINDS)}.")] = None,
    document_id: Annotated[str | None, Query(description="Only changes of this document.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
) -> schemas.ChangePage:
    """The team's changes, oldest first (by seq)."""
    if has_nul([kind, document_id]):
        return schemas.ChangePage(items=[], next_cursor=None)  # nothing stored holds one
    query = select(Change).where(Change.team_id == caller.team_id)
    if kind is not None:
        query = query.where(Change.kind == kind)
    if document_id is not None:
        query = query.where(Change.document_id == document_id)
    if cursor:
        query = query.where(Change.seq > _after(cursor))
    rows = session.scalars(query.order_by(Change.seq).limit(limit + 1)).all()
    page = rows[:limit]
    following = str(page[-1].seq) if len(rows) > limit else None
    return schemas.ChangePage(items=[schemas.ChangeItem.model_validate(row) for row in page], next_cursor=following)


@router.get("/history/verify", response_model=schemas.ChainCheck)
def verify_history(caller: Reader, session: DbSession) -> schemas.ChainCheck:
    """Re-check the team's whole chain: seq 1, 2, 3..., each prev the hash before it, each hash its fields'."""
    return schemas.ChainCheck.model_validate(verify_chain(session, caller.team_id))


def _after(cursor: str) -> int:
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise BadRequest(
            "The cursor is not one this registry gave out: pass next_cursor from the previous page unchanged, "
            "or leave it out to start from the beginning."
        )
    return int(cursor)
