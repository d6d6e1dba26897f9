"""``/bundles``: upload a signed evidence bundle, list the team's bundles, read one with its verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select, tuple_
from starlette.concurrency import run_in_threadpool

from aigov_registry.api import schemas
from aigov_registry.api.cursor import decode_cursor, encode_cursor
from aigov_registry.api.deps import DbSession, Reader, Submitter, registry
from aigov_registry.api.text import has_nul
from aigov_registry.errors import NotFound, UnsupportedUpload
from aigov_registry.ingest.bundle import ingest_bundle
from aigov_registry.ingest.upload import receive, too_large
from aigov_registry.models import Bundle

router = APIRouter(tags=["bundles"])
ZIP_TYPES = ("application/zip", "application/octet-stream", "application/x-zip-compressed")
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The bundle zip itself as the raw body (not a multipart form).",
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in ZIP_TYPES},
    }
}


@router.post(
    "/bundles",
    response_model=schemas.Ingested,
    status_code=201,
    openapi_extra=_UPLOAD_BODY,
    responses={
        200: {"model": schemas.Ingested, "description": "The team already had this bundle: nothing new stored."},
        413: {"description": "Larger than the registry accepts."},
        415: {"description": "Not sent as a raw zip body."},
        422: {"description": "Refused: the bundle failed verification; nothing of it was stored."},
    },
)
async def upload_bundle(request: Request, response: Response, caller: Submitter) -> schemas.Ingested:
    """Upload a bundle as the raw request body (``Content-Type: application/zip``); it is verified before storing.

    ``curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/zip" --data-binary @audit.zip
    $REGISTRY/api/v1/bundles``
    """
    found = registry(request)
    limit = found.settings.max_upload_bytes
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ZIP_TYPES:
        raise UnsupportedUpload(
            f"Send the bundle zip as the raw body with 'Content-Type: application/zip' (got {kind or 'none'!r}); "
            "with curl: --data-binary @bundle.zip -H 'Content-Type: application/zip'."
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)  # refused before a byte of it is read
    upload = await receive(request.stream(), found.store.incoming, limit)
    ingested = await run_in_threadpool(
        ingest_bundle,
        found.sessions,
        found.store,
        caller,
        upload,
        found.settings.archive_limits(),
        found.settings.signers,
    )
    response.status_code = 201 if ingested.created else 200
    detail = schemas.BundleDetail.model_validate(ingested.bundle)
    return schemas.Ingested(
        **detail.model_dump(),
        created=ingested.created,
        inventory=schemas.InventoryCounts.model_validate(ingested.inventory),
    )


@router.get("/bundles", response_model=schemas.BundlePage)
def list_bundles(
    caller: Reader,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
) -> schemas.BundlePage:
    """The team's bundles, newest first."""
    query = select(Bundle).where(Bundle.team_id == caller.team_id)
    if cursor:
        received_at, bundle_id = decode_cursor(cursor, str)
        query = query.where(tuple_(Bundle.received_at, Bundle.id) < (received_at, bundle_id))
    rows = session.scalars(query.order_by(Bundle.received_at.desc(), Bundle.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    following = encode_cursor(page[-1].received_at, page[-1].id) if len(rows) > limit else None
    return schemas.BundlePage(items=[schemas.BundleItem.model_validate(row) for row in page], next_cursor=following)


@router.get("/bundles/{bundle_id}", response_model=schemas.BundleDetail, responses={404: {"description": "No such"}})
def read_bundle(bundle_id: str, caller: Reader, session: DbSession) -> schemas.BundleDetail:
    """One of the team's bundles, with its verification result and summary."""
    # an id with a NUL names no bundle, and PostgreSQL refuses to compare text holding one
    row = (
        None
        if has_nul(bundle_id)
        else session.scalar(select(Bundle).where(Bundle.team_id == caller.team_id, Bundle.id == bundle_id))
    )
    if row is None:
        raise NotFound(f"This team has no bundle {bundle_id!r}; GET /api/v1/bundles lists the ones it has.")
    return schemas.BundleDetail.model_validate(row)
