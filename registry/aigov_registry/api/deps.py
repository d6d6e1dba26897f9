"""What routes depend on: the registry, a database session, and the caller with a role checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from aigov_registry.errors import Forbidden, NotAuthenticated
from aigov_registry.tokens import Caller, caller_for

if TYPE_CHECKING:
    from aigov_registry.app import Registry

_bearer = HTTPBearer(
    auto_error=False, description="A token made with `aigov-registry token create --team T --role ROLE`."
)


def registry(request: Request) -> Registry:
    """The application's registry (database, store, settings)."""
    found: Registry = request.app.state.registry
    return found


def session(request: Request) -> Iterator[Session]:
    """A session for one request, closed after it."""
    with registry(request).sessions() as opened:
        yield opened


def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    """The caller of a request with a live bearer token; 401 otherwise."""
    if credentials is None:
        raise NotAuthenticated(
            "This request needs a token: send 'Authorization: Bearer <token>' with a token made by "
            "`aigov-registry token create --team TEAM --role read`."
        )
    with registry(request).sessions() as opened:
        caller = caller_for(opened, credentials.credentials)
    if caller is None:
        raise NotAuthenticated(
            "The token is not known to this registry or was revoked: ask its operator for a new one "
            "(`aigov-registry token create`)."
        )
    return caller


def requires(role: str) -> Callable[[Caller], Caller]:
    """A dependency that lets through callers whose role includes ``role``; 403 for the others."""

    def check(caller: Annotated[Caller, Depends(authenticated)]) -> Caller:
        if not caller.may(role):
            raise Forbidden(
                f"This needs a token with the {role} role; yours has the {caller.role} role. Ask the registry's "
                f"operator for one: `aigov-registry token create --team {caller.team} --role {role}`."
            )
        return caller

    return check


Reader = Annotated[Caller, Depends(requires("read"))]
Submitter = Annotated[Caller, Depends(requires("submit"))]
DbSession = Annotated[Session, Depends(session)]
