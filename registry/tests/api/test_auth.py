"""Tokens and teams: no token 401, the wrong role 403, and a team never sees another team's anything (404)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from aigov_registry.db import session_factory
from aigov_registry.models import Token
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from ..conftest import Stored
from ..projects import Project

READS = ["/api/v1/bundles", "/api/v1/bundles/x", "/api/v1/decisions", "/api/v1/models", "/api/v1/models/x",
         "/api/v1/assessments"]  # fmt: skip
Send = Callable[..., httpx.Response]


@pytest.mark.parametrize(("method", "path"), [("GET", path) for path in READS] + [("POST", "/api/v1/bundles")])
@pytest.mark.parametrize("authorization", [None, "Bearer aigr_not-a-token", "Basic YWRhOnB3", "Bearer "])
def test_when_a_request_has_no_live_token_then_401_says_how_to_get_one(
    client: TestClient, method: str, path: str, authorization: str | None
):
    headers = {"Authorization": authorization} if authorization else {}
    answer = client.request(method, path, headers={**headers, "Content-Type": "application/zip"}, content=b"x")

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert "aigov-registry token create" in answer.json()["detail"]


def test_when_a_token_is_revoked_then_it_is_refused_with_401(client: TestClient, make_token, engine: Engine):
    token = make_token("team-a", "admin")
    assert client.get("/api/v1/bundles", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with session_factory(engine).begin() as session:
        session.execute(update(Token).values(revoked_at=datetime.now(UTC)))

    answer = client.get("/api/v1/bundles", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 401 and "revoked" in answer.json()["detail"]


def test_when_a_read_token_uploads_then_403_names_the_role_needed_and_nothing_is_stored(
    project: Project, tmp_path: Path, send: Send, auth, stored
):
    project.record(3)
    answer = send(project.export(tmp_path / "audit.zip"), auth("team-a", "read"))

    assert answer.status_code == 403
    assert "--team team-a --role submit" in answer.json()["detail"]
    assert stored() == Stored(0, 0, 0, 0, 0)


@pytest.mark.parametrize(("role", "status"), [("read", 403), ("submit", 201), ("admin", 201)])
def test_when_a_token_uploads_then_its_role_decides(
    project: Project, tmp_path: Path, send: Send, auth, role: str, status: int
):
    project.record(1)
    assert send(project.export(tmp_path / "audit.zip"), auth("team-a", role)).status_code == status


@pytest.mark.parametrize("role", ["read", "submit", "admin"])
def test_when_any_role_reads_then_it_may(client: TestClient, auth, role: str):
    assert client.get("/api/v1/decisions", headers=auth("team-a", role)).status_code == 200


def test_when_team_b_reads_then_it_never_sees_team_a_and_their_ids_are_404_for_it(
    project: Project, tmp_path: Path, send: Send, auth, client: TestClient
):
    project.record(6)
    model_id = project.register()
    project.assess(model_id)
    bundle = project.export(tmp_path / "audit.zip")
    a, b = auth("team-a", "submit"), auth("team-b", "admin")
    bundle_id = send(bundle, a).json()["id"]

    for path in ("/api/v1/bundles", "/api/v1/decisions", "/api/v1/models", "/api/v1/assessments"):
        assert client.get(path, headers=b).json()["items"] == [], path
        assert client.get(path, headers=a).json()["items"] != [], path
    for path in (f"/api/v1/bundles/{bundle_id}", f"/api/v1/models/{model_id}"):
        answer = client.get(path, headers=b)
        assert answer.status_code == 404 and "This team has no" in answer.json()["detail"], path
        assert client.get(path, headers=a).status_code == 200, path


def test_when_two_teams_send_the_same_bundle_then_each_keeps_its_own_copy_of_the_records(
    project: Project, tmp_path: Path, send: Send, auth, client: TestClient, stored
):
    project.record(4)
    bundle = project.export(tmp_path / "audit.zip")
    a, b = auth("team-a", "submit"), auth("team-b", "submit")

    first, second = send(bundle, a).json(), send(bundle, b).json()

    assert first["id"] != second["id"] and second["created"] is True and second["records_new"] == 4
    assert stored() == Stored(bundles=2, decisions=8, models=0, assessments=0, files=1)  # one file, content-addressed
    assert {d["bundle_id"] for d in client.get("/api/v1/decisions", headers=b).json()["items"]} == {second["id"]}
