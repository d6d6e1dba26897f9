"""The budget ledger: every AI call's tokens and dollars, checked against the policy's budgets before it is sent.

One SQLite file beside the evidence (``<evidence_dir>/budgets.sqlite3``), shared by every kernel that
writes there and kept across kernel restarts. ``reserve`` checks a call against the budgets and records
its estimate in one ``BEGIN IMMEDIATE`` transaction, so that kernels reserving at the same moment are
serialised and together never pass a limit; ``settle`` replaces the estimate with what the provider
counted. A call whose kernel died before it settled keeps its estimate.

Durability: WAL with ``synchronous=NORMAL`` does not sync at each commit. A process that crashes loses
nothing (its commits are in the WAL, in the operating system's hands); a power cut may lose the last
commits before a checkpoint, so the budgets may forget a few calls. Accepted for budgets: a sync per call
would cost milliseconds, and the evidence log, synced per decision, keeps the record that matters.
WAL shares memory between the kernels: they must run on one machine (a ledger on a network file system
used by several hosts at once is not supported).

>>> ledger = BudgetLedger(".aigov/evidence/budgets.sqlite3")
>>> held = ledger.reserve(limits=policy.budgets, session="3f2a", user="ada", use_case=None,
...                       estimated_tokens=1200, estimated_usd=0.0002)
>>> ledger.settle(held, input_tokens=1180, output_tokens=310, usd=0.00036)
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol

from aigov_core.errors import BudgetExceeded, LedgerError

APPLICATION_ID = 0x41494756  # "AIGV" in the SQLite header: this file is a budget ledger, not any database
FORMAT = 1  # PRAGMA user_version: the layout below
BUSY_TIMEOUT_S = 10.0  # transactions last microseconds: waiting this long means another process is stuck
WINDOW_S = 60.0  # requests_per_minute counts the calls of the last sliding minute
DAY_S = 86400  # Unix time has no leap seconds: every UTC day starts at a multiple of this
KEEP_DAYS = 7  # calls and totals older than this are pruned (a session's total only once it is unused)
_open_ledgers: weakref.WeakSet[BudgetLedger] = weakref.WeakSet()

# calls: one row per reserved call, read by requests_per_minute and by settle. totals: running sums kept
# in the same transactions, so that a check reads three rows however many calls a day or a session made.
SCHEMA = (
    """CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,        -- Unix time of the reservation
        session TEXT NOT NULL,
        user TEXT NOT NULL,
        use_case TEXT,
        tokens INTEGER NOT NULL, -- the estimate until settled, then input + output tokens
        usd REAL,                -- the estimate until settled, then the cost; NULL when the model has no price
        settled INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX calls_by_user ON calls (user, ts)",
    """CREATE TABLE totals (
        scope TEXT NOT NULL,     -- 'session', 'user' or 'use_case'
        name TEXT NOT NULL,
        day INTEGER NOT NULL,    -- UTC day number (Unix time // 86400); 0 for a session, which spans days
        tokens INTEGER NOT NULL,
        usd REAL NOT NULL,       -- calls without a price add nothing
        last_ts REAL NOT NULL,   -- when a call last added to it (pruning keeps sessions in use)
        PRIMARY KEY (scope, name, day)
    ) WITHOUT ROWID""",
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {FORMAT}",
)


class Limits(Protocol):
    """The budgets a call is checked against (the policy's ``BudgetsSection``); None is unlimited."""

    @property
    def tokens_per_session(self) -> int | None: ...
    @property
    def usd_per_day(self) -> float | None: ...
    @property
    def usd_per_day_per_use_case(self) -> float | None: ...
    @property
    def requests_per_minute(self) -> int | None: ...


@dataclass(frozen=True)
class Reservation:
    """A call recorded in the ledger with its estimate, to be settled with its actual usage."""

    id: int  # its row
    ts: float  # when it was reserved: with the row, it tells this call from a row of a ledger made anew


