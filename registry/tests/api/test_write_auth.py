"""Every write endpoint against every role (no token 401, read 403, submit and admin as designed), and every
read endpoint scoped to the team (another team's ids are 404, its lists empty)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ..projects import Project
from .documents import ASSESSMENT, MODEL, POLICY, SYSTEM, seed

Auth = Callable[[str, str], dict[str, str]]
# (method, path, body, the lowest role allowed, the status it answers); "{token}" is a token of the team.
WRITES: list[tuple[str, str, Any, str, int]] = [
    ("POST", "/api/v1/systems", {**SYSTEM, "id": "sys-2"}, "submit", 201),
    ("PUT", "/api/v1/systems/sys-1", {**SYSTEM, "owner": "bo"}, "submit", 200),
    ("DELETE", "/api/v1/systems/sys-1", None, "submit", 204),
    ("POST", "/api/v1/models", {**MODEL, "id": "m-2"}, "submit", 201),
    ("PUT", "/api/v1/models/m-1", {**MODEL, "owner": "bo"}, "submit", 200),
    ("DELETE", "/api/v1/models/m-1", None, "submit", 204),
    ("POST", "/api/v1/assessments", {**ASSESSMENT, "id": "m-1.iso"}, "submit", 201),
    ("PUT", "/api/v1/assessments/m-1.nist", {**ASSESSMENT, "summary": "ok"}, "submit", 200),
    ("DELETE", "/api/v1/assessments/m-1.nist", None, "submit", 204),
    ("POST", "/api/v1/records", "records", "submit", 200),
    ("PUT", "/api/v1/policy?use_case=churn", POLICY, "admin", 200),
    ("POST", "/api/v1/admin/tokens", {"role": "read"}, "admin", 201),
    ("DELETE", "/api/v1/admin/tokens/{token}", None, "admin", 200),
    ("POST", "/api/v1/bundles", b"PK\x05\x06" + bytes(18), "submit", 422),  # an empty zip: refused, but allowed to try
]
ROLES = ("read", "submit", "admin")
READS = [
    "/api/v1/systems", "/api/v1/systems/sys-1", "/api/v1/models", "/api/v1/models/m-1", "/api/v1/assessments",
    "/api/v1/assessments/m-1.nist", "/api/v1/policy", "/api/v1/history", "/api/v1/decisions",
]  # fmt: skip


def _send(client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    if isinstance(body, bytes):
        kind = "application/zip" if path.endswith("bundles") else "application/yaml"
        return client.request(method, path, content=body, headers={**headers, "Content-Type": kind})
    return client.request(method, path, json=body, headers=headers)


def _prepare(client: TestClient, auth: Auth, project: Project, path: str, body: Any) -> tuple[str, Any]:
    seed(client, auth("team-a", "admin"))
    if "{token}" in path:
        spare = auth("team-a", "read")["Authorization"].removeprefix("Bearer ")
        path = path.replace("{token}", spare[:12])
    if body == "records":
        body = {"log": "churn.jsonl", "records": project.record(2)}
    return path, body


def test_when_the_api_has_a_write_endpoint_then_this_table_covers_it(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    published = {(method.upper(), path) for path, item in paths.items() for method in item if method != "get"}
    named = {"sys-1": "{system_id}", "m-1.nist": "{assessment_id}", "m-1": "{model_id}", "{token}": "{prefix}"}
    covered = set()
    for method, path, *_ in WRITES:
        for example, parameter in named.items():
            path = path.split("?")[0].replace(example, parameter)
        covered.add((method, path))

    assert published == covered


@pytest.mark.parametrize(("method", "path", "body", "lowest", "allowed"), WRITES)
@pytest.mark.parametrize("role", [None, *ROLES])
def test_when_a_role_writes_then_only_the_roles_allowed_get_through(
    client: TestClient, auth: Auth, project: Project, method: str, path: str, body: Any, lowest: str,
    allowed: int, role: str | None,
):  # fmt: skip
    path, body = _prepare(client, auth, project, path, body)
    headers = auth("team-a", role) if role else {}

    answer = _send(client, method, path, body, headers)

    if role is None:
        assert answer.status_code == 401, answer.text
    elif ROLES.index(role) < ROLES.index(lowest):
        assert answer.status_code == 403, answer.text
        assert f"--role {lowest}" in answer.json()["detail"]
    else:
        assert answer.status_code == allowed, answer.text


@pytest.mark.parametrize(("method", "path", "body", "lowest", "allowed"), [w for w in WRITES if w[0] != "POST"])
def test_when_another_team_writes_to_a_teams_id_then_it_is_404_and_nothing_changes(
    client: TestClient, auth: Auth, project: Project, method: str, path: str, body: Any, lowest: str, allowed: int
):
    path, body = _prepare(client, auth, project, path, body)
    before = client.get("/api/v1/history", headers=auth("team-a", "read")).json()["items"]

    answer = _send(client, method, path, body, auth("team-b", "admin"))

    if "policy" in path:  # a policy is addressed by use case within the caller's own team: B stored its own
        assert answer.status_code == 200
    else:
        assert answer.status_code == 404, answer.text
    assert client.get("/api/v1/history", headers=auth("team-a", "read")).json()["items"] == before


@pytest.mark.parametrize("path", READS)
def test_when_team_b_reads_then_it_never_sees_team_a(client: TestClient, auth: Auth, project: Project, path: str):
    a = auth("team-a", "admin")
    seed(client, a)
    client.post("/api/v1/records", json={"log": "churn.jsonl", "records": project.record(2)}, headers=a)
    b = auth("team-b", "read")

    mine, theirs = client.get(path, headers=a), client.get(path, headers=b)

    assert mine.status_code == 200, mine.text
    if theirs.status_code == 200:
        assert theirs.json()["items"] == [] and mine.json()["items"] != []
    else:
        assert theirs.status_code == 404 and "This team has no" in theirs.json()["detail"], theirs.text


def test_when_an_admin_lists_tokens_then_only_its_own_teams_appear_and_never_a_token(client: TestClient, auth: Auth):
    a = auth("team-a", "admin")
    auth("team-b", "admin")

    listed = client.get("/api/v1/admin/tokens", headers=a).json()["items"]

    assert [item["team"] for item in listed] == ["team-a"]
    assert a["Authorization"].removeprefix("Bearer ") not in str(listed)
    assert client.get("/api/v1/admin/tokens", headers=auth("team-a", "submit")).status_code == 403
