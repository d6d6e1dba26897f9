"""Token and team administration, by the CLI and by ``/admin/tokens``: listed without secrets, revoked, in history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from aigov_registry.cli import main
from aigov_registry.db import create_registry_engine, session_factory
from aigov_registry.history import verify_chain
from aigov_registry.models import Change, Team
from fastapi.testclient import TestClient
from sqlalchemy import select

Auth = Callable[[str, str], dict[str, str]]


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_when_tokens_are_listed_and_one_revoked_then_the_list_shows_prefixes_and_the_history_has_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    db = ("--db", f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    token = _cli(capsys, "token", "create", "--team", "team-a", "--role", "submit", *db)[1].strip()
    _cli(capsys, "token", "create", "--team", "team-b", "--role", "read", *db)

    code, listed, _ = _cli(capsys, "token", "list", "--team", "team-a", *db)
    revoked = _cli(capsys, "token", "revoke", token[:12], *db)
    _, after, _ = _cli(capsys, "token", "list", *db)

    assert code == 0 and token not in listed and listed.split("\t")[:3] == [token[:12], "team-a", "submit"]
    assert listed.strip().endswith("live")
    assert revoked[0] == 0 and "Revoked the submit token" in revoked[2]
    assert [line.split("\t")[1] for line in after.splitlines()] == ["team-a", "team-b"]
    assert not after.splitlines()[0].endswith("live")
    with session_factory(create_registry_engine(db[1]))() as session:
        team_id = session.scalar(select(Team.id).where(Team.name == "team-a"))
        changes = session.scalars(select(Change).where(Change.team_id == team_id).order_by(Change.seq)).all()
        assert [(c.kind, c.action, c.actor) for c in changes] == [
            ("team", "create", "cli"), ("token", "create", "cli"), ("token", "delete", "cli"),
        ]  # fmt: skip
        assert verify_chain(session, team_id).ok


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("token", "revoke", "aigr_nothing"), "`aigov-registry token list` shows the prefixes"),
        (("team", "create", "team-a"), "exists already"),
        (("team", "create", " "), "1 to 100 characters"),
    ],
)
def test_when_an_admin_command_cannot_be_done_then_exit_1_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], says: str
):
    db = ("--db", f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    assert _cli(capsys, "team", "create", "team-a", *db)[0] == 0

    code, _, err = _cli(capsys, *args, *db)

    assert code == 1 and says in err


def test_when_an_admin_makes_and_revokes_a_token_over_the_api_then_it_works_and_then_is_refused(
    client: TestClient, auth: Auth
):
    admin = auth("team-a", "admin")

    made = client.post("/api/v1/admin/tokens", json={"role": "read"}, headers=admin).json()
    worked = client.get("/api/v1/models", headers={"Authorization": f"Bearer {made['token']}"}).status_code
    revoked = client.delete(f"/api/v1/admin/tokens/{made['prefix']}", headers=admin).json()
    refused = client.get("/api/v1/models", headers={"Authorization": f"Bearer {made['token']}"}).status_code
    again = client.delete(f"/api/v1/admin/tokens/{made['prefix']}", headers=admin)

    assert (made["team"], made["role"], made["prefix"]) == ("team-a", "read", made["token"][:12])
    assert (worked, refused) == (200, 401)
    assert revoked["revoked_at"] is not None
    assert again.status_code == 404 and "GET /api/v1/admin/tokens" in again.json()["detail"]
    changes = client.get("/api/v1/history", params={"kind": "token"}, headers=admin).json()["items"]
    assert [(c["action"], c["document_id"]) for c in changes] == [
        ("create", made["prefix"]),
        ("delete", made["prefix"]),
    ]
