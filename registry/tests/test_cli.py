"""``aigov-registry``: tokens printed once and stored hashed, migrations on demand, errors that say what to do."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from aigov_registry.cli import main
from aigov_registry.db import create_registry_engine, session_factory
from aigov_registry.models import Team, Token

TOKEN = re.compile(r"^aigr_[A-Za-z0-9_-]{43}$")


def test_when_a_token_is_created_then_it_is_printed_once_and_only_its_hash_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    database = tmp_path / "registry.sqlite3"

    assert main(["token", "create", "--team", "team-a", "--role", "submit", "--db", f"sqlite:///{database}"]) == 0

    out, err = capsys.readouterr()
    token = out.strip()
    assert TOKEN.match(token) and "shown only this once" in err
    with session_factory(create_registry_engine(f"sqlite:///{database}"))() as session:
        (row,) = session.query(Token).all()
        assert session.get(Team, row.team_id).name == "team-a"  # type: ignore[union-attr]
    assert (row.role, row.token_sha256, row.prefix) == (
        "submit",
        hashlib.sha256(token.encode()).hexdigest(),
        token[:12],
    )
    raw = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert token.encode() not in raw and token[12:].encode() not in raw


def test_when_tokens_are_made_for_one_team_then_the_team_is_made_once(database_url: str, capsys):
    url = database_url
    for role in ("read", "admin"):
        assert main(["token", "create", "--team", "team-a", "--role", role, "--db", url]) == 0
    tokens = capsys.readouterr().out.split()

    with session_factory(create_registry_engine(url))() as session:
        assert session.query(Team).count() == 1 and session.query(Token).count() == 2
    assert len(set(tokens)) == 2


def test_when_db_upgrade_runs_twice_then_both_say_the_newest_revision(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys
):
    monkeypatch.setenv("AIGOV_REGISTRY_DB", database_url)

    assert main(["db", "upgrade"]) == 0 and main(["db", "upgrade"]) == 0

    assert capsys.readouterr().out.count("is at revision 0003 (the newest)") == 2
    with session_factory(create_registry_engine(database_url))() as session:
        assert session.query(Team).count() == 0  # the schema is there, and empty


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["db", "upgrade", "--db", "not a url"], "is not a database URL"),
        (["token", "create", "--team", " ", "--role", "read", "--db", "sqlite:///{tmp}/r.sqlite3"], "team name"),
        (["db", "upgrade", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"], "that the database is reachable"),
        (["serve", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"], "--data-dir"),
        (["serve", "--db", "sqlite:///{tmp}/r.sqlite3", "--max-upload-mib", "0"], "positive number of MiB"),
    ],
)
def test_when_a_command_cannot_run_then_exit_1_says_what_to_change(tmp_path: Path, capsys, args: list[str], says: str):
    code = main([arg.replace("{tmp}", str(tmp_path)) for arg in args])

    assert code == 1 and says in capsys.readouterr().err


def test_when_the_role_is_unknown_then_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["token", "create", "--team", "a", "--role", "owner"])
    assert exited.value.code == 2 and "invalid choice" in capsys.readouterr().err
