"""Signing in and out: the token kept in an HttpOnly, SameSite=Strict cookie; pages need it, the API ignores it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aigov_registry.db import session_factory
from aigov_registry.models import Token, utc_now
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from .conftest import SignIn


@pytest.mark.parametrize("page", ["/", "/models", "/models/x", "/decisions?model=m", "/bundles", "/bundles/x"])
def test_when_a_page_is_asked_for_without_signing_in_then_it_redirects_to_sign_in(client: TestClient, page: str):
    answer = client.get(page, follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in?next=%2F")


def test_when_a_live_token_is_pasted_then_the_cookie_is_http_only_and_strict_and_the_next_page_opens(
    client: TestClient, make_token: Callable[[str, str], str]
):
    answer = client.post(
        "/sign-in", data={"token": make_token("team-a", "read"), "next": "/bundles"}, follow_redirects=False
    )

    assert (answer.status_code, answer.headers["location"]) == (303, "/bundles")
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert client.get("/bundles").status_code == 200


@pytest.mark.parametrize("token", ["", "aigr_not-a-token"])
def test_when_an_unknown_token_is_pasted_then_the_form_says_why_and_no_cookie_is_set(client: TestClient, token: str):
    answer = client.post("/sign-in", data={"token": token}, follow_redirects=False)

    assert answer.status_code == 401 and "not known to this registry" in answer.text
    assert "set-cookie" not in answer.headers


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_when_next_points_off_the_registry_then_sign_in_goes_to_the_inventory(
    client: TestClient, make_token: Callable[[str, str], str], target: str
):
    answer = client.post(
        "/sign-in", data={"token": make_token("team-a", "read"), "next": target}, follow_redirects=False
    )

    assert answer.headers["location"] == "/models"


def test_when_signing_out_then_the_pages_redirect_to_sign_in_again(sign_in: SignIn):
    client = sign_in("team-a")

    answer = client.post("/sign-out", follow_redirects=False)

    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"
    assert client.get("/models", follow_redirects=False).status_code == 303


def test_when_the_token_is_revoked_then_the_cookie_no_longer_signs_in(sign_in: SignIn, engine: Engine):
    client = sign_in("team-a")
    with session_factory(engine).begin() as session:
        session.execute(update(Token).values(revoked_at=utc_now()))

    assert client.get("/models", follow_redirects=False).status_code == 303


def test_when_the_api_is_called_with_only_the_cookie_then_it_still_answers_401_json(sign_in: SignIn):
    client = sign_in("team-a")

    answer = client.get("/api/v1/models")

    assert answer.status_code == 401 and "Bearer" in answer.json()["detail"]
    assert client.get("/api/v1/no-such-thing").json()["detail"].startswith("There is no such endpoint")
