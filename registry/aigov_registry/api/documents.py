"""Create, replace and delete one of a team's documents (system, model, assessment), each with its history entry."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aigov_core.evidence.timestamps import parse_ts
from aigov_registry.api.acting import Acting
from aigov_registry.api.text import has_nul, refuse_nul, refuse_unhashable
from aigov_registry.errors import Conflict, NotFound
from aigov_registry.history import append_change
from aigov_registry.models import AssessmentDocument, ModelDocument, SystemDocument, utc_now

Row = TypeVar("Row", ModelDocument, AssessmentDocument, SystemDocument)
KIND = {ModelDocument: "model", AssessmentDocument: "assessment", SystemDocument: "system"}
LISTED = {ModelDocument: "/api/v1/models", AssessmentDocument: "/api/v1/assessments", SystemDocument: "/api/v1/systems"}


def listing(session: Session, table: type[Row], team_id: int) -> list[Row]:
    """The team's documents of one kind, by id."""
    return list(session.scalars(select(table).where(table.team_id == team_id).order_by(table.document_id)))


def find(session: Session, table: type[Row], team_id: int, document_id: str) -> Row:
    """The team's document with this id; NotFound naming where to list them otherwise."""
    row = None
    if not has_nul(document_id):  # no id holds one, and PostgreSQL refuses to compare with it
        row = session.scalar(select(table).where(table.team_id == team_id, table.document_id == document_id))
    if row is None:
        raise NotFound(f"This team has no {KIND[table]} {document_id!r}; GET {LISTED[table]} lists the ones it has.")
    return row


def create(session: Session, table: type[Row], who: Acting, document: dict[str, Any], **columns: Any) -> Row:
    """Store a new document at revision 1; Conflict when the team has one of that id already."""
    refuse_nul(document, KIND[table])
    refuse_unhashable(document, KIND[table])
    team_id, document_id = who.caller.team_id, document["id"]
    exists = session.scalar(select(table.id).where(table.team_id == team_id, table.document_id == document_id))
    if exists is not None:
        raise Conflict(
            f"This team already has a {KIND[table]} {document_id!r}: change it with PUT "
            f"{LISTED[table]}/{document_id}, or choose another id."
        )
    row = table(team_id=team_id, document_id=document_id, document=document, revision=1, **columns)
    _stamp(row, document)
    session.add(row)
    append_change(session, team_id=team_id, kind=KIND[table], document_id=document_id, action="create",
                  actor=who.actor, old=None, new=document)  # fmt: skip
    _commit(session, table, document_id)
    return row


def replace(session: Session, table: type[Row], who: Acting, document: dict[str, Any], **columns: Any) -> Row:
    """Replace the stored document whole (revision + 1); unchanged documents leave no history."""
    refuse_nul(document, KIND[table])
    refuse_unhashable(document, KIND[table])
    row = find(session, table, who.caller.team_id, document["id"])
    if _content(row.document) == _content(document):
        return row
    old = row.document
    row.document, row.revision = document, row.revision + 1
    for column, value in columns.items():
        setattr(row, column, value)
    _stamp(row, document)
    append_change(session, team_id=who.caller.team_id, kind=KIND[table], document_id=row.document_id,
                  action="update", actor=who.actor, old=old, new=document)  # fmt: skip
    _commit(session, table, row.document_id)
    return row


def delete(session: Session, table: type[Row], who: Acting, document_id: str) -> None:
    """Remove the document; the history keeps what it was."""
    row = find(session, table, who.caller.team_id, document_id)
    append_change(session, team_id=who.caller.team_id, kind=KIND[table], document_id=document_id,
                  action="delete", actor=who.actor, old=row.document, new=None)  # fmt: skip
    session.delete(row)
    _commit(session, table, document_id)


def _content(document: dict[str, Any]) -> dict[str, Any]:
    """A document without the time of its write: sending the same document again changes nothing."""
    return {key: value for key, value in document.items() if key != "updated_at"}


def _stamp(row: ModelDocument | AssessmentDocument | SystemDocument, document: dict[str, Any]) -> None:
    if isinstance(row, SystemDocument):
        row.updated_at = utc_now()
    else:
        # The document's own time, as bundles carry it: a bundle exported later replaces this, an older one not.
        row.updated_at = parse_ts(document.get("updated_at"))
        row.stored_at = utc_now()
        row.bundle_id = None


def _commit(session: Session, table: type[Row], document_id: str) -> None:
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(
            f"Another request changed {KIND[table]} {document_id!r} at the same moment; read it again and retry."
        ) from None
