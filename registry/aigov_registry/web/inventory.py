"""The inventory page and a model's page: its card, its assessments and its live usage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from aigov_core.inventory.records import RISK_TIER_LABELS
from aigov_registry.api import inventory, schemas
from aigov_registry.api.deps import DbSession
from aigov_registry.errors import NotFound
from aigov_registry.web.rendering import WebRoute, render
from aigov_registry.web.signin import Viewer
from aigov_registry.web.usage import usage_of

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@dataclass(frozen=True)
class Review:
    """Where a model's assessments stand: their statuses, the earliest next review, and whether it is past."""

    statuses: list[str]
    next_review: str | None
    overdue: bool


def review_of(assessments: list[schemas.Assessment], today: str) -> Review:
    """The review state of a model from its assessments (dates compare as ISO text)."""
    statuses = sorted({str(item.document.get("status", "draft")) for item in assessments})
    dates = [str(item.document["next_review"]) for item in assessments if item.document.get("next_review")]
    next_review = min(dates) if dates else None
    return Review(statuses, next_review, next_review is not None and next_review < today)


def names_of(document: dict[str, Any]) -> list[str]:
    """What calls name the model by: its model ids (its name when none) and its aliases."""
    ids = [str(name) for name in document.get("model_ids") or [document.get("name", "")] if name]
    return [*ids, *(str(alias) for alias in document.get("aliases") or [])]


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


@router.get("/models")
def inventory_page(request: Request, caller: Viewer, session: DbSession) -> Response:
    """The team's registered models with risk tier, owner, assessment status and next review."""
    models = inventory.list_models(caller, session).items
    assessments = inventory.list_assessments(caller, session).items
    today = _today()
    rows = [(model, review_of([a for a in assessments if a.model_id == model.id], today)) for model in models]
    return render(request, "inventory.html", {"caller": caller, "rows": rows, "tiers": RISK_TIER_LABELS})


@router.get("/models/{model_id}")
def model_page(model_id: str, request: Request, caller: Viewer, session: DbSession) -> Response:
    """One model: its registration and card, its assessments, and its live usage from the stored decisions."""
    try:
        model = inventory.read_model(model_id, caller, session)
    except NotFound:
        raise NotFound(f"This team has no model {model_id!r}; the inventory (/models) lists the ones it has.") from None
    names = names_of(model.document)
    context = {
        "caller": caller,
        "model": model,
        "doc": model.document,
        "card": {key: value for key, value in (model.document.get("model_card") or {}).items() if value},
        "names": names,
        "usage": usage_of(session, caller.team_id, names),
        "today": _today(),
        "tiers": RISK_TIER_LABELS,
    }
    return render(request, "model.html", context)
