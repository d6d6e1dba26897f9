"""A route around the governed client layers, refused: one record naming the route, one PolicyViolation."""

from __future__ import annotations

import contextlib
import sys
import uuid
from typing import TYPE_CHECKING, Any, NoReturn

from aigov_core.errors import EvidenceError, PolicyViolation

from ..pipeline import refuse

if TYPE_CHECKING:
    from ..gateway import Gateway

UNGOVERNED = "routes.ungoverned"
# modules that carry a connection or a program start on someone's behalf: the one who asked is further out
_CARRIERS = ("socket", "ssl", "asyncio", "selectors", "subprocess", "os", "concurrent", "threading", "jupyter_aigov")


def opened_by() -> str:
    """The module that asked for the connection or the program: the first frame outside the carriers."""
    frame = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", "?"))
        if module.split(".", 1)[0] not in _CARRIERS:
            return module
        frame = frame.f_back  # type: ignore[assignment]
    return "?"


def record_route(gateway: Gateway, route: str, provider: str, endpoint: str, origin: str, reason: str) -> Any:
    """The refusal on record (None when the log cannot be written): the route, the endpoint, who opened it."""
    record = None
    with contextlib.suppress(EvidenceError):  # refused either way; the violation carries the reason
        record = gateway.evidence.record(
            "ai.call",
            call_id=uuid.uuid4().hex[:16],
            provider=provider,
            decision="block",
            rules=[UNGOVERNED],
            route=route,
            endpoint=endpoint,
            opened_by=origin,
            reason=reason,
        )
    gateway.pipeline.tally.count("block", record)
    return record


def refuse_route(gateway: Gateway, route: str, provider: str, endpoint: str, what: str, hint: str) -> NoReturn:
    """Record the route and raise its refusal, so that the caller receives it as itself."""
    origin = opened_by()
    reason = f"{what} (by {origin}) would reach the AI endpoint {endpoint} ({provider}) around aigov's governed clients"
    record = record_route(gateway, route, provider, endpoint, origin, reason + ", so it was refused.")
    refuse(PolicyViolation(UNGOVERNED, reason + "; it was refused before it started.", record, hint))
