"""``/records``: evidence records a kernel pushes as they happen, checked record by record and stored once.

Each record must carry the hash the evidence log's rule gives it (SHA-256 of its RFC 8785 canonical JSON
without ``hash``); one bad record refuses the whole request. Records are keyed by hash per team exactly as
bundle ingest keys them, so a bundle exported later holding the same records adds nothing for them.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, cast

from fastapi import APIRouter, Request
from sqlalchemy import Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from aigov_core.bundle import layout
from aigov_core.errors import EvidenceError
from aigov_core.evidence.canonical import canonical_json
from aigov_registry.api import schemas
from aigov_registry.api.acting import Writer
from aigov_registry.api.deps import DbSession, registry
from aigov_registry.api.text import Unprocessable
from aigov_registry.errors import UploadTooLarge
from aigov_registry.ingest.records import decision_row
from aigov_registry.models import Decision, utc_now

router = APIRouter(tags=["records"])
MAX_RECORDS = 5_000  # per request: a kernel's batches are far smaller; bounds the memory one request takes
_LOG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.jsonl$")
DECISIONS = cast(Table, Decision.__table__)


@router.post(
    "/records",
    response_model=schemas.RecordsStored,
    responses={
        413: {"description": f"More than {MAX_RECORDS:,} records in one request, a record or the body too large."},
        422: {"description": "A record's hash does not match it, or the log name is not a log's; nothing stored."},
    },
)
def push_records(body: schemas.LiveRecords, who: Writer, session: DbSession, request: Request) -> schemas.RecordsStored:
    """Store a batch of a notebook's evidence records (role submit); records the team has already are skipped."""
    if len(body.records) > MAX_RECORDS:
        raise UploadTooLarge(
            f"{len(body.records):,} records in one request; send at most {MAX_RECORDS:,} per request "
            "(split the batch and send the parts in order)."
        )
    if not _LOG_NAME.match(body.log):
        raise Unprocessable(
            f"The log name {body.log!r} is not a log's file name: send the file name only, e.g. churn.jsonl."
        )
    largest = registry(request).settings.max_record_bytes
    for index, record in enumerate(body.records):
        _check(index, record, largest)
    log = layout.EVIDENCE_PREFIX + body.log  # the path the same log has in a bundle: one name either way
    team_id, now = who.caller.team_id, utc_now()
    fresh: dict[str, dict[str, Any]] = {}
    for record in body.records:
        fresh.setdefault(record["hash"], record)
    known = set(
        session.scalars(
            select(Decision.record_hash).where(Decision.team_id == team_id, Decision.record_hash.in_(list(fresh)))
        )
    )
    rows = [
        decision_row(record, team_id=team_id, bundle_id="", log=log, fallback_ts=now)
        | {"bundle_id": None, "origin": "live"}
        for digest, record in fresh.items()
        if digest not in known
    ]
    if rows:
        session.connection().execute(_insert_ignoring_duplicates(session), rows)
    session.commit()
    return schemas.RecordsStored(stored=len(rows), duplicates=len(body.records) - len(rows))


def _check(index: int, record: dict[str, Any], largest: int) -> None:
    """The record is one the evidence log could have written: an int seq, the hash of the rest, not too large."""
    claimed = record.get("hash")
    seq = record.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**53 or not isinstance(claimed, str):
        raise Unprocessable(
            f"Record {index} has no 'seq' counting from 1 or no 'hash'; send records exactly as the log holds them. "
            "Nothing of this request was stored."
        )
    try:
        body = canonical_json({key: value for key, value in record.items() if key != "hash"})
    except EvidenceError as exc:
        raise Unprocessable(f"Record {index} holds a value JSON cannot carry canonically: {exc}") from None
    if len(body) > largest:
        raise UploadTooLarge(
            f"Record {index} (seq {seq}) is {len(body):,} bytes; a record may be at most {largest:,} bytes "
            f"({largest // 1024:,} KiB; the registry's --max-record-kib). A record holds names and counts, never "
            "text: send records exactly as the log holds them. Nothing of this request was stored."
        )
    if hashlib.sha256(body).hexdigest() != claimed:
        raise Unprocessable(
            f"Record {index} (seq {seq}) does not match its hash: it was changed after it was written. "
            "Nothing of this request was stored; send the records exactly as the log holds them."
        )


def _insert_ignoring_duplicates(session: Session) -> Insert:
    """INSERT ... ON CONFLICT (team_id, record_hash) DO NOTHING: a concurrent push of the same record is no error."""
    dialect = session.get_bind().dialect.name
    keys = ["team_id", "record_hash"]
    if dialect == "sqlite":
        return sqlite.insert(DECISIONS).on_conflict_do_nothing(index_elements=keys)
    if dialect == "postgresql":
        return postgresql.insert(DECISIONS).on_conflict_do_nothing(index_elements=keys)
    return insert(DECISIONS)
