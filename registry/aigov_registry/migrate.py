"""Bring a database's schema to the newest revision with Alembic, run from code (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

# A folder path: Alembic reads migration scripts from disk, and they ship as files inside the package.
SCRIPT_LOCATION = str(Path(__file__).resolve().parent / "migrations")
# The key of the PostgreSQL advisory lock migrations run under: any fixed 64-bit number this registry owns.
MIGRATION_LOCK_KEY = 0x616967_6F76_6D67  # "aigovmg"


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the migrations shipped in this package."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade(engine: Engine) -> str | None:
    """Migrate to the newest revision (nothing to do when already there); return the revision now in force."""
    config = alembic_config()
    with engine.begin() as connection:
        _serialise_migrations(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return current_revision(engine)


def _serialise_migrations(connection: Connection) -> None:
    """On PostgreSQL, wait for any other process migrating this database; the lock ends with the transaction."""
    # Several serve processes started at once would otherwise all find the schema missing and race to create it;
    # under the lock the later ones see the first one's committed revision and have nothing left to do.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision this package ships."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
