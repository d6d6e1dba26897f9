"""Each team's append-only change log, hash-chained like the evidence log, and the check that it is intact.

A change's ``hash`` is the SHA-256 of the RFC 8785 canonical JSON of its fields without ``hash`` (``team_id``,
``seq``, ``kind``, ``document_id``, ``action``, ``actor``, ``at`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, ``old``,
``new``, ``prev``); ``prev`` is the hash of the team's change before it (64 zeros for the first), so editing or
removing any stored change breaks every hash after it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from aigov_core.evidence.canonical import ZERO_HASH, canonical_json
from aigov_registry.models import AssessmentDocument, Change, ModelDocument, Team, utc_now

KINDS = ("model", "assessment", "system", "policy", "token", "team")
ACTIONS = ("create", "update", "delete")


def change_hash(change: Change) -> str:
    """The hash a change must carry: SHA-256 of the canonical JSON of every field but ``hash``."""
    body = {
        "team_id": change.team_id,
        "seq": change.seq,
        "kind": change.kind,
        "document_id": change.document_id,
        "action": change.action,
        "actor": change.actor,
        "at": change.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "old": change.old,
        "new": change.new,
        "prev": change.prev,
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


def append_change(
    session: Session,
    *,
    team_id: int,
    kind: str,
    document_id: str,
    action: str,
    actor: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
) -> Change:
    """Add the team's next change to ``session`` (committed, or not, with the write it records)."""
    if kind not in KINDS or action not in ACTIONS:
        raise ValueError(f"A change is one of {KINDS} x {ACTIONS}, not {kind!r} {action!r}.")
    # Writing the team's row first serialises this team's writers until commit: a row lock on PostgreSQL, the
    # database's write lock on SQLite. So two writers never read the same last change and take the same seq.
    session.execute(update(Team).where(Team.id == team_id).values(name=Team.name))
    pending = [row for row in session.new if isinstance(row, Change) and row.team_id == team_id]
    last = max(pending, key=lambda row: row.seq) if pending else _last_stored(session, team_id)
    change = Change(
        team_id=team_id,
        seq=(last.seq if last else 0) + 1,
        kind=kind,
        document_id=document_id,
        action=action,
        actor=actor[:100],
        at=utc_now(),
        old=old,
        new=new,
        prev=last.hash if last else ZERO_HASH,
    )
    change.hash = change_hash(change)
    session.add(change)
    return change


def _last_stored(session: Session, team_id: int) -> Any:
    return session.execute(
        select(Change.seq, Change.hash).where(Change.team_id == team_id).order_by(Change.seq.desc()).limit(1)
    ).first()


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of re-checking a team's chain: how many changes, and the first fault if any."""

    ok: bool
    changes: int
    fault: str | None = None
    seq: int | None = None


def verify_chain(session: Session, team_id: int) -> ChainCheck:
    """Re-check every change of the team in order: seq 1, 2, 3..., each prev and each hash."""
    expected_prev, count = ZERO_HASH, 0
    for change in session.scalars(select(Change).where(Change.team_id == team_id).order_by(Change.seq)):
        count += 1
        fault = None
        if change.seq != count:
            fault = f"change {count} is missing: the next stored change has seq {change.seq}"
        elif change.prev != expected_prev:
            fault = f"change {change.seq}'s prev does not match the hash of change {change.seq - 1}"
        elif change.hash != change_hash(change):
            fault = f"change {change.seq} was altered after it was written: its hash does not match its fields"
        if fault:
            return ChainCheck(ok=False, changes=count, fault=fault, seq=change.seq)
        expected_prev = change.hash
    return ChainCheck(ok=True, changes=count)


def record_inventory_changes(session: Session, *, team_id: int, actor: str) -> None:
    """Append a change for every model or assessment this session inserts or replaces (as bundle ingest does)."""

    def before_flush(flushing: Session, _context: Any, _instances: Any) -> None:
        for row, action in [(r, "create") for r in flushing.new] + [(r, "update") for r in flushing.dirty]:
            if not isinstance(row, ModelDocument | AssessmentDocument) or row.team_id != team_id:
                continue
            changed = inspect(row).attrs.document.history  # type: ignore[attr-defined]
            if action == "update" and not changed.has_changes():
                continue
            old = changed.deleted[0] if action == "update" and changed.deleted else None
            kind = "model" if isinstance(row, ModelDocument) else "assessment"
            append_change(
                flushing, team_id=team_id, kind=kind, document_id=row.document_id, action=action,
                actor=actor, old=old, new=row.document,
            )  # fmt: skip

    event.listen(session, "before_flush", before_flush)
