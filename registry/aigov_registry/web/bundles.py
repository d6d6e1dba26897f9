"""The bundles the team uploaded, with who exported and signed them and what verification found."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from aigov_registry.api import bundles
from aigov_registry.api.deps import DbSession
from aigov_registry.errors import NotFound
from aigov_registry.models import Bundle
from aigov_registry.web.rendering import WebRoute, render
from aigov_registry.web.signin import Viewer

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE = 50


@router.get("/bundles")
def bundles_page(
    request: Request,
    caller: Viewer,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = PAGE,
    cursor: str = "",
) -> Response:
    """The team's bundles, newest first, a keyset page at a time."""
    found = bundles.list_bundles(caller, session, limit=limit, cursor=cursor or None)
    # The listing leaves verification out; one query fetches it for this page's bundles only.
    rows = session.execute(
        select(Bundle.id, Bundle.verification).where(
            Bundle.team_id == caller.team_id, Bundle.id.in_([item.id for item in found.items])
        )
    )
    checks: dict[str, dict[str, Any]] = {bundle_id: verification for bundle_id, verification in rows}
    more = f"?limit={limit}&cursor={found.next_cursor}" if limit != PAGE else f"?cursor={found.next_cursor}"
    context = {
        "caller": caller,
        "items": [(item, checks.get(item.id, {})) for item in found.items],
        "first": "/bundles" if cursor else None,
        "following": f"/bundles{more}" if found.next_cursor else None,
    }
    return render(request, "bundles.html", context)


@router.get("/bundles/{bundle_id}")
def bundle_page(bundle_id: str, request: Request, caller: Viewer, session: DbSession) -> Response:
    """One bundle: its verification result, its logs and its summary."""
    try:
        bundle = bundles.read_bundle(bundle_id, caller, session)
    except NotFound:
        raise NotFound(f"This team has no bundle {bundle_id!r}; the bundles page (/bundles) lists them.") from None
    return render(request, "bundle.html", {"caller": caller, "bundle": bundle})
