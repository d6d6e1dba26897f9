"""The decisions explorer: the team's records filtered as the API filters them, a keyset page at a time."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from aigov_registry.api import decisions
from aigov_registry.api.deps import DbSession
from aigov_registry.web.rendering import WebRoute, render
from aigov_registry.web.signin import Viewer

router = APIRouter(route_class=WebRoute, include_in_schema=False)
FILTERS = ("model", "user", "use_case", "decision", "since", "until")
PAGE = 50
OUTCOMES = ("allow", "redact", "block")


def page_link(filters: dict[str, str], limit: int, cursor: str | None) -> str:
    """The explorer's address for these filters, starting after ``cursor`` (None: the first page)."""
    query = dict(filters)
    if limit != PAGE:
        query["limit"] = str(limit)
    if cursor:
        query["cursor"] = cursor
    return "/decisions" + (f"?{urlencode(query)}" if query else "")


@router.get("/decisions")
def decisions_page(
    request: Request,
    caller: Viewer,
    session: DbSession,
    model: str = "",
    user: str = "",
    use_case: str = "",
    decision: str = "",
    since: str = "",
    until: str = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = PAGE,
    cursor: str = "",
) -> Response:
    """The records matching every filter filled in (an empty field filters nothing), oldest first."""
    given = {"model": model, "user": user, "use_case": use_case, "decision": decision, "since": since, "until": until}
    filters = {name: value.strip() for name, value in given.items() if value.strip()}
    found = decisions.list_decisions(
        caller,
        session,
        model=filters.get("model"),
        user=filters.get("user"),
        use_case=filters.get("use_case"),
        decision=filters.get("decision"),
        since=filters.get("since"),
        until=filters.get("until"),
        limit=limit,
        cursor=cursor or None,
    )
    context = {
        "caller": caller,
        "filters": filters,
        "outcomes": OUTCOMES,
        "items": found.items,
        "limit": limit,
        "page": PAGE,
        "first": page_link(filters, limit, None) if cursor else None,
        "following": page_link(filters, limit, found.next_cursor) if found.next_cursor else None,
    }
    return render(request, "decisions.html", context)
