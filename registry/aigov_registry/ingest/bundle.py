"""Ingest one uploaded bundle: verify it, then store its file, records and inventory in one transaction.

Nothing of a bundle that fails any check is kept: verification runs on the upload before the database is
touched, and every row of a bundle is written in one transaction whose failure leaves no row and no file.
Records are keyed by their hash per team, so overlapping bundles (two exports of a growing log) add each
record once; the same zip twice is found by its SHA-256 and answered with the bundle already stored.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from aigov_core.bundle import layout
from aigov_core.bundle.archive import ArchiveLimits, BundleArchive
from aigov_core.bundle.verify import BundleVerification, verify_bundle
from aigov_core.errors import BundleError
from aigov_core.evidence.timestamps import parse_ts
from aigov_registry.errors import BundleRefused, Conflict
from aigov_registry.ingest.inventory import InventoryCounts, store_inventory
from aigov_registry.ingest.records import decision_values, evidence_logs, iter_records
from aigov_registry.ingest.store import BundleStore
from aigov_registry.ingest.upload import Upload
from aigov_registry.ingest.writer import write_decisions
from aigov_registry.models import Bundle, utc_now
from aigov_registry.tokens import Caller


@dataclass(frozen=True)
class Ingested:
    """The bundle as stored, whether this upload created it, and what it added."""

    bundle: Bundle
    created: bool
    inventory: InventoryCounts = field(default_factory=InventoryCounts)


def ingest_bundle(
    sessions: sessionmaker[Session],
    store: BundleStore,
    caller: Caller,
    upload: Upload,
    limits: ArchiveLimits,
    signers: tuple[str, ...] = (),
) -> Ingested:
    """Verify and store ``upload`` for the caller's team; BundleRefused with the verifier's fault when it fails."""
    try:
        existing = _stored(sessions, caller.team_id, upload.sha256)
        if existing is not None:
            return Ingested(existing, created=False)
        verification = verify_bundle(upload.path, signers=signers, limits=limits)
        verified_at = utc_now()
        if not verification.ok:
            raise BundleRefused(
                f"The bundle was refused and nothing of it was stored: {_fault(verification, upload)}. "
                "Check it with `aigov verify BUNDLE`, export it again if it is damaged, and resend."
            )
        return _store(sessions, store, caller, upload, verification, verified_at, limits)
    finally:
        upload.path.unlink(missing_ok=True)


def _stored(sessions: sessionmaker[Session], team_id: int, sha256: str) -> Bundle | None:
    with sessions() as session:
        return session.scalar(select(Bundle).where(Bundle.team_id == team_id, Bundle.sha256 == sha256))


def _store(
    sessions: sessionmaker[Session],
    store: BundleStore,
    caller: Caller,
    upload: Upload,
    verification: BundleVerification,
    verified_at: datetime,
    limits: ArchiveLimits,
) -> Ingested:
    placed: str | None = None
    try:
        with sessions() as session, session.begin():
            with BundleArchive(upload.path, limits) as archive:
                bundle = _bundle_row(archive, caller, upload, verification, verified_at)
                session.add(bundle)
                session.flush()  # the rows below refer to it
                bundle.records_new = _insert_decisions(session, archive, verification, bundle)
                inventory = store_inventory(session, archive, team_id=caller.team_id, bundle_id=bundle.id)
            # Last before the commit: a failure before here leaves no file; the commit then makes the row real.
            placed = store.place(upload.path, upload.sha256)
        return Ingested(bundle, created=True, inventory=inventory)
    except IntegrityError:
        _discard_unreferenced(sessions, store, placed)
        # Another process stored the same zip, or the same new document, while this one worked.
        existing = _stored(sessions, caller.team_id, upload.sha256)
        if existing is not None:
            return Ingested(existing, created=False)
        raise Conflict("Another upload changed the same records at the same moment; send the bundle again.") from None
    except BundleError as exc:  # verified a moment ago: only damage on this disk lands here
        _discard_unreferenced(sessions, store, placed)
        raise BundleRefused(f"The bundle could not be read after it was verified ({exc}); send it again.") from None
    except BaseException:
        _discard_unreferenced(sessions, store, placed)
        raise


def _bundle_row(
    archive: BundleArchive, caller: Caller, upload: Upload, verification: BundleVerification, verified_at: datetime
) -> Bundle:
    description = json.loads(archive.read(layout.BUNDLE_JSON))  # the verifier parsed it: it is a JSON object
    records = sum(verification.logs[name] for name in evidence_logs(verification.logs))
    return Bundle(
        id=str(uuid.uuid4()),
        team_id=caller.team_id,
        sha256=upload.sha256,
        size=upload.size,
        stored_path=BundleStore.relative_path(upload.sha256),
        signer=verification.signer or "",
        exported_at=parse_ts(verification.exported_at),
        exported_by=verification.exported_by,
        source=_string(description.get("source")),
        received_at=utc_now(),
        verified_at=verified_at,
        verification=dataclasses.asdict(verification),
        summary=_dict(description.get("summary")),
        logs=[entry for entry in description.get("logs", []) if isinstance(entry, dict)],
        records=records,
        records_new=0,
    )


def _insert_decisions(
    session: Session, archive: BundleArchive, verification: BundleVerification, bundle: Bundle
) -> int:
    """Store the bundle's records the team does not hold yet; return how many were new."""
    team_id, bundle_id, fallback = bundle.team_id, bundle.id, bundle.exported_at or bundle.received_at
    rows = (
        decision_values(record, team_id=team_id, bundle_id=bundle_id, log=log, fallback_ts=fallback)
        for log in evidence_logs(verification.logs)
        for record in iter_records(archive, log)
    )
    return write_decisions(session.connection(), rows)


def _discard_unreferenced(sessions: sessionmaker[Session], store: BundleStore, placed: str | None) -> None:
    """Remove a file placed for a transaction that failed, unless a committed row (any team's) refers to it."""
    if placed is None:
        return
    with sessions() as session:
        if session.scalar(select(Bundle.id).where(Bundle.stored_path == placed).limit(1)) is None:
            store.discard(placed)


def _fault(verification: BundleVerification, upload: Upload) -> str:
    """The verifier's fault in terms of the upload (the server's temporary file name means nothing to a client)."""
    where = str(upload.path)
    fault = str(verification.fault).replace(f"Refusing bundle {where}", "refusing it")
    return fault.replace(f"Bundle {where}", "the bundle").replace(where, "the upload").rstrip(".")


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
