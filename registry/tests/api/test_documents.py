"""``/systems``, ``/models``, ``/assessments`` writes: create, read back, replace, delete, and refusals that say why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from .documents import ASSESSMENT, MODEL, SYSTEM

Auth = Callable[[str, str], dict[str, str]]
KINDS = [("systems", SYSTEM), ("models", MODEL), ("assessments", ASSESSMENT)]


@pytest.mark.parametrize(("kind", "document"), KINDS)
def test_when_a_document_is_created_replaced_and_deleted_then_reads_follow_and_revisions_count(
    client: TestClient, auth: Auth, kind: str, document: dict
):
    headers = auth("team-a", "submit")
    url = f"/api/v1/{kind}/{document['id']}"
    field = "summary" if kind == "assessments" else "owner"
    changed = {**document, field: "bo"}

    created = client.post(f"/api/v1/{kind}", json=document, headers=headers)
    replaced = client.put(url, json=changed, headers=headers)
    again = client.put(url, json=changed, headers=headers)
    read = client.get(url, headers=headers).json()
    listed = client.get(f"/api/v1/{kind}", headers=headers).json()["items"]
    deleted = client.delete(url, headers=headers)

    assert (created.status_code, created.json()["revision"]) == (201, 1)
    assert (replaced.status_code, replaced.json()["revision"]) == (200, 2)
    assert again.json()["revision"] == 2  # the same document again changes nothing
    assert read["document"][field] == "bo"
    assert [item["id"] for item in listed] == [document["id"]]
    assert deleted.status_code == 204
    assert client.get(url, headers=headers).status_code == 404


@pytest.mark.parametrize(("kind", "document"), KINDS)
def test_when_the_id_is_taken_then_create_is_409_and_says_to_put(
    client: TestClient, auth: Auth, kind: str, document: dict
):
    headers = auth("team-a", "submit")
    client.post(f"/api/v1/{kind}", json=document, headers=headers)

    answer = client.post(f"/api/v1/{kind}", json=document, headers=headers)

    assert answer.status_code == 409 and f"PUT /api/v1/{kind}/{document['id']}" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("kind", "document", "field"),
    [
        ("models", {**MODEL, "risk_tier": "enormous"}, "risk_tier"),
        ("models", {**MODEL, "id": "Not An Id"}, "id"),
        ("models", {**MODEL, "colour": "red"}, "colour"),
        ("assessments", {**ASSESSMENT, "status": "approved"}, "approver"),
        ("systems", {**SYSTEM, "purpose": ""}, "purpose"),
        ("systems", {**SYSTEM, "status": "sideways"}, "status"),
    ],
)
def test_when_a_document_is_invalid_then_422_names_the_field_and_nothing_is_stored(
    client: TestClient, auth: Auth, kind: str, document: dict, field: str
):
    headers = auth("team-a", "submit")

    answer = client.post(f"/api/v1/{kind}", json=document, headers=headers)

    assert answer.status_code == 422 and field in answer.json()["detail"], answer.text
    assert client.get(f"/api/v1/{kind}", headers=headers).json()["items"] == []
    assert client.get("/api/v1/history", headers=headers).json()["items"] == []


def test_when_a_put_names_another_id_in_its_body_then_400_says_ids_cannot_change(client: TestClient, auth: Auth):
    headers = auth("team-a", "submit")
    client.post("/api/v1/models", json=MODEL, headers=headers)

    answer = client.put("/api/v1/models/m-1", json={**MODEL, "id": "m-9"}, headers=headers)

    assert answer.status_code == 400 and "cannot change" in answer.json()["detail"]


def test_when_a_model_is_written_then_the_stored_document_is_the_full_validated_one(client: TestClient, auth: Auth):
    headers = auth("team-a", "submit")

    stored = client.post("/api/v1/models", json=MODEL, headers=headers).json()

    assert stored["bundle_id"] is None
    assert stored["document"]["model_ids"] == ["gpt-4o-mini"]  # the schema's default: calls use its name
    assert stored["document"]["updated_at"].endswith("Z")
    detail = client.get("/api/v1/models/m-1", headers=headers).json()
    assert detail["document"] == stored["document"] and detail["assessments"] == []


@pytest.mark.parametrize(("kind", "document"), [("models", MODEL), ("assessments", ASSESSMENT)])  # revision: int
def test_when_a_document_holds_an_integer_json_cannot_carry_exactly_then_422_and_nothing_is_stored(
    client: TestClient, auth: Auth, kind: str, document: dict
):
    headers = auth("team-a", "submit")
    huge = {**document, "revision": -558940942003493504}  # beyond +/-2**53: no canonical JSON, so no history hash

    answer = client.post(f"/api/v1/{kind}", json=huge, headers=headers)

    assert answer.status_code == 422, answer.text
    assert "hash-chained history" in answer.json()["detail"]
    assert client.get(f"/api/v1/{kind}", headers=headers).json()["items"] == []
    assert client.get("/api/v1/history", headers=headers).json()["items"] == []
