"""Benchmark the registry: bundle ingest (records/s) and decision queries at 1,000,000 records, SQLite and PostgreSQL.

    python benchmarks/bench_registry.py [--records 100000] [--stored 1000000] [--repeats 3] [--queries 100]
                                        [--databases sqlite postgresql] [--pg URL] [--dir .]

A project folder gets an evidence log written with the real EvidenceLog (ai.call / ai.response pairs over 30
days: 4 models, 20 users, 3 use cases, allow / redact / block) and is exported with the real
``jupyter_aigov.bundle.api.export``. For each database (SQLite file; a new schema on PostgreSQL, from --pg, else
$AIGOV_REGISTRY_TEST_PG, else what scripts/postgres.sh starts):

- ingest: the ``--records`` bundle into a new, migrated database, ``--repeats`` times; ``verify_bundle`` alone
  is timed apart from ``ingest_bundle`` (which verifies, then stores), so storing is the difference. Medians.
- queries: a database holding the ``--stored`` bundle (its ingest is reported too) is asked
  ``GET /api/v1/decisions`` through the real app in process (auth, query, JSON), for several filter shapes,
  the first page and a deep page (a cursor 90% into the shape's results), ``--queries`` times each: p50, p95.

Prints a table and writes benchmarks/results/registry.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aigov_registry.api.cursor import encode_cursor
from aigov_registry.api.decisions import parse_time
from aigov_registry.app import create_app
from aigov_registry.config import Settings
from aigov_registry.db import create_registry_engine, session_factory
from aigov_registry.ingest.bundle import ingest_bundle
from aigov_registry.ingest.store import BundleStore
from aigov_registry.ingest.upload import Upload
from aigov_registry.migrate import upgrade
from aigov_registry.models import Decision
from aigov_registry.tokens import caller_for, create_token
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from synthetic_evidence import call_records, write_log

from aigov_core.bundle.verify import verify_bundle
from jupyter_aigov.bundle.api import export

RESULTS = Path(__file__).parent / "results" / "registry.json"
ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 10, 1, tzinfo=UTC)
MODELS = ("gpt-4o-mini", "gpt-4o", "claude-3-5-haiku", "llama3")
USERS = tuple(f"user-{n:02d}" for n in range(20))
USE_CASES = ("churn", "triage", "forecast")
DECISIONS = ("allow", "allow", "redact", "allow", "block", "allow", "redact", "allow")
SHAPES: dict[str, dict[str, str]] = {
    "no filter": {},
    "model": {"model": "claude-3-5-haiku"},
    "user": {"user": "user-07"},
    "use_case + decision": {"use_case": "triage", "decision": "block"},
    "one day": {"since": "2026-10-12", "until": "2026-10-13"},
    "model + week": {"model": "gpt-4o", "since": "2026-10-08", "until": "2026-10-15"},
    "event + user": {"event": "ai.call", "user": "user-13"},
}


def fill_project(folder: Path, records: int) -> None:
    """A project with one evidence log of ``records`` records, written by the real EvidenceLog."""
    (folder / ".aigov" / "evidence").mkdir(parents=True)
    (folder / "aigov.yaml").write_text("version: 1\n")
    step = timedelta(days=30) / max(records, 1)
    made = call_records(
        records, start=START, step=step, models=MODELS, users=USERS, use_cases=USE_CASES, decisions=DECISIONS,
        notebook="churn.ipynb",
    )  # fmt: skip
    write_log(folder / ".aigov" / "evidence" / "churn.jsonl", made)


def make_bundle(base: Path, records: int) -> Path:
    """A signed bundle of a new project of ``records`` records, by the real export."""
    path = base / f"bundle-{records}.zip"
    if path.exists():  # the same size asked for twice
        return path
    folder = base / f"project-{records}"
    fill_project(folder, records)
    env = {**os.environ, "AIGOV_KEY_DIR": str(base / "keys"), "AIGOV_USER": "bench"}
    export(path, source=folder, env=env, progress=False)
    shutil.rmtree(folder)
    return path


def postgres_url(given: str | None) -> str:
    """The PostgreSQL server to use: --pg, else $AIGOV_REGISTRY_TEST_PG, else the throwaway cluster."""
    if given or os.environ.get("AIGOV_REGISTRY_TEST_PG"):
        return given or os.environ["AIGOV_REGISTRY_TEST_PG"]
    done = subprocess.run(["bash", str(ROOT / "scripts" / "postgres.sh")], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"No PostgreSQL: {done.stderr.strip()} (or give --databases sqlite)")
    return done.stdout.strip().splitlines()[-1]


@contextmanager
def database(kind: str, base: Path, server: str | None) -> Iterator[str]:
    """A new empty database: an SQLite file, or a PostgreSQL schema of its own (dropped afterwards)."""
    if kind == "sqlite":
        path = base / f"registry-{uuid.uuid4().hex[:8]}.sqlite3"
        yield f"sqlite:///{path}"
        for leftover in base.glob(f"{path.name}*"):
            leftover.unlink()
        return
    assert server is not None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def ingest_once(url: str, bundle: Path, base: Path) -> tuple[dict[str, float], Settings, str]:
    """Ingest ``bundle`` into the migrated database at ``url``: seconds verifying alone, and ingesting."""
    settings = Settings(database_url=url, data_dir=base / f"data-{uuid.uuid4().hex[:8]}")
    engine = create_registry_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        token = create_token(session, "bench", "admin")
    with sessions() as session:
        caller = caller_for(session, token)
    assert caller is not None
    store = BundleStore(settings.bundle_folder())
    store.incoming.mkdir(parents=True, exist_ok=True)
    sha256 = hashlib.sha256(bundle.read_bytes()).hexdigest()
    started = time.perf_counter()
    verified = verify_bundle(bundle, limits=settings.archive_limits())
    verify_s = time.perf_counter() - started
    assert verified.ok, verified.fault
    upload = store.incoming / "upload-bench.zip"
    shutil.copyfile(bundle, upload)
    started = time.perf_counter()
    ingested = ingest_bundle(
        sessions, store, caller, Upload(upload, sha256, bundle.stat().st_size), settings.archive_limits()
    )
    ingest_s = time.perf_counter() - started
    assert ingested.created and ingested.bundle.records_new == ingested.bundle.records
    engine.dispose()
    return {"verify_s": verify_s, "ingest_s": ingest_s, "store_s": ingest_s - verify_s}, settings, token


def summarise_ingest(runs: list[dict[str, float]], records: int) -> dict[str, float]:
    """Medians of the runs, and records per second end to end and for storing alone."""
    row = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    row["records"] = records
    row["records_per_s"] = records / row["ingest_s"]
    row["store_records_per_s"] = records / row["store_s"]
    return row


def deep_cursor(url: str, filters: dict[str, str]) -> str | None:
    """The cursor 90% into a shape's results, as a client following pages would hold it."""
    engine = create_registry_engine(url)
    query = select(Decision.ts, Decision.id)
    for key, value in filters.items():
        if key == "since":
            query = query.where(Decision.ts >= parse_time(value, key))
        elif key == "until":
            query = query.where(Decision.ts < parse_time(value, key))
        else:
            query = query.where(getattr(Decision, key) == value)
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(query.subquery()))
        count = total.scalar() or 0
        row = connection.execute(query.order_by(Decision.ts, Decision.id).offset(count * 9 // 10).limit(1)).first()
    engine.dispose()
    return encode_cursor(row[0], row[1]) if row else None


def time_queries(settings: Settings, token: str, repeats: int) -> dict[str, dict[str, float]]:
    """p50 / p95 ms of GET /api/v1/decisions per filter shape, first page and deep page."""
    results: dict[str, dict[str, float]] = {}
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:
        for name, filters in SHAPES.items():
            cursor = deep_cursor(settings.database_url, filters)
            for page, extra in (("first", {}), ("deep", {"cursor": cursor} if cursor else None)):
                if extra is None:
                    continue
                params = {**filters, **extra, "limit": "100"}
                times = []
                for attempt in range(repeats + 3):
                    started = time.perf_counter()
                    answer = client.get("/api/v1/decisions", params=params, headers=headers)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert answer.status_code == 200, answer.text
                    if attempt >= 3:  # the first few warm the caches, as a running server's are
                        times.append(elapsed)
                times.sort()
                results[f"{name} / {page}"] = {
                    "p50_ms": statistics.median(times),
                    "p95_ms": times[min(len(times) - 1, round(len(times) * 0.95) - 1)],
                    "items": len(answer.json()["items"]),
                }
    return results


def analyse(url: str) -> None:
    """Refresh the planner's statistics, as autovacuum does after a large load (PostgreSQL and SQLite alike)."""
    engine = create_registry_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="records in the bundle timed for ingest")
    parser.add_argument("--stored", type=int, default=1_000_000, help="records stored when queries are timed")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--queries", type=int, default=100, help="requests per query shape and page")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--pg", help="a postgresql+psycopg:// URL (default: $AIGOV_REGISTRY_TEST_PG, or a new cluster)")
    parser.add_argument("--dir", default=".")
    args = parser.parse_args()
    server = postgres_url(args.pg) if "postgresql" in args.databases else None
    report: dict[str, Any] = {"python": platform.python_version(), "args": vars(args), "databases": {}}
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-registry-") as folder:
        base = Path(folder)
        started = time.perf_counter()
        small, big = make_bundle(base, args.records), make_bundle(base, args.stored)
        print(f"bundles of {args.records:,} and {args.stored:,} records made in {time.perf_counter() - started:.0f} s")
        for kind in args.databases:
            runs = []
            for _ in range(args.repeats):
                with database(kind, base, server) as url:
                    runs.append(ingest_once(url, small, base)[0])
            entry: dict[str, Any] = {"ingest": summarise_ingest(runs, args.records)}
            with database(kind, base, server) as url:
                timing, settings, token = ingest_once(url, big, base)
                entry["ingest_stored"] = summarise_ingest([timing], args.stored)
                analyse(url)
                entry["queries"] = time_queries(settings, token, args.queries)
            if kind == "postgresql":
                entry["server"] = server_settings(server)
            report["databases"][kind] = entry
            print_entry(kind, entry)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")


def server_settings(server: str | None) -> dict[str, str]:
    """The PostgreSQL settings that bear on write speed, as they were."""
    engine = create_engine(server or "")
    with engine.connect() as connection:
        shown = {name: str(connection.execute(text(f"SHOW {name}")).scalar()) for name in
                 ("server_version", "fsync", "synchronous_commit", "shared_buffers")}  # fmt: skip
    engine.dispose()
    return shown


def print_entry(kind: str, entry: dict[str, Any]) -> None:
    """One database's lines of the table."""
    for label in ("ingest", "ingest_stored"):
        row = entry[label]
        print(
            f"{kind:>10} ingest {int(row['records']):>9,} records: verify {row['verify_s']:6.2f} s, "
            f"store {row['store_s']:6.2f} s ({row['store_records_per_s']:>9,.0f}/s), "
            f"total {row['ingest_s']:6.2f} s ({row['records_per_s']:>9,.0f} records/s)"
        )
    for name, row in entry["queries"].items():
        print(f"{kind:>10} query {name:<32} p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms")


if __name__ == "__main__":
    main()
