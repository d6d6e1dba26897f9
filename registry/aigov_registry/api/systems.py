"""``/systems``: the team's AI systems (what they do, which models, who owns them): list, read, write."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from aigov_registry.api import documents, schemas
from aigov_registry.api.acting import Writer
from aigov_registry.api.deps import DbSession, Reader
from aigov_registry.errors import BadRequest
from aigov_registry.models import SystemDocument

router = APIRouter(tags=["systems"])
_MISSING: dict[int | str, dict[str, Any]] = {404: {"description": "The team has no system of that id."}}


@router.get("/systems", response_model=schemas.SystemList)
def list_systems(caller: Reader, session: DbSession) -> schemas.SystemList:
    """The team's AI systems, by id."""
    rows = documents.listing(session, SystemDocument, caller.team_id)
    return schemas.SystemList(items=[schemas.System.model_validate(row) for row in rows])


@router.get("/systems/{system_id}", response_model=schemas.System, responses=_MISSING)
def read_system(system_id: str, caller: Reader, session: DbSession) -> schemas.System:
    """One AI system."""
    return schemas.System.model_validate(documents.find(session, SystemDocument, caller.team_id, system_id))


@router.post(
    "/systems", response_model=schemas.System, status_code=201, responses={409: {"description": "The id is taken."}}
)
def create_system(body: schemas.SystemBody, who: Writer, session: DbSession) -> schemas.System:
    """Register an AI system (role submit)."""
    row = documents.create(session, SystemDocument, who, body.model_dump(mode="json"))
    return schemas.System.model_validate(row)


@router.put(
    "/systems/{system_id}",
    response_model=schemas.System,
    responses=_MISSING | {400: {"description": "The body's id is not the path's."}},
)
def replace_system(system_id: str, body: schemas.SystemBody, who: Writer, session: DbSession) -> schemas.System:
    """Replace an AI system's document whole (role submit); its id cannot change."""
    same_id(system_id, body.id, "system")
    row = documents.replace(session, SystemDocument, who, body.model_dump(mode="json"))
    return schemas.System.model_validate(row)


@router.delete("/systems/{system_id}", status_code=204, responses=_MISSING)
def delete_system(system_id: str, who: Writer, session: DbSession) -> Response:
    """Remove an AI system (role submit); the history keeps its last document."""
    documents.delete(session, SystemDocument, who, system_id)
    return Response(status_code=204)


def same_id(path_id: str, body_id: str, kind: str) -> None:
    """A PUT replaces the document at its path: the body must carry the same id."""
    if path_id != body_id:
        raise BadRequest(
            f"The {kind} in the body has id {body_id!r} but the path names {path_id!r}: a {kind}'s id cannot "
            f"change; PUT it to /{kind}s/{body_id}, or create it with POST."
        )
