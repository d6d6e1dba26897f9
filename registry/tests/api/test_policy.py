"""``/policy``: a use case's policy or the team's default, with an ETag; only admins store, and only valid ones."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from aigov_core.policy.load import MAX_POLICY_BYTES

Auth = Callable[[str, str], dict[str, str]]
YAML = {"Content-Type": "application/yaml"}


def test_when_a_use_case_has_no_policy_of_its_own_then_the_default_is_answered(client: TestClient, auth: Auth):
    admin = auth("team-a", "admin")
    client.put("/api/v1/policy", content=b"version: 1\n", headers={**admin, **YAML})
    client.put("/api/v1/policy?use_case=churn", content=b"version: 1\n# churn\n", headers={**admin, **YAML})
    read = auth("team-a", "read")

    churn = client.get("/api/v1/policy", params={"use_case": "churn"}, headers=read)
    triage = client.get("/api/v1/policy", params={"use_case": "triage"}, headers=read)

    assert churn.content == b"version: 1\n# churn\n" and churn.headers["content-type"].startswith("application/yaml")
    assert churn.headers["ETag"] == f'"{hashlib.sha256(churn.content).hexdigest()}"'
    assert triage.content == b"version: 1\n"


def test_when_the_etag_still_matches_then_304_with_no_body(client: TestClient, auth: Auth):
    admin = auth("team-a", "admin")
    client.put("/api/v1/policy", content=b"version: 1\n", headers={**admin, **YAML})
    etag = client.get("/api/v1/policy", headers=admin).headers["ETag"]

    unchanged = client.get("/api/v1/policy", headers={**admin, "If-None-Match": etag})
    client.put("/api/v1/policy", content=b"version: 1\n# v2\n", headers={**admin, **YAML})
    changed = client.get("/api/v1/policy", headers={**admin, "If-None-Match": etag})

    assert (unchanged.status_code, unchanged.content, unchanged.headers["ETag"]) == (304, b"", etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_when_a_policy_is_stored_again_then_its_revision_counts_only_real_changes(client: TestClient, auth: Auth):
    admin = {**auth("team-a", "admin"), **YAML}

    revisions = [
        client.put("/api/v1/policy", content=body, headers=admin).json()["revision"]
        for body in (b"version: 1\n", b"version: 1\n", b"version: 1\n# edited\n")
    ]

    assert revisions == [1, 1, 2]
    changes = client.get("/api/v1/history", params={"kind": "policy"}, headers=admin).json()["items"]
    assert [c["action"] for c in changes] == ["create", "update"]
    assert changes[1]["old"]["document"] == "version: 1\n" and changes[1]["new"]["revision"] == 2


def test_when_the_policy_is_invalid_then_422_lists_the_problems_with_lines_and_nothing_is_stored(
    client: TestClient, auth: Auth
):
    admin = auth("team-a", "admin")

    answer = client.put("/api/v1/policy", content=b"version: 1\nmodels:\n  allow: 7\n", headers={**admin, **YAML})

    assert answer.status_code == 422
    assert "policy[default]:3" in answer.json()["detail"] and "aigov policy check" in answer.json()["detail"]
    assert client.get("/api/v1/policy", headers=admin).status_code == 404


def test_when_the_team_has_no_policy_then_404_says_how_an_admin_stores_one(client: TestClient, auth: Auth):
    answer = client.get("/api/v1/policy", params={"use_case": "churn"}, headers=auth("team-a", "read"))

    assert answer.status_code == 404 and "PUT /api/v1/policy?use_case=NAME" in answer.json()["detail"]


def test_when_aliases_share_a_block_then_the_policy_is_stored(client: TestClient, auth: Auth):
    admin = {**auth("team-a", "admin"), **YAML}
    body = b"version: 1\nuse_cases:\n  churn: &shared {users: [ada]}\n  triage: *shared\n"

    answer = client.put("/api/v1/policy", content=body, headers=admin)

    assert answer.status_code == 200, answer.text
    assert client.get("/api/v1/policy", headers=admin).content == body


def test_when_aliases_would_write_out_too_many_values_then_422_says_to_write_them_out(client: TestClient, auth: Auth):
    admin = {**auth("team-a", "admin"), **YAML}
    # each line lists the one before ten times: 10,000 values from one alias, over the bound with the others
    body = "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{name}: &{name} [{', '.join([f'*{before}'] * 10)}]\n" for before, name in ("ab", "bc", "cd")
    )

    answer = client.put("/api/v1/policy", content=body.encode(), headers=admin)

    assert answer.status_code == 422
    assert "policy[default]:2: the policy uses YAML aliases (&x / *x)" in answer.json()["detail"]
    assert client.get("/api/v1/policy", headers=admin).status_code == 404


@pytest.mark.parametrize("chunked", [False, True], ids=["with Content-Length", "chunked"])
def test_when_the_policy_is_larger_than_a_policy_may_be_then_413_names_the_limit(
    client: TestClient, auth: Auth, chunked: bool
):
    admin = {**auth("team-a", "admin"), **YAML}
    body = b"version: 1\n" + b"# padding\n" * (MAX_POLICY_BYTES // 10)

    answer = client.put("/api/v1/policy", content=iter([body[:4096], body[4096:]]) if chunked else body, headers=admin)

    assert answer.status_code == 413
    size = "larger" if chunked else f"{len(body):,} bytes, more"
    assert (
        f"the policy is {size} than the {MAX_POLICY_BYTES:,} bytes (256 KiB) a policy may be" in answer.json()["detail"]
    )
    assert client.get("/api/v1/policy", headers=admin).status_code == 404
