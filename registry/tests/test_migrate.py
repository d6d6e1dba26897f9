"""Migrations: from an empty database to the newest schema, harmless to repeat, and matching the models exactly."""

from __future__ import annotations

from aigov_registry.db import create_registry_engine, session_factory
from aigov_registry.migrate import alembic_config, current_revision, head_revision, upgrade
from aigov_registry.models import Base, Team
from aigov_registry.tokens import create_token
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

TABLES = {
    "teams", "tokens", "bundles", "decisions", "models", "assessments", "policies", "changes", "systems",
    "alembic_version",
}  # fmt: skip
HEAD = "0003"


def test_when_the_database_is_empty_then_upgrade_creates_every_table_at_the_newest_revision(database_url: str):
    engine = create_registry_engine(database_url)
    assert current_revision(engine) is None

    assert upgrade(engine) == head_revision() == HEAD

    assert set(inspect(engine).get_table_names()) == TABLES


def test_when_upgrade_runs_twice_then_nothing_changes_and_nothing_is_lost(database_url: str):
    engine = create_registry_engine(database_url)
    upgrade(engine)
    with session_factory(engine).begin() as session:
        create_token(session, "team-a", "read")

    assert upgrade(engine) == HEAD

    with session_factory(engine)() as session:
        assert [team.name for team in session.query(Team)] == ["team-a"]


def test_when_migrated_then_the_schema_is_exactly_what_the_models_declare(database_url: str):
    engine = create_registry_engine(database_url)
    upgrade(engine)

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []


def test_when_downgraded_to_nothing_then_upgrade_builds_it_again(database_url: str):
    engine = create_registry_engine(database_url)
    upgrade(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}

    assert upgrade(engine) == HEAD
    assert set(inspect(engine).get_table_names()) == TABLES


def test_when_a_database_of_the_first_revision_is_upgraded_then_its_rows_stay(database_url: str):
    engine = create_registry_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with session_factory(engine).begin() as session:
        create_token(session, "team-a", "read")

    assert upgrade(engine) == HEAD

    assert set(inspect(engine).get_table_names()) == TABLES
    with session_factory(engine)() as session:
        assert [team.name for team in session.query(Team)] == ["team-a"]
