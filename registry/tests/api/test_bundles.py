"""``/bundles``: real bundles stored once with their records; every hostile or broken upload refused, nothing kept."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from aigov_registry.app import create_app
from aigov_registry.config import Settings
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ..conftest import Stored
from ..projects import Project

NOTHING = Stored(bundles=0, decisions=0, models=0, assessments=0, files=0)
Send = Callable[..., httpx.Response]


def test_when_a_real_bundle_is_uploaded_then_its_file_records_and_inventory_are_stored(
    project: Project, tmp_path: Path, send: Send, auth, client: TestClient, settings: Settings, stored
):
    project.record(12)
    model_id = project.register()
    project.assess(model_id, status="submitted", answers={"GOVERN 1.1": {"status": "met"}})
    bundle = project.export(tmp_path / "audit.zip")
    submit = auth("team-a", "submit")

    answer = send(bundle, submit)

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["created"] is True and body["records"] == 12 and body["records_new"] == 12
    assert body["sha256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()
    assert body["signer"].startswith("SHA256:") and body["exported_by"] == "ada"
    assert body["verification"]["ok"] is True
    assert body["verification"]["logs"] == {"data/evidence/churn.jsonl": 12, "data/inventory/changes.jsonl": 2}
    assert body["summary"]["calls"]["total"] == 12
    assert body["inventory"] == {"models": 1, "assessments": 1, "changed": 2}
    assert stored() == Stored(bundles=1, decisions=12, models=1, assessments=1, files=1)
    kept = settings.bundle_folder() / "bundles" / body["sha256"][:2] / f"{body['sha256']}.zip"
    assert kept.read_bytes() == bundle.read_bytes()
    read = client.get(f"/api/v1/bundles/{body['id']}", headers=submit)
    assert read.status_code == 200 and read.json()["verification"]["signer"] == body["signer"]
    listed = client.get("/api/v1/bundles", headers=submit).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["next_cursor"] is None


def test_when_the_same_bundle_is_sent_twice_then_the_second_answer_is_200_with_the_same_id(
    project: Project, tmp_path: Path, send: Send, auth, stored
):
    project.record(5)
    bundle = project.export(tmp_path / "audit.zip")
    submit = auth("team-a", "submit")
    first = send(bundle, submit)
    before = stored()

    again = send(bundle, submit)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert stored() == before == Stored(bundles=1, decisions=5, models=0, assessments=0, files=1)


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_when_two_exports_of_a_growing_log_arrive_then_each_record_is_stored_once(
    project: Project, tmp_path: Path, send: Send, auth, stored, order: str
):
    project.record(5)
    older = project.export(tmp_path / "older.zip")
    project.record(4)
    newer = project.export(tmp_path / "newer.zip")
    submit = auth("team-a", "submit")
    first, second = (older, newer) if order == "older first" else (newer, older)

    answers = [send(first, submit).json(), send(second, submit).json()]

    assert stored() == Stored(bundles=2, decisions=9, models=0, assessments=0, files=2)
    expected_new = [5, 4] if order == "older first" else [9, 0]
    assert [answer["records_new"] for answer in answers] == expected_new
    assert [answer["records"] for answer in answers] == ([5, 9] if order == "older first" else [9, 5])


def test_when_an_excerpt_overlaps_a_whole_log_then_its_records_are_not_duplicated(
    project: Project, tmp_path: Path, send: Send, auth, client: TestClient, stored
):
    project.record(10)
    excerpt = project.export(tmp_path / "excerpt.zip", model="claude-*")
    whole = project.export(tmp_path / "whole.zip")
    submit = auth("team-a", "submit")

    from_excerpt = send(excerpt, submit).json()
    from_whole = send(whole, submit).json()

    assert from_excerpt["verification"]["logs"] == {"data/evidence/churn.excerpt.jsonl": 5}
    assert (from_excerpt["records_new"], from_whole["records_new"]) == (5, 5)
    assert stored().decisions == 10
    decisions = client.get("/api/v1/decisions", params={"model": "claude-3-5-haiku"}, headers=submit).json()["items"]
    assert {d["log"] for d in decisions} == {"data/evidence/churn.excerpt.jsonl"}


def _rezip(bundle: Path, change: Callable[[str, bytes], bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """The bundle's entries written again, each through ``change``; CRCs are right, so only the checks catch it."""
    out = io.BytesIO()
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, change(item.filename, source.read(item)))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def _tampered(bundle: Path) -> bytes:
    """One byte of the evidence log changed: a decision turned from block to blocK."""

    def change(name: str, data: bytes) -> bytes:
        if not name.endswith("data/evidence/churn.jsonl"):
            return data
        at = data.index(b'"block"') + 5
        return data[:at] + b"K" + data[at + 1 :]

    return _rezip(bundle, change)


