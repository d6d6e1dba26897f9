"""Who a write is by, as the change history records it: the token's prefix and team (``aigr_AbCdEfG@churn``)."""

# No `from __future__ import annotations`: FastAPI must see resolve()'s annotation, which uses `role`.
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from aigov_registry.api.deps import requires
from aigov_registry.tokens import Caller

_SHOWN = 12  # as many characters as the tokens table keeps in `prefix`


@dataclass(frozen=True)
class Acting:
    """A caller allowed to write, and how the history names them."""

    caller: Caller
    actor: str


def acting(role: str) -> Callable[[Request, Caller], Acting]:
    """A dependency: the caller (of at least ``role``) and their actor name."""

    def resolve(request: Request, caller: Annotated[Caller, Depends(requires(role))]) -> Acting:
        # requires() accepted a live bearer token, so the header holds one.
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        return Acting(caller, f"{token[:_SHOWN]}@{caller.team}")

    return resolve


Writer = Annotated[Acting, Depends(acting("submit"))]
Admin = Annotated[Acting, Depends(acting("admin"))]
