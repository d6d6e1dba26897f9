"""Write a bundle's decision rows fast: tuples to SQLite's executemany, COPY via a staging table on PostgreSQL.

Both skip a record the team already holds (same hash) and report how many rows were new. They bypass
SQLAlchemy's per-row parameter processing, the larger part of the cost at 100,000 records a bundle, so the
few columns that need a conversion (time, JSON) are converted here exactly as the column types would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, cast

from sqlalchemy import Connection, Table, insert

from aigov_registry.ingest.records import COLUMNS
from aigov_registry.models import Decision

DECISIONS = cast(Table, Decision.__table__)
BATCH = 20_000  # rows per executemany or COPY: amortises each round trip, bounds the memory one upload takes
_STAGE = "decisions_incoming"
_TS, _RULES, _ENTITIES = COLUMNS.index("ts"), COLUMNS.index("rules"), COLUMNS.index("entities")
_KEY = "(team_id, record_hash)"
_SQLITE_CACHE_KIB = -131_072  # negative: KiB, not pages
_JSON_MEMO = 10_000  # distinct JSON values remembered per bundle: bounds memory on a log of odd values


def write_decisions(connection: Connection, rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert the rows the team does not hold yet (in ``COLUMNS`` order); return how many were new."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return _copy_postgresql(connection, rows)
    if dialect == "sqlite":
        return _executemany_sqlite(connection, rows)
    return _insert_core(connection, rows)


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def _pipelined(
    batches: Iterator[list[tuple[Any, ...]]], write: Callable[[list[tuple[Any, ...]]], int], *, threaded: bool = True
) -> int:
    """Write each batch in a worker thread while the next is read and converted; return the rows written."""
    # The database works (another process, or C with the GIL released) while Python parses the next records:
    # on two cores that overlap is most of the gain. One batch in flight, so the connection has one user at once.
    if not threaded:
        return sum(write(batch) for batch in batches)
    new = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as worker:
        pending: Future[int] | None = None
        for batch in batches:
            if pending is not None:
                new += pending.result()
            pending = worker.submit(write, batch)
        if pending is not None:
            new += pending.result()
    return new


def _columns(connection: Connection) -> str:
    quote = connection.dialect.identifier_preparer.quote  # "user" is a reserved word on PostgreSQL
    return ", ".join(quote(name) for name in COLUMNS)


def _converter(time_to_db: Callable[[Any], Any]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """Turn a row's time and JSON values into what the database's driver takes."""
    # A log repeats a handful of rule lists and entity counts: each is serialised once, not once a record.
    texts: dict[tuple[Any, ...], str] = {}

    def to_json(value: list[Any] | dict[str, Any] | None) -> str | None:
        if value is None:
            return None  # NULL reads back as None, as SQLAlchemy's JSON 'null' would
        key = (0, *value) if isinstance(value, list) else (1, *value.items())
        text = texts.get(key)
        if text is None:
            if len(texts) >= _JSON_MEMO:
                texts.clear()
            text = texts[key] = json.dumps(value)
        return text

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        values[_TS] = time_to_db(values[_TS])
        values[_RULES] = to_json(values[_RULES])
        values[_ENTITIES] = to_json(values[_ENTITIES])
        return tuple(values)

    return convert


def _executemany_sqlite(connection: Connection, rows: Iterable[tuple[Any, ...]]) -> int:
    dialect = connection.dialect
    # The column type's own conversion (naive UTC text), so stored times compare exactly as others do.
    ts_type = DECISIONS.c.ts.type
    time_to_db = ts_type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
    convert = _converter(time_to_db)
    marks = ", ".join("?" * len(COLUMNS))
    sql = f"INSERT INTO decisions ({_columns(connection)}) VALUES ({marks}) ON CONFLICT {_KEY} DO NOTHING"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    # SQLite's default 2 MiB page cache: at a million rows the record_hash index no longer fits, and each
    # insert lands on a page read again; 128 MiB while ingesting took a million records from 79 s to 48 s.
    cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size={_SQLITE_CACHE_KIB}")

    def write(batch: list[tuple[Any, ...]]) -> int:
        cursor.executemany(sql, batch)
        return max(cursor.rowcount, 0)  # summed over the batch; a skipped duplicate counts nothing

    # An in-memory database's connection refuses every thread but its own.
    threaded = connection.engine.url.database not in (None, "", ":memory:")
    try:
        return _pipelined(([convert(row) for row in batch] for batch in _batches(rows)), write, threaded=threaded)
    finally:
        cursor.execute(f"PRAGMA cache_size={int(cache)}")
        cursor.close()


def _copy_postgresql(connection: Connection, rows: Iterable[tuple[Any, ...]]) -> int:
    # COPY cannot skip duplicates itself: rows are copied into a staging table, then moved with ON CONFLICT.
    convert = _converter(lambda value: value)  # an aware datetime: psycopg sends it as timestamptz
    columns = _columns(connection)
    with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(f"CREATE TEMP TABLE {_STAGE} ON COMMIT DROP AS SELECT {columns} FROM decisions WITH NO DATA")

        def write(batch: list[tuple[Any, ...]]) -> int:
            with cursor.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO decisions ({columns}) SELECT {columns} FROM {_STAGE} ON CONFLICT {_KEY} DO NOTHING"
            )
            new = max(cursor.rowcount, 0)
            cursor.execute(f"TRUNCATE {_STAGE}")
            return new

        new = _pipelined(([convert(row) for row in batch] for batch in _batches(rows)), write)
        cursor.execute(f"DROP TABLE {_STAGE}")
    return new


def _insert_core(connection: Connection, rows: Iterable[tuple[Any, ...]]) -> int:
    """Other databases: a plain INSERT, so a duplicate fails the transaction (reported as a conflict)."""
    new = 0
    for batch in _batches(rows):
        connection.execute(insert(DECISIONS), [dict(zip(COLUMNS, row, strict=True)) for row in batch])
        new += len(batch)
    return new
