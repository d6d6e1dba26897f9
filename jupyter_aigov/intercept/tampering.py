"""What stands where a patch of aigov was removed or replaced: every call through it is refused, on record."""

from __future__ import annotations

import functools
import inspect
from typing import Any, NoReturn

from aigov_core.errors import PolicyViolation

from ..pipeline import active_gateway, refuse, tamper_hint

TAMPERED = "governance.tampered"


def refuse_tampered(where: str) -> NoReturn:
    """Refuse the call going through `where` now: a patch of aigov on its way was changed (and is on record)."""
    gateway = active_gateway()
    record = None
    if gateway is not None:
        record = gateway.pipeline.refuse_record(
            TAMPERED, f"Calls through {where} are refused: aigov's patch there was changed."
        )
    refuse(
        PolicyViolation(
            TAMPERED,
            f"aigov's patch of {where} was removed or replaced behind its back, so calls through it are refused "
            "from now on.",
            record,
            tamper_hint(),
        )
    )


def refusing(original: Any, where: str) -> Any:
    """A stand-in for `original` (sync or async) that refuses every call until aigov is loaded again."""
    target = original.__func__ if isinstance(original, staticmethod | classmethod) else original
    if inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target):

        @functools.wraps(target)
        async def refused_async(*args: Any, **kwargs: Any) -> Any:
            refuse_tampered(where)

        replacement: Any = refused_async
    else:

        @functools.wraps(target)
        def refused(*args: Any, **kwargs: Any) -> Any:
            refuse_tampered(where)

        replacement = refused
    del replacement.__wrapped__  # nothing to follow back to the original from here
    if isinstance(original, staticmethod):
        return staticmethod(replacement)
    if isinstance(original, classmethod):
        return classmethod(replacement)
    return replacement
