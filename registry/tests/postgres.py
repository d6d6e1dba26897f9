"""The PostgreSQL the tests run on: the cluster scripts/postgres.sh starts, a new schema for each test."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ENV_URL = "AIGOV_REGISTRY_TEST_PG"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres.sh"
HOW = (
    f"The registry's tests run on SQLite and on PostgreSQL. Set {ENV_URL} to a postgresql+psycopg:// URL of a "
    f"role that may create schemas, or let `bash {SCRIPT}` start a throwaway cluster (it needs Debian's "
    "postgresql: `sudo apt-get install -y --no-install-recommends postgresql`)."
)


def postgres_server_url() -> str:
    """$AIGOV_REGISTRY_TEST_PG, else the URL scripts/postgres.sh prints; fails the test with how to get one."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        pytest.fail(f"No PostgreSQL for the tests: {done.stderr.strip() or 'postgres.sh printed nothing'}\n{HOW}")
    url = done.stdout.strip().splitlines()[-1]
    os.environ[ENV_URL] = url  # once per run: the serve processes and later fixtures find it here
    return url


@contextmanager
def fresh_schema(server_url: str) -> Iterator[str]:
    """A new empty schema, yielded as a URL whose connections use it; dropped with all it holds afterwards."""
    # A schema rather than a database: DROP DATABASE waits for a checkpoint, nearly a second a test.
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {make_url(server_url)!r} cannot be used ({exc.__class__.__name__}: {exc}).\n{HOW}")
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # A connection a test left inside a transaction would hold the drop forever: fail instead, and say so.
            connection.execute(text("SET lock_timeout = '30s'"))
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
