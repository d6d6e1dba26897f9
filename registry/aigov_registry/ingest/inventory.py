"""A bundle's inventory documents (model registrations, assessments) validated and kept as each team's newest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from aigov_core.bundle import layout
from aigov_core.bundle.archive import BundleArchive
from aigov_core.evidence.timestamps import parse_ts
from aigov_core.inventory.records import Assessment, ModelRegistration
from aigov_registry.errors import BundleRefused
from aigov_registry.history import record_inventory_changes
from aigov_registry.models import AssessmentDocument, ModelDocument, utc_now

Stored = TypeVar("Stored", ModelDocument, AssessmentDocument)
MODELS = f"{layout.INVENTORY_PREFIX}models/"
ASSESSMENTS = f"{layout.INVENTORY_PREFIX}assessments/"


@dataclass(frozen=True)
class InventoryCounts:
    """How many documents a bundle held, and how many of them changed what the registry keeps."""

    models: int = 0
    assessments: int = 0
    changed: int = 0


def store_inventory(session: Session, archive: BundleArchive, *, team_id: int, bundle_id: str) -> InventoryCounts:
    """Validate every registration and assessment in the bundle and keep each where it is newer than the stored."""
    record_inventory_changes(session, team_id=team_id, actor=f"bundle {bundle_id}")
    counts = {MODELS: 0, ASSESSMENTS: 0}
    changed = 0
    for name in archive.files:
        folder = next((prefix for prefix in counts if name.startswith(prefix)), None)
        if folder is None or not name.endswith(".json") or "/" in name[len(folder) :]:
            continue
        counts[folder] += 1
        if folder == MODELS:
            document = _document(archive, name, ModelRegistration)
            changed += _keep(session, ModelDocument, document, team_id=team_id, bundle_id=bundle_id)
        else:
            document = _document(archive, name, Assessment)
            changed += _keep(
                session, AssessmentDocument, document, team_id=team_id, bundle_id=bundle_id,
                model_id=document["model_id"],
            )  # fmt: skip
    return InventoryCounts(counts[MODELS], counts[ASSESSMENTS], changed)


def _document(archive: BundleArchive, name: str, schema: type[BaseModel]) -> dict[str, Any]:
    """The document as exported (kept byte for byte in meaning), once its schema accepts it."""
    try:
        document = json.loads(archive.read(name))
        schema.model_validate(document)
    except ValueError as exc:  # ValidationError is a ValueError too
        problem = _problems(exc) if isinstance(exc, ValidationError) else f"it is not valid JSON ({exc})"
        raise BundleRefused(
            f"The bundle's inventory document {name} cannot be stored: {problem}. Fix the document in the "
            "project's .aigov/inventory (with aigov.register_model or aigov.assess), export again and resend."
        ) from None
    if not isinstance(document, dict):
        raise BundleRefused(f"The bundle's inventory document {name} is not a JSON object; export again and resend.")
    return document


def _keep(
    session: Session,
    table: type[Stored],
    document: dict[str, Any],
    *,
    team_id: int,
    bundle_id: str,
    **columns: Any,
) -> int:
    """Insert or replace the team's document when this one is newer; 1 when something changed, else 0."""
    updated_at = parse_ts(document.get("updated_at"))
    stored = session.scalar(select(table).where(table.team_id == team_id, table.document_id == document["id"]))
    if stored is None:
        session.add(
            table(
                team_id=team_id, document_id=document["id"], document=document, revision=1,
                updated_at=updated_at, bundle_id=bundle_id, **columns,
            )
        )  # fmt: skip
        return 1
    if stored.document == document or not _newer(updated_at, stored.updated_at):
        return 0  # an older bundle arriving late never rolls the registry's copy back
    stored.document = document
    stored.revision += 1
    stored.updated_at = updated_at
    stored.stored_at = utc_now()
    stored.bundle_id = bundle_id
    for column, value in columns.items():
        setattr(stored, column, value)
    return 1


def _newer(candidate: datetime | None, stored: datetime | None) -> bool:
    if candidate is None:
        return stored is None
    return stored is None or candidate > stored


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'document'}: {error['msg']}" for error in exc.errors()
    )
