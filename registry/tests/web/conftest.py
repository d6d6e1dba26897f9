"""Fixtures for the pages: a browser-like client signed in with a team's token, and bundles uploaded for teams."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from ..projects import Project

SignIn = Callable[[str], TestClient]


@pytest.fixture
def sign_in(client: TestClient, make_token: Callable[[str, str], str]) -> SignIn:
    """Sign the client in through the form with a new read token of ``team``: ``sign_in("team-a")``."""

    def signed(team: str) -> TestClient:
        client.cookies.clear()
        answer = client.post("/sign-in", data={"token": make_token(team, "read"), "next": "/models"})
        assert answer.status_code == 200 and answer.url.path == "/models", answer.text
        return client

    return signed


@pytest.fixture
def upload(send: Callable[..., httpx.Response], auth, tmp_path: Path) -> Callable[[Project, str], str]:
    """Export a project and upload it as ``team``; return the bundle's id."""
    count = iter(range(1000))

    def uploaded(project: Project, team: str) -> str:
        answer = send(project.export(tmp_path / f"bundle-{next(count)}.zip"), auth(team, "submit"))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    return uploaded
