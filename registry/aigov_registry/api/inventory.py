"""``/models`` and ``/assessments``: the team's current inventory documents, as its bundles brought them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from aigov_registry.api import schemas
from aigov_registry.api.deps import DbSession, Reader
from aigov_registry.errors import NotFound
from aigov_registry.models import AssessmentDocument, ModelDocument

router = APIRouter(tags=["inventory"])


@router.get("/models", response_model=schemas.ModelList)
def list_models(caller: Reader, session: DbSession) -> schemas.ModelList:
    """The team's model registrations, by id."""
    rows = session.scalars(
        select(ModelDocument).where(ModelDocument.team_id == caller.team_id).order_by(ModelDocument.document_id)
    )
    return schemas.ModelList(items=[schemas.Model.model_validate(row) for row in rows])


@router.get("/models/{model_id}", response_model=schemas.ModelDetail, responses={404: {"description": "No such"}})
def read_model(model_id: str, caller: Reader, session: DbSession) -> schemas.ModelDetail:
    """One registration, with its assessments."""
    row = session.scalar(
        select(ModelDocument).where(ModelDocument.team_id == caller.team_id, ModelDocument.document_id == model_id)
    )
    if row is None:
        raise NotFound(f"This team has no model {model_id!r}; GET /api/v1/models lists the ones it has.")
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
    if model_id is not None:
        query = query.where(AssessmentDocument.model_id == model_id)
    rows = session.scalars(query.order_by(AssessmentDocument.document_id))
    return [schemas.Assessment.model_validate(row) for row in rows]
