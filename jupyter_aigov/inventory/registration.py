"""Registering a model: check the fields, merge them over an earlier registration, store the change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from aigov_core.errors import InventoryError
from aigov_core.inventory.records import ModelCard, ModelRegistration, model_id_for
from jupyter_aigov.inventory.problems import field_problems, invalid
from jupyter_aigov.inventory.store import BOOKKEEPING, Inventory, changed_fields, now

FIELDS = frozenset(ModelRegistration.model_fields) - BOOKKEEPING - {"schema_version", "kind"}
CARD_FIELDS = frozenset(ModelCard.model_fields)  # also accepted at the top level: overview=..., license=...


def register_model(inventory: Inventory, fields: Mapping[str, Any], user: str, **context: Any) -> ModelRegistration:
    """Register a model, or update the registration with this id; unchanged fields write nothing.

    Fields given replace those of an earlier registration with the same id; fields left out keep their value.
    """
    unknown = sorted(set(fields) - FIELDS - CARD_FIELDS)
    if unknown:
        listed = ", ".join(sorted(FIELDS | CARD_FIELDS))
        problems = {name: "is not a registration field" for name in unknown}
        raise invalid("The registration", problems, f"Fields: {listed}.")
    fields = _card_fields_nested(fields)
    model_id = fields.get("id") or _default_id(fields)
    with inventory.locked():
        earlier = inventory.find_model(model_id) if model_id else None
        merged: dict[str, Any] = _editable(earlier) if earlier else {}
        given = {key: value for key, value in fields.items() if value is not None}
        if earlier is not None and isinstance(given.get("model_card"), Mapping):  # card sections merge too
            given["model_card"] = {**earlier.model_card.model_dump(), **given["model_card"]}
        merged.update(given)
        merged["id"] = model_id
        candidate = _validated(merged, earlier)
        _check_unclaimed(inventory, candidate)
        changes = changed_fields(earlier, candidate)
        if earlier is not None and not changes:
            return earlier
        stamp = now()
        stored = candidate.model_copy(
            update={
                "revision": (earlier.revision if earlier else 0) + 1,
                "registered_by": earlier.registered_by if earlier else user,
                "registered_at": earlier.registered_at if earlier else stamp,
                "updated_by": user,
                "updated_at": stamp,
            }
        )
        event = "inventory.model.updated" if earlier else "inventory.model.registered"
        return inventory.write(stored, event, changes, user=user, **context)


def _card_fields_nested(fields: Mapping[str, Any]) -> dict[str, Any]:
    card = {key: value for key, value in fields.items() if key in CARD_FIELDS and value is not None}
    flat = {key: value for key, value in fields.items() if key not in CARD_FIELDS}
    if card:
        given = flat.get("model_card")
        base = given.model_dump() if isinstance(given, ModelCard) else dict(given or {})
        flat["model_card"] = {**base, **card}
    return flat


def _default_id(fields: Mapping[str, Any]) -> str:
    provider, name = fields.get("provider"), fields.get("name")
    if not isinstance(provider, str) or not isinstance(name, str) or not provider.strip() or not name.strip():
        return ""  # validation names the missing fields
    version = fields.get("version")
    return model_id_for(provider.strip(), name.strip(), version.strip() if isinstance(version, str) else "")


def _editable(document: ModelRegistration) -> dict[str, Any]:
    return {key: value for key, value in document.model_dump().items() if key in FIELDS}


def _validated(merged: dict[str, Any], earlier: ModelRegistration | None) -> ModelRegistration:
    try:
        return ModelRegistration.model_validate(merged)
    except ValidationError as exc:
        problems = field_problems(exc)
        if "id" in problems and not merged.get("id"):
            problems.pop("id")  # the id is made from provider and name, which are reported themselves
        if "id" in problems:
            problems["id"] = "must be lower-case letters, digits, '.', '_' or '-' (at most 128)"
        what = f"The registration of '{merged['id']}'" if merged.get("id") else "The registration"
        raise invalid(what, problems) from exc


def _check_unclaimed(inventory: Inventory, candidate: ModelRegistration) -> None:
    """A model name may belong to one registration per provider, or a call could not tell which applies."""
    mine = {name.casefold() for name in candidate.names()}
    for other in inventory.models():
        if other.id == candidate.id or other.provider != candidate.provider:
            continue
        shared = sorted(name for name in other.names() if name.casefold() in mine)
        if shared:
            raise InventoryError(
                f"'{shared[0]}' ({candidate.provider}) is already registered as '{other.id}', so nothing was "
                f"written. Update that registration (aigov.register_model(id='{other.id}', ...)), or remove the "
                "name from this one.",
                {"model_ids": f"'{shared[0]}' belongs to '{other.id}'"},
            )
