"""``/policy``: the policy YAML a team hands its kernels, per use case or the team's default, with an ETag."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from aigov_core.errors import PolicyError
from aigov_core.policy import parse_policy_bytes
from aigov_core.policy.load import MAX_POLICY_BYTES, too_large
from aigov_registry.api import schemas
from aigov_registry.api.acting import Admin
from aigov_registry.api.deps import DbSession, Reader
from aigov_registry.api.text import Unprocessable, has_nul, refuse_nul
from aigov_registry.errors import Conflict, NotFound, UploadTooLarge
from aigov_registry.history import append_change
from aigov_registry.models import Policy, utc_now

router = APIRouter(tags=["policy"])
_USE_CASE = Query(max_length=128, description='The use case; leave out (or "") for the team\'s default policy.')
_YAML_BODY = {
    "requestBody": {
        "required": True,
        "description": "The policy YAML (as `aigov policy check` accepts it).",
        "content": {"application/yaml": {"schema": {"type": "string"}}},
    }
}


@router.get(
    "/policy",
    response_class=Response,
    responses={
        200: {"content": {"application/yaml": {"schema": {"type": "string"}}}, "description": "The policy YAML."},
        304: {"description": "The policy is the one the If-None-Match ETag names."},
        404: {"description": "The team has no policy for this use case and no default."},
    },
)
def read_policy(
    request: Request, caller: Reader, session: DbSession, use_case: Annotated[str, _USE_CASE] = ""
) -> Response:
    """The team's policy for ``use_case``, else its default; ``If-None-Match`` with its ETag answers 304."""
    row = (None if has_nul(use_case) else _stored(session, caller.team_id, use_case)) or _stored(
        session, caller.team_id, ""
    )
    if row is None:
        raise NotFound(
            f"This team has no policy for use case {use_case!r} and no default policy; an admin stores one with "
            "PUT /api/v1/policy?use_case=NAME (or without use_case for the default)."
        )
    etag = f'"{row.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    wanted = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(row.document.encode("utf-8"), media_type="application/yaml", headers=headers)


@router.put(
    "/policy",
    response_model=schemas.PolicyStored,
    openapi_extra=_YAML_BODY,
    responses={
        413: {"description": f"Larger than a policy may be ({MAX_POLICY_BYTES:,} bytes)."},
        422: {"description": "Not a valid policy: each problem with its line."},
    },
)
async def store_policy(
    request: Request, who: Admin, session: DbSession, use_case: Annotated[str, _USE_CASE] = ""
) -> schemas.PolicyStored:
    """Store the team's policy for ``use_case`` (or its default) after validating it (role admin)."""
    refuse_nul(use_case, "use case")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_POLICY_BYTES:
        raise _too_large(int(declared))  # refused before a byte of it is read
    data = bytearray()
    async for chunk in request.stream():  # counted as it comes: a larger body is never held whole
        data += chunk
        if len(data) > MAX_POLICY_BYTES:
            raise _too_large(None)  # chunked: its size is not known, only that it is too large
    source = f"policy[{use_case or 'default'}]"
    try:
        # Off the event loop: reading a policy is bounded, but still up to a second of pure-Python YAML.
        await run_in_threadpool(parse_policy_bytes, bytes(data), source)
    except PolicyError as exc:
        problems = "; ".join(problem.as_text(source) for problem in exc.problems) or str(exc)
        raise Unprocessable(
            f"The policy was not stored: {problems}. Fix it (check it locally with `aigov policy check FILE`) "
            "and send it again."
        ) from None
    stored = _save(session, who.caller.team_id, use_case, bytes(data).decode(), who.actor)
    return schemas.PolicyStored.model_validate(stored)


def _too_large(size: int | None) -> UploadTooLarge:
    return UploadTooLarge(
        f"The policy was not stored: {too_large(size).message}. Check it locally with `aigov policy check FILE`."
    )


def _save(session: Session, team_id: int, use_case: str, document: str, actor: str) -> Policy:
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    row = _stored(session, team_id, use_case)
    old = None if row is None else {"document": row.document, "sha256": row.sha256, "revision": row.revision}
    if row is None:
        row = Policy(team_id=team_id, use_case=use_case, document=document, sha256=digest, revision=1,
                     updated_by=actor)  # fmt: skip
        session.add(row)
    elif row.sha256 == digest:
        return row
    else:
        row.document, row.sha256, row.revision = document, digest, row.revision + 1
    row.updated_at, row.updated_by = utc_now(), actor[:100]
    new = {"document": document, "sha256": digest, "revision": row.revision}
    append_change(session, team_id=team_id, kind="policy", document_id=use_case,
                  action="update" if old else "create", actor=actor, old=old, new=new)  # fmt: skip
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("Another admin stored this policy at the same moment; read it again and retry.") from None
    return row


def _stored(session: Session, team_id: int, use_case: str) -> Policy | None:
    return session.scalar(select(Policy).where(Policy.team_id == team_id, Policy.use_case == use_case))
