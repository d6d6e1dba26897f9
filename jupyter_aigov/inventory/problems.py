"""Validation failures as {field: message}, the shape forms show next to fields and errors list."""

from __future__ import annotations

from pydantic import ValidationError

from aigov_core.errors import InventoryError

_FIELD_PREFIX = ": "  # a model-level check names its field as "field: message"


def field_problems(error: ValidationError) -> dict[str, str]:
    """One message per field, e.g. {"risk_tier": "must be one of: prohibited, high, ..."}."""
    problems: dict[str, str] = {}
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if not location and _FIELD_PREFIX in message:
            location, _, message = message.partition(_FIELD_PREFIX)
        if item["type"] == "missing" or (
            item["type"] == "string_too_short" and item.get("ctx", {}).get("min_length") == 1
        ):
            message = "is required"
        elif item["type"] == "literal_error":
            message = "must be one of: " + item["msg"].removeprefix("Input should be ").replace("'", "")
        elif item["type"] == "extra_forbidden":
            message = "is not a field of this record"
        problems.setdefault(location or "record", message)
    return problems


def invalid(what: str, problems: dict[str, str], hint: str = "") -> InventoryError:
    """An InventoryError listing every field problem; nothing has been written when it is raised."""
    listed = "; ".join(f"{field} {message}" for field, message in problems.items())
    text = f"{what} is not valid, so nothing was written: {listed}."
    if hint:
        text += f" {hint}"
    return InventoryError(text, problems)
