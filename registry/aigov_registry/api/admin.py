"""``/admin/tokens``: an admin lists, makes and revokes the tokens of their own team (never another's)."""

from __future__ import annotations

from fastapi import APIRouter

from aigov_registry.api import schemas
from aigov_registry.api.acting import Admin
from aigov_registry.api.deps import DbSession
from aigov_registry.api.teams import create_team_token, revoke_token, team_tokens
from aigov_registry.errors import NotFound

router = APIRouter(tags=["admin"])


@router.get("/admin/tokens", response_model=schemas.TokenList)
def list_tokens(who: Admin, session: DbSession) -> schemas.TokenList:
    """The team's tokens: prefix, role, created, revoked; never the tokens themselves (role admin)."""
    items = [schemas.TokenItem.model_validate(row) for row in team_tokens(session, who.caller.team)]
    return schemas.TokenList(items=items)


@router.post("/admin/tokens", response_model=schemas.TokenCreated, status_code=201)
def create_token(body: schemas.TokenRequest, who: Admin, session: DbSession) -> schemas.TokenCreated:
    """Make a token of the team (role admin); the answer is the only time it is shown."""
    token, row = create_team_token(session, who.caller.team, body.role, who.actor)
    session.commit()
    return schemas.TokenCreated(**schemas.TokenItem.model_validate(row).model_dump(), token=token)


@router.delete("/admin/tokens/{prefix}", response_model=schemas.TokenItem, responses={404: {"description": "None"}})
def revoke(prefix: str, who: Admin, session: DbSession) -> schemas.TokenItem:
    """Revoke the team's token with this prefix (role admin); it is refused from then on."""
    row = revoke_token(session, prefix, who.actor, team=who.caller.team)
    if row is None:
        raise NotFound(f"This team has no live token {prefix!r}; GET /api/v1/admin/tokens lists its tokens.")
    session.commit()
    return schemas.TokenItem.model_validate(row)