def _damaged(bundle: Path) -> bytes:
    """One byte flipped inside the compressed log, as a bad copy leaves it."""
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as archive:
        info = next(item for item in archive.infolist() if item.filename.endswith("churn.jsonl"))
    start = info.header_offset + 30 + len(info.orig_filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    return bytes(data)


REFUSALS: dict[str, tuple[Callable[[Path], bytes], str]] = {
    "not a zip": (lambda _bundle: b"PK? no, just some text that is not a bundle\n" * 20, "not a zip file"),
    "empty body": (lambda _bundle: b"", "not a zip file"),
    "truncated": (lambda bundle: bundle.read_bytes()[: bundle.stat().st_size // 2], "truncated"),
    "tampered": (_tampered, "data/evidence/churn.jsonl"),
    "damaged": (_damaged, "damaged"),
    "zip slip": (lambda bundle: _rezip(bundle, lambda _n, d: d, {"../../etc/cron.d/evil": b"* * * * * x\n"}), "../"),
    "added file": (lambda bundle: _rezip(bundle, lambda _n, d: d, {"audit/data/extra.txt": b"x"}), "added afterwards"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_when_a_bundle_is_broken_or_hostile_then_422_names_the_fault_and_nothing_is_stored(
    project: Project, tmp_path: Path, send: Send, auth, stored, case: str
):
    project.record(8)
    project.register()
    bundle = project.export(tmp_path / "audit.zip")
    make, fault = REFUSALS[case]

    answer = send(make(bundle), auth("team-a", "submit"))

    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert fault in detail and "nothing of it was stored" in detail and "aigov verify" in detail
    assert "incoming" not in detail  # the server's temporary file name means nothing to the client
    assert stored() == NOTHING


def test_when_an_inventory_document_breaks_its_schema_then_422_names_the_file_and_nothing_is_stored(
    project: Project, tmp_path: Path, send: Send, auth, stored
):
    project.record(3)
    project.register()
    (project.folder / ".aigov" / "inventory" / "models" / "broken.json").write_text('{"id": "broken"}')
    bundle = project.export(tmp_path / "audit.zip")

    answer = send(bundle, auth("team-a", "submit"))

    assert answer.status_code == 422
    assert "data/inventory/models/broken.json" in answer.json()["detail"]
    assert "owner" in answer.json()["detail"]
    assert stored() == NOTHING


def _limited(settings: Settings, engine: Engine, limit: int) -> TestClient:
    return TestClient(create_app(Settings(settings.database_url, settings.data_dir, max_upload_bytes=limit), engine))


def test_when_an_upload_declares_more_than_the_limit_then_413_before_reading_and_nothing_is_stored(
    project: Project, tmp_path: Path, settings: Settings, engine: Engine, auth, stored
):
    project.record(40)
    bundle = project.export(tmp_path / "audit.zip")
    headers = {**auth("team-a", "submit"), "Content-Type": "application/zip"}
    with _limited(settings, engine, bundle.stat().st_size - 1) as client:
        answer = client.post("/api/v1/bundles", content=bundle.read_bytes(), headers=headers)

    assert answer.status_code == 413
    assert "--max-upload-mib" in answer.json()["detail"]
    assert stored() == NOTHING


def test_when_a_streamed_upload_passes_the_limit_then_413_and_the_partial_file_is_removed(
    settings: Settings, engine: Engine, auth, stored
):
    headers = {**auth("team-a", "submit"), "Content-Type": "application/zip"}
    chunks = (b"x" * 65536 for _ in range(40))  # no Content-Length: the registry counts as it reads
    with _limited(settings, engine, 1 << 20) as client:
        answer = client.post("/api/v1/bundles", content=chunks, headers=headers)

    assert answer.status_code == 413
    assert stored() == NOTHING


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "text/plain", ""])
def test_when_the_body_is_not_a_raw_zip_then_415_says_how_to_send_it(send: Send, auth, stored, content_type: str):
    answer = send(b"--x\r\n", auth("team-a", "submit"), content_type=content_type)

    assert answer.status_code == 415
    assert "--data-binary @bundle.zip" in answer.json()["detail"]
    assert stored() == NOTHING


def test_when_bundles_are_listed_then_pages_run_newest_first_and_each_appears_once(
    project: Project, tmp_path: Path, send: Send, auth, client: TestClient
):
    submit = auth("team-a", "submit")
    sent = []
    for number in range(5):
        project.record(1)
        sent.append(send(project.export(tmp_path / f"b{number}.zip"), submit).json()["id"])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/bundles", params=params, headers=submit).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(sent))


def test_when_an_unknown_bundle_is_read_then_404_says_where_to_look(client: TestClient, auth):
    answer = client.get("/api/v1/bundles/nope", headers=auth("team-a", "read"))

    assert answer.status_code == 404 and "GET /api/v1/bundles" in answer.json()["detail"]


def test_when_signers_are_pinned_then_only_their_bundles_are_stored(
    project: Project, tmp_path: Path, settings: Settings, engine: Engine, auth, stored
):
    from aigov_core.bundle.signing import load_or_create_user_key

    project.record(5)
    bundle = project.export(tmp_path / "audit.zip")
    ours = load_or_create_user_key(project.env)[0].fingerprint
    headers = {**auth("team-a", "submit"), "Content-Type": "application/zip"}
    other = "SHA256:" + "A" * 43

    with TestClient(create_app(replace(settings, signers=(other,)), engine)) as client:
        refused = client.post("/api/v1/bundles", content=bundle.read_bytes(), headers=headers)
    assert refused.status_code == 422
    assert ours in refused.json()["detail"] and other in refused.json()["detail"]
    assert stored() == NOTHING

    with TestClient(create_app(replace(settings, signers=(other, ours)), engine)) as client:
        accepted = client.post("/api/v1/bundles", content=bundle.read_bytes(), headers=headers)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["signer"] == ours
