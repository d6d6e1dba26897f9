"""What a request's content must be to be stored: no NUL characters (PostgreSQL cannot hold them), hashable JSON."""

from __future__ import annotations

from typing import Any

from aigov_core.errors import EvidenceError
from aigov_core.evidence.canonical import canonical_json
from aigov_registry.errors import RegistryError


class Unprocessable(RegistryError):
    """422: the request is well formed but what it holds cannot be stored as it is."""

    status = 422


def has_nul(value: Any) -> bool:
    """Whether any string in ``value`` (keys too, at any depth) holds a NUL character."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def refuse_nul(value: Any, what: str) -> None:
    """Unprocessable naming ``what`` when it holds a NUL character."""
    if has_nul(value):
        raise Unprocessable(f"The {what} holds a NUL character (\\u0000), which the registry cannot store; remove it.")


def refuse_unhashable(value: Any, what: str) -> None:
    """Unprocessable naming ``what`` when its change record could not be hashed (RFC 8785 canonical JSON)."""
    try:
        canonical_json(value)
    except EvidenceError as exc:
        raise Unprocessable(f"The {what} cannot go into the registry's hash-chained history: {exc}") from None
