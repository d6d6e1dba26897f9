"""The change history: hash-chained per team, every write in it, tampering found, and concurrent writers in order."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from aigov_registry.db import session_factory
from aigov_registry.history import append_change, change_hash, verify_chain
from aigov_registry.models import Change, Team
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select, update

from aigov_core.evidence.canonical import canonical_json

from .api.documents import MODEL, SYSTEM, seed
from .projects import Project

Auth = Callable[[str, str], dict[str, str]]
Send = Callable[..., httpx.Response]


def _team(engine: Engine, name: str = "team-a") -> int:
    with session_factory(engine).begin() as session:
        team = Team(name=name)
        session.add(team)
        session.flush()
        return team.id


def _append(engine: Engine, team_id: int, document_id: str) -> None:
    with session_factory(engine).begin() as session:
        append_change(session, team_id=team_id, kind="system", document_id=document_id, action="create",
                      actor="test", old=None, new={"id": document_id})  # fmt: skip


def test_when_changes_are_appended_then_each_hash_is_the_sha256_of_its_canonical_fields(engine: Engine):
    team_id = _team(engine)
    for name in ("a", "b", "c"):
        _append(engine, team_id, name)

    with session_factory(engine)() as session:
        changes = session.scalars(select(Change).order_by(Change.seq)).all()
        check = verify_chain(session, team_id)

    assert [c.seq for c in changes] == [1, 2, 3] and changes[0].prev == "0" * 64
    assert [c.prev for c in changes[1:]] == [c.hash for c in changes[:-1]]
    body = {
        "team_id": team_id, "seq": 1, "kind": "system", "document_id": "a", "action": "create", "actor": "test",
        "at": changes[0].at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "old": None, "new": {"id": "a"}, "prev": "0" * 64,
    }  # fmt: skip
    assert changes[0].hash == hashlib.sha256(canonical_json(body)).hexdigest() == change_hash(changes[0])
    assert (check.ok, check.changes) == (True, 3)


@pytest.mark.parametrize(
    ("tamper", "fault"),
    [
        (update(Change).where(Change.seq == 2).values(actor="mallory"), "change 2 was altered"),
        (update(Change).where(Change.seq == 2).values(new={"id": "forged"}), "change 2 was altered"),
        (delete(Change).where(Change.seq == 2), "change 2 is missing"),
        (update(Change).where(Change.seq == 3).values(prev="f" * 64), "change 3's prev does not match"),
    ],
)
def test_when_a_stored_change_is_tampered_with_then_verify_names_the_first_broken_change(
    engine: Engine, tamper, fault: str
):
    team_id = _team(engine)
    for name in ("a", "b", "c"):
        _append(engine, team_id, name)
    with session_factory(engine).begin() as session:
        session.execute(tamper)

    with session_factory(engine)() as session:
        check = verify_chain(session, team_id)

    assert not check.ok and check.fault is not None and fault in check.fault


def test_when_writers_race_on_one_team_then_every_change_gets_its_own_seq_and_the_chain_holds(engine: Engine):
    team_id, other = _team(engine), _team(engine, "team-b")
    failures: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(8):
                _append(engine, team_id if n % 4 else other, f"w{worker}-{n}")
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with session_factory(engine)() as session:
        for team, count in ((team_id, 36), (other, 12)):
            check = verify_chain(session, team)
            assert (check.ok, check.changes) == (True, count), check.fault


def test_when_the_api_writes_then_history_names_the_token_and_keeps_old_and_new(client: TestClient, make_token):
    token = make_token("team-a", "submit")
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/systems", json=SYSTEM, headers=headers)
    client.put("/api/v1/systems/sys-1", json={**SYSTEM, "owner": "bo"}, headers=headers)
    client.delete("/api/v1/systems/sys-1", headers=headers)

    changes = client.get("/api/v1/history", params={"document_id": "sys-1"}, headers=headers).json()["items"]

    assert [c["action"] for c in changes] == ["create", "update", "delete"]
    assert {c["actor"] for c in changes} == {f"{token[:12]}@team-a"}
    assert changes[1]["old"]["owner"] == "ana" and changes[1]["new"]["owner"] == "bo"
    assert changes[2]["old"]["owner"] == "bo" and changes[2]["new"] is None
    assert client.get("/api/v1/history/verify", headers=headers).json() == {
        "ok": True, "changes": 3, "fault": None, "seq": None,
    }  # fmt: skip


def test_when_history_is_paged_and_filtered_then_pages_follow_each_other(client: TestClient, auth: Auth):
    headers = auth("team-a", "admin")
    seed(client, headers)
    for n in range(3):
        client.put("/api/v1/models/m-1", json={**MODEL, "owner": f"owner-{n}"}, headers=headers)

    first = client.get("/api/v1/history", params={"kind": "model", "limit": 2}, headers=headers).json()
    rest = client.get(
        "/api/v1/history", params={"kind": "model", "limit": 2, "cursor": first["next_cursor"]}, headers=headers
    ).json()
    bad = client.get("/api/v1/history", params={"cursor": "yesterday"}, headers=headers)

    assert [c["action"] for c in first["items"] + rest["items"]] == ["create", "update", "update", "update"]
    assert rest["next_cursor"] is None
    assert bad.status_code == 400 and "next_cursor" in bad.json()["detail"]


def test_when_a_bundle_brings_inventory_then_its_changes_are_in_the_history_by_the_bundle(
    project: Project, tmp_path: Path, send: Send, auth: Auth, client: TestClient
):
    project.record(1)
    model_id = project.register()
    project.assess(model_id)
    headers = auth("team-a", "submit")
    bundle_id = send(project.export(tmp_path / "audit.zip"), headers).json()["id"]
    project.register(owner="someone-else")
    project.record(1)
    newer = send(project.export(tmp_path / "newer.zip"), headers).json()["id"]

    changes = client.get("/api/v1/history", headers=headers).json()["items"]

    shown = [(c["kind"], c["action"], c["actor"]) for c in changes]
    assert sorted(shown[:2]) == [
        ("assessment", "create", f"bundle {bundle_id}"),
        ("model", "create", f"bundle {bundle_id}"),
    ]
    assert shown[2:] == [("model", "update", f"bundle {newer}")]
    assert changes[-1]["old"]["owner"] != changes[-1]["new"]["owner"] == "someone-else"
    assert client.get("/api/v1/history/verify", headers=headers).json()["ok"] is True
