"""What notebooks call: `aigov.register_model()`, `aigov.assess()`, `aigov.inventory()`.

With field arguments these write directly and return the stored document; without, they show a form.
"""

from __future__ import annotations

import contextlib
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigov_core.errors import EvidenceError, InventoryError
from aigov_core.evidence import utc_now
from jupyter_aigov.context import current_context
from jupyter_aigov.inventory.location import inventory_dir_for
from jupyter_aigov.policy.discover import find_policy_file
from jupyter_aigov.state import active_gateway

if TYPE_CHECKING:  # the documents' pydantic models load on first use, not with `import aigov`
    from aigov_core.inventory.records import Assessment, ModelRegistration
    from jupyter_aigov.inventory.store import Inventory

INVENTORY_COLUMNS = [
    "id", "name", "version", "provider", "model_ids", "owner", "risk_tier", "operator_role", "use_cases",
    "assessments", "approved", "next_review", "revision", "updated_by", "updated_at",
]  # fmt: skip


def current_inventory() -> Inventory:
    """The governed kernel's inventory, else the one of the project this process runs in."""
    from jupyter_aigov.inventory.store import Inventory

    gateway = active_gateway()
    if gateway is not None:
        return gateway.inventory
    context = current_context()
    home = Path(os.environ.get("HOME", "") or Path.home())
    return Inventory(inventory_dir_for(context.notebook_dir, os.environ, find_policy_file(context.notebook_dir, home)))


def _who() -> tuple[str, dict[str, Any]]:
    gateway = active_gateway()
    context = gateway.session.context if gateway is not None else current_context()
    return context.user, {"notebook": context.notebook}


def _note_in_notebook_log(document: ModelRegistration | Assessment, started: str) -> None:
    """The notebook's own evidence says which inventory change it made (the change log holds the details)."""
    gateway = active_gateway()
    if gateway is None or document.updated_at < started:  # unchanged: nothing was written
        return
    with contextlib.suppress(EvidenceError):  # the change itself is on the inventory's own log
        gateway.evidence.record(
            "inventory.change",
            decision="allow",
            reason=f"{document.kind.capitalize()} '{document.id}' stored (revision {document.revision}).",
            inventory_kind=document.kind,
            inventory_id=document.id,
            revision=document.revision,
            inventory=str(gateway.inventory.root),
        )


def register_model(**fields: Any) -> Any:
    """Register a model (or update its registration) and return it; with no fields, show the form.

    >>> aigov.register_model(name="gpt-4o-mini", provider="openai", owner="ds-team",
    ...                      intended_purpose="Summarise tickets", risk_tier="limited")  # doctest: +SKIP
    """
    inventory = current_inventory()
    if not fields:
        from jupyter_aigov.widgets.registration_form import RegistrationForm

        return RegistrationForm(inventory)
    return store_registration(inventory, fields)


def store_registration(inventory: Inventory, fields: dict[str, Any]) -> ModelRegistration:
    """Write a registration as the acting user; the form's submit button calls this too."""
    from jupyter_aigov.inventory import registration

    user, context = _who()
    started = utc_now()
    document = registration.register_model(inventory, fields, user, **context)
    _note_in_notebook_log(document, started)
    return document


def assess(model_id: str | None = None, **fields: Any) -> Any:
    """Record an assessment of a registered model against a framework and return it; with no fields, show the form.

    >>> aigov.assess("openai-gpt-4o-mini", framework="nist-ai-rmf", assessor="ana",
    ...              status="approved", approver="ben")  # doctest: +SKIP
    """
    inventory = current_inventory()
    if not fields:
        from jupyter_aigov.widgets.assessment_form import AssessmentForm

        return AssessmentForm(inventory, model_id)
    if not model_id:
        raise InventoryError("Name the model to assess: aigov.assess('<model id>', ...).", {"model_id": "is required"})
    return store_assessment(inventory, model_id, fields)


def store_assessment(inventory: Inventory, model_id: str, fields: dict[str, Any]) -> Assessment:
    """Write an assessment as the acting user; the form's submit button calls this too."""
    from jupyter_aigov.inventory import assessment as assessing  # the catalogues load on first use

    user, context = _who()
    started = utc_now()
    document = assessing.assess(inventory, model_id, fields, user, date.today(), **context)
    _note_in_notebook_log(document, started)
    return document


def inventory_rows(inventory: Inventory, today: date | None = None) -> list[dict[str, Any]]:
    """One row per registered model with its assessments' state."""
    today = today or date.today()
    by_model: dict[str, list[Assessment]] = {}
    for item in inventory.assessments():
        by_model.setdefault(item.model_id, []).append(item)
    rows = []
    for model in inventory.models():
        assessments = by_model.get(model.id, [])
        in_force = [item for item in assessments if item.in_force(today)]
        reviews = [item.next_review for item in in_force if item.next_review]
        row = model.model_dump(include=set(INVENTORY_COLUMNS))
        row.update(
            assessments={item.framework: item.status for item in assessments},
            approved=bool(in_force),
            next_review=min(reviews) if reviews else None,
        )
        rows.append({key: row.get(key) for key in INVENTORY_COLUMNS})
    return rows


def inventory() -> Any:
    """The registered models of this project as a pandas DataFrame, with their assessment state."""
    import pandas as pd

    return pd.DataFrame(inventory_rows(current_inventory()), columns=INVENTORY_COLUMNS)
