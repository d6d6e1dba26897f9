"""Fixtures: a migrated registry on SQLite and on PostgreSQL (each test runs on both), its app, tokens, projects."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from aigov_registry.app import create_app
from aigov_registry.config import Settings
from aigov_registry.db import create_registry_engine, session_factory
from aigov_registry.migrate import upgrade
from aigov_registry.models import AssessmentDocument, Bundle, Decision, ModelDocument
from aigov_registry.tokens import create_token
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from .postgres import fresh_schema, postgres_server_url
from .projects import Project


@pytest.fixture
def aigov_env(tmp_path: Path) -> dict[str, str]:
    """An environment for exports: a signing key made in the test's folder, a known user."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_") and k != "JPY_SESSION_NAME"}
    return {**clean, "AIGOV_KEY_DIR": str(tmp_path / "keys"), "AIGOV_USER": "ada"}


@pytest.fixture
def project(tmp_path: Path, aigov_env: dict[str, str]) -> Project:
    """An empty project folder."""
    return Project(tmp_path / "project", aigov_env)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test cluster's URL: $AIGOV_REGISTRY_TEST_PG, else what scripts/postgres.sh starts; else fail saying how."""
    return postgres_server_url()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database: an SQLite file in the test's folder, or a schema of its own on the test cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        return
    with fresh_schema(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """A registry on the test's database, its bundles in the test's folder."""
    return Settings(database_url=database_url, data_dir=tmp_path / "data")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """The registry's database, migrated."""
    created = create_registry_engine(settings.database_url)
    upgrade(created)
    yield created
    created.dispose()


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The API in process."""
    with TestClient(create_app(settings, engine)) as test_client:
        yield test_client


@pytest.fixture
def make_token(engine: Engine) -> Callable[[str, str], str]:
    """Make a token for a team and role: ``make_token("team-a", "submit")``."""

    def make(team: str, role: str) -> str:
        with session_factory(engine).begin() as session:
            return create_token(session, team, role)

    return make


@pytest.fixture
def auth(make_token: Callable[[str, str], str]) -> Callable[[str, str], dict[str, str]]:
    """Headers with a new token: ``auth("team-a", "read")``."""
    return lambda team, role: {"Authorization": f"Bearer {make_token(team, role)}"}


@dataclass(frozen=True)
class Stored:
    """Everything a registry keeps, counted."""

    bundles: int
    decisions: int
    models: int
    assessments: int
    files: int  # bundle files, and uploads still lying in the incoming folder


@pytest.fixture
def stored(engine: Engine, settings: Settings) -> Callable[[], Stored]:
    """Count what the registry keeps now."""

    def count() -> Stored:
        with session_factory(engine)() as session:
            rows = [session.scalar(select(func.count()).select_from(t)) or 0 for t in (Bundle, Decision)]
            docs = [
                session.scalar(select(func.count()).select_from(t)) or 0 for t in (ModelDocument, AssessmentDocument)
            ]
        files = (
            sum(1 for path in settings.bundle_folder().rglob("*") if path.is_file())
            if settings.bundle_folder().exists()
            else 0
        )
        return Stored(*rows, *docs, files)

    return count


@pytest.fixture
def send(client: TestClient) -> Callable[..., httpx.Response]:
    """POST bytes or a bundle file as the raw body: ``send(path, headers)``."""

    def post(body: Path | bytes, headers: dict[str, str], content_type: str = "application/zip") -> httpx.Response:
        data = body.read_bytes() if isinstance(body, Path) else body
        return client.post("/api/v1/bundles", content=data, headers={**headers, "Content-Type": content_type})

    return post
