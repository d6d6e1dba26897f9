"""Tokens: random, stored as a hash, ranked read < submit < admin, and dead once revoked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aigov_registry.db import session_factory
from aigov_registry.models import Token
from aigov_registry.tokens import Caller, caller_for, create_token, token_digest
from sqlalchemy import Engine, select


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("read", {"read"}), ("submit", {"read", "submit"}), ("admin", {"read", "submit", "admin"})],
)
def test_when_a_role_is_checked_then_higher_roles_include_lower_ones(role: str, allowed: set[str]):
    caller = Caller(team_id=1, team="a", role=role)

    assert {wanted for wanted in ("read", "submit", "admin") if caller.may(wanted)} == allowed


def test_when_a_token_is_looked_up_then_its_team_and_role_come_back_until_it_is_revoked(engine: Engine):
    sessions = session_factory(engine)
    with sessions.begin() as session:
        token = create_token(session, "team-a", "submit")
        other = create_token(session, "team-b", "read")

    with sessions() as session:
        found, found_other = caller_for(session, token), caller_for(session, other)
        assert caller_for(session, token + "x") is None
    assert (found and found.team, found and found.role) == ("team-a", "submit")
    assert found_other is not None and found_other.team == "team-b" and found_other.team_id != found.team_id  # type: ignore[union-attr]

    with sessions.begin() as session:
        session.scalar(select(Token).where(Token.token_sha256 == token_digest(token))).revoked_at = datetime.now(UTC)  # type: ignore[union-attr]
    with sessions() as session:
        assert caller_for(session, token) is None and caller_for(session, other) is not None


@pytest.mark.parametrize(("team", "role"), [("", "read"), ("x" * 101, "read"), ("a", "owner")])
def test_when_the_team_or_role_is_wrong_then_value_error(engine: Engine, team: str, role: str):
    with session_factory(engine).begin() as session, pytest.raises(ValueError):
        create_token(session, team, role)
