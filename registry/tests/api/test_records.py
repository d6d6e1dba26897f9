"""``/records``: live evidence records checked by hash, stored once per team, and not again from a later bundle."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from aigov_registry.app import create_app
from aigov_registry.config import Settings
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from aigov_core.evidence.canonical import canonical_json

from ..conftest import Stored
from ..projects import Project

Auth = Callable[[str, str], dict[str, str]]
Send = Callable[..., httpx.Response]


def test_when_records_are_pushed_twice_then_they_are_stored_once_as_live_decisions(
    client: TestClient, auth: Auth, project: Project
):
    headers = auth("team-a", "submit")
    records = project.record(3)

    first = client.post("/api/v1/records", json={"log": "churn.jsonl", "records": records}, headers=headers)
    second = client.post("/api/v1/records", json={"log": "churn.jsonl", "records": records[1:]}, headers=headers)
    decisions = client.get("/api/v1/decisions", headers=headers).json()["items"]

    assert first.json() == {"stored": 3, "duplicates": 0}
    assert second.json() == {"stored": 0, "duplicates": 2}
    assert [(d["seq"], d["origin"], d["bundle_id"], d["log"]) for d in decisions] == [
        (n, "live", None, "data/evidence/churn.jsonl") for n in (1, 2, 3)
    ]
    assert decisions[0]["record_hash"] == records[0]["hash"] and decisions[0]["model"] == records[0]["model"]


def test_when_a_bundle_later_holds_the_pushed_records_then_it_adds_only_the_new_ones(
    client: TestClient, auth: Auth, project: Project, send: Send, tmp_path: Path, stored: Callable[[], Stored]
):
    headers = auth("team-a", "submit")
    client.post("/api/v1/records", json={"log": "churn.jsonl", "records": project.record(4)}, headers=headers)
    project.record(2)

    bundle = send(project.export(tmp_path / "audit.zip"), headers).json()

    assert (bundle["records"], bundle["records_new"]) == (6, 2)
    assert stored().decisions == 6
    origins = [d["origin"] for d in client.get("/api/v1/decisions", headers=headers).json()["items"]]
    assert origins == ["live"] * 4 + ["bundle"] * 2


def test_when_one_record_was_altered_then_422_names_its_index_and_nothing_is_stored(
    client: TestClient, auth: Auth, project: Project, stored: Callable[[], Stored]
):
    headers = auth("team-a", "submit")
    records = project.record(3)
    records[1] = {**records[1], "decision": "allow" if records[1]["decision"] != "allow" else "block"}

    answer = client.post("/api/v1/records", json={"log": "churn.jsonl", "records": records}, headers=headers)

    assert answer.status_code == 422 and "Record 1 (seq 2) does not match its hash" in answer.json()["detail"]
    assert stored().decisions == 0


def test_when_a_record_has_no_hash_then_422_says_to_send_them_as_the_log_holds_them(
    client: TestClient, auth: Auth, project: Project
):
    record = {key: value for key, value in project.record(1)[0].items() if key != "hash"}

    answer = client.post(
        "/api/v1/records", json={"log": "churn.jsonl", "records": [record]}, headers=auth("team-a", "submit")
    )

    assert answer.status_code == 422 and "exactly as the log holds them" in answer.json()["detail"]


def test_when_too_many_records_come_at_once_then_413_says_to_split_them(client: TestClient, auth: Auth):
    answer = client.post(
        "/api/v1/records", json={"log": "churn.jsonl", "records": [{}] * 5_001}, headers=auth("team-a", "submit")
    )

    assert answer.status_code == 413 and "at most 5,000" in answer.json()["detail"]


def test_when_the_log_name_is_a_path_then_422_asks_for_the_file_name(client: TestClient, auth: Auth, project: Project):
    answer = client.post(
        "/api/v1/records",
        json={"log": "../../etc/passwd.jsonl", "records": project.record(1)},
        headers=auth("team-a", "submit"),
    )

    assert answer.status_code == 422 and "e.g. churn.jsonl" in answer.json()["detail"]


def _rehashed(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The record changed and hashed again, as a log that wrote it so would hold it."""
    changed = {key: value for key, value in record.items() if key != "hash"} | changes
    return changed | {"hash": hashlib.sha256(canonical_json(changed)).hexdigest()}


def test_when_one_record_is_larger_than_a_record_may_be_then_413_names_the_limit_and_nothing_is_stored(
    client: TestClient, auth: Auth, project: Project, stored: Callable[[], Stored]
):
    first, second = project.record(2)
    records = [first, _rehashed(second, reason="x" * (100 << 10))]

    answer = client.post(
        "/api/v1/records", json={"log": "churn.jsonl", "records": records}, headers=auth("t", "submit")
    )

    assert answer.status_code == 413
    assert "Record 1 (seq 2)" in answer.json()["detail"]
    assert "at most 65,536 bytes (64 KiB; the registry's --max-record-kib)" in answer.json()["detail"]
    assert stored().decisions == 0


def _body_limited(settings: Settings, engine: Engine) -> TestClient:
    return TestClient(create_app(replace(settings, max_body_bytes=1 << 20, max_record_bytes=8 << 20), engine))


@pytest.mark.parametrize("chunked", [False, True], ids=["with Content-Length", "chunked"])
def test_when_a_body_is_larger_than_the_registry_accepts_then_413_names_the_limit_and_nothing_is_stored(
    settings: Settings, engine: Engine, auth: Auth, project: Project, stored: Callable[[], Stored], chunked: bool
):
    record = _rehashed(project.record(1)[0], reason="x" * (2 << 20))
    body = json.dumps({"log": "churn.jsonl", "records": [record]}).encode()
    headers = {**auth("team-a", "submit"), "Content-Type": "application/json"}
    content = (body[i : i + 65536] for i in range(0, len(body), 65536)) if chunked else body

    with _body_limited(settings, engine) as client:
        answer = client.post("/api/v1/records", content=content, headers=headers)

    assert answer.status_code == 413
    assert "larger than this registry accepts (1 MiB)" in answer.json()["detail"]
    assert "--max-body-mib" in answer.json()["detail"]
    assert stored().decisions == 0


def test_when_any_other_request_is_larger_than_the_body_limit_then_413(settings: Settings, engine: Engine, auth: Auth):
    headers = {**auth("team-a", "admin"), "Content-Type": "application/json"}
    chunks = (b" " * 65536 for _ in range(20))  # whitespace: valid JSON padding, if it were ever read whole

    with _body_limited(settings, engine) as client:
        models = client.post("/api/v1/models", content=chunks, headers=headers)
        sign_in = client.post(
            "/sign-in",
            content=b"token=" + b"x" * (2 << 20),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    assert (models.status_code, sign_in.status_code) == (413, 413)
    assert "--max-body-mib" in models.json()["detail"]
