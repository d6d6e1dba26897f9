"""``/models`` and ``/assessments``: the team's current inventory documents, from its bundles or written here.

Writes (role submit) take the whole document as ``aigov_core.inventory.records`` defines it (422 naming each
field's problem); the registry sets its ``updated_at`` to the time of the write, so a bundle exported later
replaces it and an older one never rolls it back.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from aigov_core.inventory.records import Assessment, ModelRegistration
from aigov_registry.api import documents, schemas
from aigov_registry.api.acting import Writer
from aigov_registry.api.deps import DbSession, Reader
from aigov_registry.api.systems import same_id
from aigov_registry.api.text import has_nul
from aigov_registry.models import AssessmentDocument, ModelDocument, utc_now

router = APIRouter(tags=["inventory"])
_MISSING: dict[int | str, dict[str, Any]] = {404: {"description": "The team has no document of that id."}}
_TAKEN: dict[int | str, dict[str, Any]] = {409: {"description": "The team has a document of that id already."}}
_MOVED: dict[int | str, dict[str, Any]] = {400: {"description": "The body's id is not the path's."}}


@router.get("/models", response_model=schemas.ModelList)
def list_models(caller: Reader, session: DbSession) -> schemas.ModelList:
    """The team's model registrations, by id."""
    rows = documents.listing(session, ModelDocument, caller.team_id)
    return schemas.ModelList(items=[schemas.Model.model_validate(row) for row in rows])


@router.get("/models/{model_id}", response_model=schemas.ModelDetail, responses=_MISSING)
def read_model(model_id: str, caller: Reader, session: DbSession) -> schemas.ModelDetail:
    """One registration, with its assessments."""
    row = documents.find(session, ModelDocument, caller.team_id, model_id)
    assessments = _assessments(session, caller.team_id, model_id)
    return schemas.ModelDetail(**schemas.Model.model_validate(row).model_dump(), assessments=assessments)


@router.get("/assessments", response_model=schemas.AssessmentList)
def list_assessments(
    caller: Reader,
    session: DbSession,
    model_id: Annotated[str | None, Query(description="Only the assessments of this model.")] = None,
) -> schemas.AssessmentList:
    """The team's assessments, by id."""
    return schemas.AssessmentList(items=_assessments(session, caller.team_id, model_id))


def _assessments(session: Session, team_id: int, model_id: str | None) -> list[schemas.Assessment]:
    query = select(AssessmentDocument).where(AssessmentDocument.team_id == team_id)
    if has_nul(model_id):
        return []  # no id holds one, and PostgreSQL refuses to compare with it
    if model_id is not None:
        query = query.where(AssessmentDocument.model_id == model_id)
    rows = session.scalars(query.order_by(AssessmentDocument.document_id))
    return [schemas.Assessment.model_validate(row) for row in rows]


@router.post("/models", response_model=schemas.Model, status_code=201, responses=_TAKEN)
def create_model(body: ModelRegistration, who: Writer, session: DbSession) -> schemas.Model:
    """Register a model (role submit)."""
    return schemas.Model.model_validate(documents.create(session, ModelDocument, who, _stored(body)))


@router.put("/models/{model_id}", response_model=schemas.Model, responses=_MISSING | _MOVED)
def replace_model(model_id: str, body: ModelRegistration, who: Writer, session: DbSession) -> schemas.Model:
    """Replace a registration whole (role submit); its id cannot change."""
    same_id(model_id, body.id, "model")
    return schemas.Model.model_validate(documents.replace(session, ModelDocument, who, _stored(body)))


@router.delete("/models/{model_id}", status_code=204, responses=_MISSING)
def delete_model(model_id: str, who: Writer, session: DbSession) -> Response:
    """Remove a registration (role submit); its assessments stay, the history keeps its last document."""
    documents.delete(session, ModelDocument, who, model_id)
    return Response(status_code=204)


@router.get("/assessments/{assessment_id}", response_model=schemas.Assessment, responses=_MISSING)
def read_assessment(assessment_id: str, caller: Reader, session: DbSession) -> schemas.Assessment:
    """One assessment."""
    row = documents.find(session, AssessmentDocument, caller.team_id, assessment_id)
    return schemas.Assessment.model_validate(row)


@router.post("/assessments", response_model=schemas.Assessment, status_code=201, responses=_TAKEN)
def create_assessment(body: Assessment, who: Writer, session: DbSession) -> schemas.Assessment:
    """Store an assessment of a model against one framework (role submit)."""
    row = documents.create(session, AssessmentDocument, who, _stored(body), model_id=body.model_id)
    return schemas.Assessment.model_validate(row)


@router.put("/assessments/{assessment_id}", response_model=schemas.Assessment, responses=_MISSING | _MOVED)
def replace_assessment(assessment_id: str, body: Assessment, who: Writer, session: DbSession) -> schemas.Assessment:
    """Replace an assessment whole (role submit); its id cannot change."""
    same_id(assessment_id, body.id, "assessment")
    row = documents.replace(session, AssessmentDocument, who, _stored(body), model_id=body.model_id)
    return schemas.Assessment.model_validate(row)


@router.delete("/assessments/{assessment_id}", status_code=204, responses=_MISSING)
def delete_assessment(assessment_id: str, who: Writer, session: DbSession) -> Response:
    """Remove an assessment (role submit); the history keeps its last document."""
    documents.delete(session, AssessmentDocument, who, assessment_id)
    return Response(status_code=204)


def _stored(body: BaseModel) -> dict[str, Any]:
    """The document as kept: every field, with the time of this write as its updated_at."""
    return body.model_dump(mode="json") | {"updated_at": utc_now().isoformat().replace("+00:00", "Z")}
