"""``/models`` and ``/assessments``: the team's newest registrations and assessments, as bundles brought them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from ..projects import Project

Send = Callable[..., httpx.Response]


def test_when_a_bundle_holds_an_inventory_then_models_and_assessments_can_be_read(
    project: Project, tmp_path: Path, send: Send, auth, client: TestClient
):
    project.record(2)
    gpt = project.register(aliases=["gpt-4o-mini-2024-07-18"], use_cases=["churn"])
    claude = project.register(name="claude-3-5-haiku", provider="anthropic")
    assessment = project.assess(gpt, status="submitted", answers={"GOVERN 1.1": {"status": "met"}})
    bundle_id = send(project.export(tmp_path / "audit.zip"), auth("team-a", "submit")).json()["id"]
    read = auth("team-a", "read")

    models = client.get("/api/v1/models", headers=read).json()["items"]
    detail = client.get(f"/api/v1/models/{gpt}", headers=read).json()
    assessments = client.get("/api/v1/assessments", params={"model_id": claude}, headers=read).json()["items"]

    assert [model["id"] for model in models] == sorted([gpt, claude])
    assert detail["document"]["aliases"] == ["gpt-4o-mini-2024-07-18"] and detail["document"]["owner"]
    assert (detail["revision"], detail["bundle_id"]) == (1, bundle_id)
    assert [item["id"] for item in detail["assessments"]] == [assessment]
    assert detail["assessments"][0]["document"]["status"] == "submitted"
    assert detail["assessments"][0]["model_id"] == gpt
    assert assessments == []


def test_when_a_newer_registration_arrives_then_it_replaces_the_copy_and_an_older_one_never_rolls_it_back(
    project: Project, tmp_path: Path, send: Send, auth, client: TestClient
):
    project.record(1)
    model_id = project.register(owner="team-one")
    older = project.export(tmp_path / "older.zip")
    project.register(owner="team-two")
    project.record(1)
    newer = project.export(tmp_path / "newer.zip")
    submit = auth("team-a", "submit")

    send(older, submit)
    after_older = client.get(f"/api/v1/models/{model_id}", headers=submit).json()
    updated = send(newer, submit).json()
    after_newer = client.get(f"/api/v1/models/{model_id}", headers=submit).json()
    project.record(1)
    send(project.export(tmp_path / "same-inventory.zip"), submit)
    after_same = client.get(f"/api/v1/models/{model_id}", headers=submit).json()

    assert (after_older["document"]["owner"], after_older["revision"]) == ("team-one", 1)
    assert updated["inventory"] == {"models": 1, "assessments": 0, "changed": 1}
    assert (after_newer["document"]["owner"], after_newer["revision"]) == ("team-two", 2)
    assert after_newer["bundle_id"] == updated["id"]
    assert after_same["revision"] == 2  # the same document again changes nothing


def test_when_an_older_bundle_arrives_after_a_newer_one_then_the_newer_registration_stays(
    project: Project, tmp_path: Path, send: Send, auth, client: TestClient
):
    project.record(1)
    model_id = project.register(owner="team-one")
    older = project.export(tmp_path / "older.zip")
    project.register(owner="team-two")
    newer = project.export(tmp_path / "newer.zip")
    submit = auth("team-a", "submit")

    send(newer, submit)
    late = send(older, submit).json()

    model = client.get(f"/api/v1/models/{model_id}", headers=submit).json()
    assert late["created"] is True and late["inventory"]["changed"] == 0
    assert (model["document"]["owner"], model["revision"]) == ("team-two", 1)


def test_when_an_unknown_model_is_read_then_404_says_where_to_look(client: TestClient, auth):
    answer = client.get("/api/v1/models/nope", headers=auth("team-a", "read"))

    assert answer.status_code == 404 and "GET /api/v1/models" in answer.json()["detail"]
