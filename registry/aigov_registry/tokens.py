"""API tokens: made at random, shown once, kept only as their SHA-256; roles ranked read < submit < admin."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aigov_registry.models import ROLES, Team, Token

TOKEN_PREFIX = "aigr_"
_SHOWN = 12  # characters kept in the clear, to tell tokens apart in a list; far too few to guess the rest from


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: the token's team and role."""

    team_id: int
    team: str
    role: str

    def may(self, role: str) -> bool:
        """Whether this caller's role includes ``role`` (admin may submit and read; submit may read)."""
        return ROLES.index(self.role) >= ROLES.index(role)


def token_digest(token: str) -> str:
    """The SHA-256 a token is stored as (tokens are 256 random bits: no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, team: str, role: str) -> str:
    """Store a new token of ``role`` for ``team`` (created if missing) and return it: the only time it is seen."""
    if role not in ROLES:
        raise ValueError(f"The role must be one of {', '.join(ROLES)} (got {role!r}).")
    name = team.strip()
    if not name or len(name) > 100:
        raise ValueError("The team name must be 1 to 100 characters.")
    found = session.scalar(select(Team).where(Team.name == name))
    if found is None:
        found = Team(name=name)
        session.add(found)
        session.flush()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(Token(team_id=found.id, role=role, token_sha256=token_digest(token), prefix=token[:_SHOWN]))
    return token


def caller_for(session: Session, token: str) -> Caller | None:
    """The team and role of a live token, or None when it is unknown or revoked."""
    row = session.execute(
        select(Token.role, Team.id, Team.name)
        .join(Team, Team.id == Token.team_id)
        .where(Token.token_sha256 == token_digest(token), Token.revoked_at.is_(None))
    ).first()
    return None if row is None else Caller(team_id=row.id, team=row.name, role=row.role)
