"""Every error is ``{"detail": "<a sentence saying what to do>"}``, whatever raised it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("method", "path", "status", "says"),
    [
        ("GET", "/api/v1/nothing-here", 404, "/openapi.json"),
        ("DELETE", "/api/v1/bundles", 405, "/openapi.json"),
        ("GET", "/api/v1/decisions?limit=many", 422, "limit"),
    ],
)
def test_when_a_request_misses_then_the_detail_is_one_sentence(
    client: TestClient, auth, method: str, path: str, status: int, says: str
):
    answer = client.request(method, path, headers=auth("team-a", "read"))

    assert answer.status_code == status
    assert isinstance(answer.json()["detail"], str) and says in answer.json()["detail"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/decisions?model=%00", 200),
        ("/api/v1/decisions?user=a%00b&use_case=%00", 200),
        ("/api/v1/bundles/%00", 404),
    ],
)
def test_when_a_filter_or_id_holds_a_nul_then_nothing_matches_rather_than_a_server_error(
    client: TestClient, auth, path: str, status: int
):
    answer = client.get(path, headers=auth("team-a", "read"))

    assert answer.status_code == status
    if status == 200:
        assert answer.json() == {"items": [], "next_cursor": None}
