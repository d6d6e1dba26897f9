"""Teams and their tokens as admins manage them (the CLI and ``/admin``), each action in the team's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aigov_registry.history import append_change
from aigov_registry.models import Team, Token, utc_now
from aigov_registry.tokens import create_token, token_digest


@dataclass(frozen=True)
class TokenView:
    """A token as shown to people: never the token, only its prefix."""

    prefix: str
    team: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


def create_team(session: Session, name: str, actor: str) -> Team:
    """Make the team ``name``; ValueError when it exists or the name is unusable."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("The team name must be 1 to 100 characters.")
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise ValueError(f"The team {name!r} exists already; `aigov-registry token list --team {name}` shows it.")
    team = Team(name=name)
    session.add(team)
    session.flush()
    append_change(session, team_id=team.id, kind="team", document_id=name, action="create", actor=actor,
                  old=None, new={"name": name})  # fmt: skip
    return team


def create_team_token(session: Session, team: str, role: str, actor: str) -> tuple[str, TokenView]:
    """Make a token for ``team`` (created if missing), recorded in its history; the token and how it is listed."""
    if team.strip() and session.scalar(select(Team.id).where(Team.name == team.strip())) is None:
        create_team(session, team, actor)
    token = create_token(session, team, role)
    session.flush()
    row = session.scalars(select(Token).where(Token.token_sha256 == token_digest(token))).one()
    append_change(session, team_id=row.team_id, kind="token", document_id=row.prefix, action="create",
                  actor=actor, old=None, new={"role": role})  # fmt: skip
    return token, _view(row, team.strip())


def team_tokens(session: Session, team: str | None = None) -> list[TokenView]:
    """Every token (of one team when ``team`` is given), oldest first."""
    query = select(Token, Team.name).join(Team, Team.id == Token.team_id)
    if team is not None:
        query = query.where(Team.name == team)
    return [_view(row, name) for row, name in session.execute(query.order_by(Token.created_at, Token.id))]


def revoke_token(session: Session, prefix: str, actor: str, team: str | None = None) -> TokenView | None:
    """Revoke the live token with ``prefix`` (of ``team`` when given); None when there is no such token."""
    query = select(Token, Team.name).join(Team, Team.id == Token.team_id)
    if "\x00" in prefix:
        return None
    query = query.where(Token.prefix == prefix, Token.revoked_at.is_(None))
    if team is not None:
        query = query.where(Team.name == team)
    found = session.execute(query).all()
    if len(found) != 1:
        return None  # none, or (a 12-character prefix of 256 random bits) never in practice two
    row, name = found[0]
    row.revoked_at = utc_now()
    append_change(session, team_id=row.team_id, kind="token", document_id=row.prefix, action="delete",
                  actor=actor, old={"role": row.role}, new=None)  # fmt: skip
    return _view(row, name)


def _view(row: Token, team: str) -> TokenView:
    return TokenView(row.prefix, team, row.role, row.created_at, row.revoked_at)