class BudgetLedger:
    """The spending of AI calls in one SQLite file; safe to share between threads and processes.

    Opening checks the file: a damaged file, or one that is not a ledger, raises LedgerError (budgets
    are never silently reset).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._guard = threading.Lock()  # one connection per process, used by one thread at a time
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._pruned_day = -1  # the UTC day number this object last pruned in
        with self._guard:
            self._connection()
        _open_ledgers.add(self)

    def reserve(
        self,
        *,
        limits: Limits,
        session: str,
        user: str,
        use_case: str | None,
        estimated_tokens: int,
        estimated_usd: float | None,
        now: float | None = None,
    ) -> Reservation:
        """Check a call against the budgets and record its estimate; raise BudgetExceeded when it would go over.

        ``estimated_usd`` None (a model without a price) counts nothing against the dollar budgets.
        """
        with self._transaction() as db:
            now = time.time() if now is None else now  # read under the lock: no other kernel commits in between
            day = int(now // DAY_S)
            if day != self._pruned_day:
                _prune(db, (day - KEEP_DAYS) * DAY_S, session)
                self._pruned_day = day
            breach = _breach(db, limits, session, user, use_case, estimated_tokens, estimated_usd or 0.0, now)
            if breach is not None:
                raise breach
            row = db.execute(
                "INSERT INTO calls (ts, session, user, use_case, tokens, usd) VALUES (?, ?, ?, ?, ?, ?)",
                (now, session, user, use_case, estimated_tokens, estimated_usd),
            ).lastrowid
            _add(db, now, session, user, use_case, estimated_tokens, estimated_usd or 0.0)
        assert row is not None
        return Reservation(row, now)

    def session_user(self, session: str) -> str | None:
        """The user the session's first call still on record was charged to (None: no call yet)."""
        with self._transaction(immediate=False) as db:
            row = db.execute("SELECT user FROM calls WHERE session = ? ORDER BY id LIMIT 1", (session,)).fetchone()
        return None if row is None else str(row[0])

    def settle(
        self, reservation: Reservation, input_tokens: int | None, output_tokens: int | None, usd: float | None
    ) -> None:
        """Replace a reservation's estimate by the call's actual usage; a figure not known (None) keeps the estimate."""
        tokens = None if input_tokens is None and output_tokens is None else (input_tokens or 0) + (output_tokens or 0)
        with self._transaction() as db:
            query = "SELECT session, user, use_case, tokens, usd FROM calls WHERE id = ? AND ts = ?"
            found = db.execute(query, (reservation.id, reservation.ts)).fetchone()
            if found is None:  # pruned (reserved over KEEP_DAYS ago), or the file was moved aside since
                return
            session, user, use_case, held_tokens, held_usd = found
            ts = reservation.ts
            tokens = held_tokens if tokens is None else tokens
            usd = held_usd if usd is None else usd
            db.execute("UPDATE calls SET tokens = ?, usd = ?, settled = 1 WHERE id = ?", (tokens, usd, reservation.id))
            _add(db, ts, session, user, use_case, tokens - held_tokens, (usd or 0.0) - (held_usd or 0.0))

    def spent(self, session: str, user: str, use_case: str | None, now: float | None = None) -> dict[str, float | None]:
        """What counts against each budget now, keyed like the policy's budgets (None: no use case declared).

        >>> ledger.spent("3f2a", "ada", "churn")
        {'tokens_per_session': 4210, 'usd_per_day': 0.0123, 'usd_per_day_per_use_case': 0.009, 'requests_per_minute': 2}
        """
        with self._transaction(immediate=False) as db:
            now = time.time() if now is None else now
            day = int(now // DAY_S)
            return {
                "tokens_per_session": _total(db, "session", session, 0)[0],
                "usd_per_day": _total(db, "user", user, day)[1],
                "usd_per_day_per_use_case": _total(db, "use_case", use_case, day)[1] if use_case is not None else None,
                "requests_per_minute": _recent_requests(db, user, now),
            }

    def close(self) -> None:
        """Close the file; a later call opens it again."""
        with self._guard:
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._db = None

    def __enter__(self) -> BudgetLedger:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"BudgetLedger({str(self.path)!r})"

    # -- the file -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _transaction(self, *, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        """One transaction; IMMEDIATE takes the write lock first, so what it reads stays true until it commits."""
        with self._guard:
            db = self._connection()
            try:
                db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _ledger_error(self.path, exc) from exc

    def _connection(self) -> sqlite3.Connection:
        """This process's connection, opened and checked on first use (again in a forked child)."""
        if self._db is not None and self._pid == os.getpid():
            return self._db
        # a connection inherited through fork must not be used (nor closed: its locks are the parent's)
        self._db = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise _ledger_error(self.path, exc) from exc
        try:
            _use_wal(db)
            db.execute("PRAGMA synchronous = NORMAL")
            _check_or_create(db, self.path)
        except sqlite3.Error as exc:
            db.close()
            raise _ledger_error(self.path, exc) from exc
        except LedgerError:
            db.close()
            raise
        self._db, self._pid = db, os.getpid()
        return db


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch a new ledger to WAL, waiting for other kernels as long as for any lock.

    SQLite answers BUSY to this switch at once, without its busy handler, while another connection opening the same
    new file holds a lock (kernels that start together), so the wait is done here.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _check_or_create(db: sqlite3.Connection, path: Path) -> None:
    """Create the layout in a new file; refuse a file that is not a ledger, or a newer format than this one."""
    application_id, version = _header(db)
    if application_id == APPLICATION_ID and version == FORMAT:
        return
    db.execute("BEGIN IMMEDIATE")  # another kernel may be creating it at this very moment
    try:
        application_id, version = _header(db)
        if application_id == 0 and version == 0 and not db.execute("SELECT 1 FROM sqlite_master").fetchone():
            for statement in SCHEMA:  # one by one: executescript would commit first, ending the lock
                db.execute(statement)
            application_id, version = APPLICATION_ID, FORMAT
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    if application_id != APPLICATION_ID:
        raise LedgerError(
            f"{path} is not an aigov budget ledger (it is another program's SQLite database), so budgets cannot be "
            f"checked. Move it elsewhere, or set AIGOV_EVIDENCE_DIR to a folder of aigov's own."
        )
    if version != FORMAT:
        raise LedgerError(
            f"The budget ledger {path} is in format {version}, written by a newer jupyter-aigov; this one reads "
            f"format {FORMAT}. Upgrade jupyter-aigov in this kernel's environment (pip install -U jupyter-aigov)."
        )


def _header(db: sqlite3.Connection) -> tuple[int, int]:
    (application_id,) = db.execute("PRAGMA application_id").fetchone()
    (version,) = db.execute("PRAGMA user_version").fetchone()
    return application_id, version


def _ledger_error(path: Path, exc: OSError | sqlite3.Error) -> LedgerError:
    """What went wrong with the file, in words that say what to do about it."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return LedgerError(
            f"The budget ledger {path} is damaged ({exc}), so budgets cannot be checked. Move it aside to start an "
            f"empty ledger (mv {path} {path}.damaged; today's spending recorded in it will no longer count), or "
            f"restore it from a backup."
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return LedgerError(
            f"The budget ledger {path} stayed locked by another process for over {BUSY_TIMEOUT_S:.0f} s ({exc}). "
            f"Retry; if it persists, find the stuck process holding it open (fuser {path}) and stop it."
        )
    return LedgerError(
        f"The budget ledger {path} cannot be read or written ({exc}). Make {path.parent} writable (and the disk "
        f"not full), or set AIGOV_EVIDENCE_DIR to a writable folder."
    )


# -- the budgets ------------------------------------------------------------------------------------
def _total(db: sqlite3.Connection, scope: str, name: str, day: int) -> tuple[int, float]:
    """(tokens, usd) counted so far for a session (day 0), or a user or use case on a UTC day."""
    query = "SELECT tokens, usd FROM totals WHERE scope = ? AND name = ? AND day = ?"
    found = db.execute(query, (scope, name, day)).fetchone()
    return (found[0], found[1]) if found is not None else (0, 0.0)


def _add(
    db: sqlite3.Connection, ts: float, session: str, user: str, use_case: str | None, tokens: int, usd: float
) -> None:
    """Add a call's tokens and dollars (or the change to them) to its session's, user's and use case's totals."""
    day = int(ts // DAY_S)
    keys = [("session", session, 0), ("user", user, day)] + (
        [("use_case", use_case, day)] if use_case is not None else []
    )
    db.executemany(
        "INSERT INTO totals (scope, name, day, tokens, usd, last_ts) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (scope, name, day) DO UPDATE SET tokens = tokens + excluded.tokens, usd = usd + excluded.usd, "
        "last_ts = max(last_ts, excluded.last_ts)",
        [(scope, name, key_day, tokens, usd, ts) for scope, name, key_day in keys],
    )


def _recent_requests(db: sqlite3.Connection, user: str, now: float, up_to: int = -1) -> int:
    """The user's calls in the sliding minute before ``now``, counted up to ``up_to`` (-1: all) for speed."""
    query = "SELECT count(*) FROM (SELECT 1 FROM calls WHERE user = ? AND ts > ? LIMIT ?)"
    return int(db.execute(query, (user, now - WINDOW_S, up_to)).fetchone()[0])


def _breach(
    db: sqlite3.Connection,
    limits: Limits,
    session: str,
    user: str,
    use_case: str | None,
    tokens: int,
    usd: float,
    now: float,
) -> BudgetExceeded | None:
    """The first budget this call would go over, or None; spending budgets first, as waiting does not help them."""
    if (limit := limits.tokens_per_session) is not None:
        spent = _total(db, "session", session, 0)[0]
        if spent + tokens > limit:
            return BudgetExceeded(
                "budgets.tokens_per_session",
                f"This kernel session has used {spent:,} tokens; this call (about {tokens:,} more) would go over its "
                f"budget of {limit:,} tokens per session.",
                hint="restart the kernel to start a new session, or ask the policy's owner to raise "
                "budgets.tokens_per_session.",
                limit=limit,
                spent=spent,
            )
    day = int(now // DAY_S)
    until_tomorrow = (day + 1) * DAY_S - now
    if (limit_usd := limits.usd_per_day) is not None:
        spent_usd = _total(db, "user", user, day)[1]
        if spent_usd + usd > limit_usd:
            return BudgetExceeded(
                "budgets.usd_per_day",
                f"{user} has spent {_dollars(spent_usd)} on AI calls today (UTC); this call (about {_dollars(usd)}) "
                f"would go over the budget of {_dollars(limit_usd)} per user per day.",
                hint=f"wait for the next UTC day (in {_duration(until_tomorrow)}), or ask the policy's owner to raise "
                "budgets.usd_per_day.",
                limit=limit_usd,
                spent=spent_usd,
                retry_after=until_tomorrow,
            )
    if use_case is not None and (limit_usd := limits.usd_per_day_per_use_case) is not None:
        spent_usd = _total(db, "use_case", use_case, day)[1]
        if spent_usd + usd > limit_usd:
            return BudgetExceeded(
                "budgets.usd_per_day_per_use_case",
                f"Use case {use_case!r} has spent {_dollars(spent_usd)} on AI calls today (UTC); this call (about "
                f"{_dollars(usd)}) would go over its budget of {_dollars(limit_usd)} per day.",
                hint=f"wait for the next UTC day (in {_duration(until_tomorrow)}), or ask the policy's owner to raise "
                f"budgets.usd_per_day_per_use_case (under use_cases.{use_case}.budgets for this use case alone).",
                limit=limit_usd,
                spent=spent_usd,
                retry_after=until_tomorrow,
            )
    limit = limits.requests_per_minute
    if limit is not None and _recent_requests(db, user, now, up_to=limit) + 1 > limit:
        recent = _recent_requests(db, user, now)
        # this call may go once the (recent - limit + 1)-th oldest call of the window has left it
        query = "SELECT ts FROM calls WHERE user = ? AND ts > ? ORDER BY ts LIMIT 1 OFFSET ?"
        (oldest,) = db.execute(query, (user, now - WINDOW_S, recent - limit)).fetchone()
        wait = max(oldest + WINDOW_S - now, 0.0)
        return BudgetExceeded(
            "budgets.requests_per_minute",
            f"{user} has made {recent} AI calls in the last minute, the most budgets.requests_per_minute allows "
            f"is {limit}.",
            hint=f"wait {_duration(wait)} and retry, or ask the policy's owner to raise budgets.requests_per_minute.",
            limit=limit,
            spent=recent,
            retry_after=wait,
        )
    return None


def _prune(db: sqlite3.Connection, before: float, session: str) -> None:
    """Forget calls and totals older than ``before``; a session's total stays while the session is in use."""
    db.execute("DELETE FROM calls WHERE ts < ?", (before,))
    db.execute("DELETE FROM totals WHERE last_ts < ? AND NOT (scope = 'session' AND name = ?)", (before, session))


def _dollars(usd: float) -> str:
    return f"${usd:,.2f}" if usd >= 10 else f"${usd:.4f}"


def _duration(seconds: float) -> str:
    """'42 s', '3 min', '5 h 07 min': how long to wait, rounded up."""
    whole = max(int(-(-seconds // 1)), 1)
    if whole < 120:
        return f"{whole} s"
    minutes = -(-whole // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _reset_after_fork() -> None:
    for ledger in list(_open_ledgers):
        # A lock held by another thread at fork time would never be released in the child.
        ledger._guard = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
