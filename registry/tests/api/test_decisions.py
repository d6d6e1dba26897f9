"""``/decisions``: filters that match what was recorded, and keyset pages that return every row exactly once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ..projects import Project

Send = Callable[..., httpx.Response]


def _all_pages(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):  # bounded: a cursor that never ends would otherwise hang the test
        page = client.get("/api/v1/decisions", params={**params, **({"cursor": cursor} if cursor else {})},
                          headers=headers)  # fmt: skip
        assert page.status_code == 200, page.text
        rows += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return rows
    raise AssertionError("the pages never ended")


@pytest.fixture
def recorded(project: Project, tmp_path: Path, send: Send, auth) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Three logs, 157 records (30 of them at one instant, so order falls to the id), sent in two bundles."""
    records = project.record(60, log="churn") + project.record(67, log="triage")
    records += project.record(30, log="churn", ts="2026-11-01T12:00:00.000000Z")
    headers = auth("team-a", "read")
    submit = auth("team-a", "submit")
    assert send(project.export(tmp_path / "part.zip", use_case="churn"), submit).status_code == 201
    assert send(project.export(tmp_path / "all.zip"), submit).status_code == 201
    return records, headers


@pytest.mark.parametrize("limit", [1, 7, 100, 1000])
def test_when_pages_are_followed_then_every_record_comes_once_in_time_then_id_order(
    client: TestClient, recorded, limit: int
):
    records, headers = recorded

    rows = _all_pages(client, headers, limit=limit)

    assert len(rows) == len(records) == 157
    assert sorted(row["record_hash"] for row in rows) == sorted(record["hash"] for record in records)
    assert [(row["ts"], row["id"]) for row in rows] == sorted((row["ts"], row["id"]) for row in rows)


@pytest.mark.parametrize(
    "filters",
    [
        {"model": "claude-3-5-haiku"},
        {"user": "ben"},
        {"use_case": "triage"},
        {"decision": "block"},
        {"model": "gpt-4o-mini", "decision": "allow", "user": "cy"},
        {"event": "ai.call", "use_case": "churn"},
        {"model": "no-such-model"},
    ],
)
def test_when_filtered_then_exactly_the_matching_records_come(client: TestClient, recorded, filters: dict[str, str]):
    records, headers = recorded
    expected = {r["hash"] for r in records if all(r.get(key) == value for key, value in filters.items())}

    rows = _all_pages(client, headers, limit=10, **filters)

    assert {row["record_hash"] for row in rows} == expected
    assert len(rows) == len(expected)


@pytest.mark.parametrize(
    ("since", "until"),
    [
        ("2026-11-01T10:00:00Z", None),
        (None, "2026-11-01T10:00:00Z"),
        ("2026-11-01T09:30:00", "2026-11-01T12:00:00.000001+00:00"),
        ("2026-11-01T12:00:00Z", "2026-11-01T12:00:00Z"),
        ("2026-11-01", "2026-11-02"),
        ("2026-11-01T10:00:00+01:00", None),
    ],
)
def test_when_a_time_range_is_given_then_since_is_inclusive_and_until_exclusive(
    client: TestClient, recorded, since: str | None, until: str | None
):
    from datetime import UTC, datetime

    records, headers = recorded

    def moment(text: str) -> datetime:
        parsed = datetime.fromisoformat(text if "T" in text else text + "T00:00:00")
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed

    expected = {
        r["hash"]
        for r in records
        if (since is None or moment(r["ts"]) >= moment(since)) and (until is None or moment(r["ts"]) < moment(until))
    }
    params = {key: value for key, value in (("since", since), ("until", until)) if value is not None}

    rows = _all_pages(client, headers, limit=50, **params)

    assert {row["record_hash"] for row in rows} == expected


def test_when_a_record_is_read_then_it_carries_its_fields_and_usage(client: TestClient, recorded):
    records, headers = recorded
    row = client.get("/api/v1/decisions", params={"limit": 1}, headers=headers).json()["items"][0]
    first = records[0]

    # the excerpt (use case churn) came first: a record is kept as the first bundle that held it brought it
    assert (row["seq"], row["record_hash"], row["log"]) == (1, first["hash"], "data/evidence/churn.excerpt.jsonl")
    assert row["ts"].startswith("2026-11-01T09:00:00")
    assert (row["user"], row["model"], row["provider"], row["decision"]) == ("ada", "gpt-4o-mini", "openai", "allow")
    assert (row["input_tokens"], row["output_tokens"], row["cost_usd"]) == (10, 5, 0.0001)
    assert row["rules"] == ["models.allow"] and row["session"] == "s-1" and row["notebook"] == "churn.ipynb"


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"cursor": "not-a-cursor"}, 400, "pass next_cursor from the previous page unchanged"),
        ({"cursor": "WyIyMDI2IiwxXQ"}, 400, "pass next_cursor"),  # base64 of ["2026",1]: no zone
        ({"since": "last tuesday"}, 400, "2026-11-01"),
        ({"until": "2026-13-01"}, 400, "2026-11-01"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 1001}, 422, "limit"),
    ],
)
def test_when_a_parameter_cannot_be_read_then_the_detail_says_how_to_fix_it(
    client: TestClient, auth, params: dict[str, Any], status: int, says: str
):
    answer = client.get("/api/v1/decisions", params=params, headers=auth("team-a", "read"))

    assert answer.status_code == status
    assert isinstance(answer.json()["detail"], str) and says in answer.json()["detail"]
