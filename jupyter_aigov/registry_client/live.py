"""Live records: evidence records pushed to the registry as they are written, from a background thread.

The gateway's listener only enqueues. A daemon thread sends batches; while the registry cannot take them
they are appended (and synced) to a spool file beside the evidence, which is sent first once it answers
again. The registry stores a record once per hash, so a batch sent twice (a crash between sending and
clearing the spool) creates no duplicates.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any

from aigov_core.errors import RegistryError

from .http import Backoff, RegistryClient, RegistrySettings

BATCH_MAX = 5000  # the registry takes at most this many records per request
SEND_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 3.0
RETRY = Backoff(attempts=1, first_s=0.5, max_s=30.0)
AUTH_STATUSES = frozenset({401, 403, 404})  # a token or URL to fix: keep the records and try again later


def spool_path_for(evidence_dir: Path, log_name: str) -> Path:
    """`.aigov/spool/<log stem>.jsonl` beside `.aigov/evidence`; inside a custom evidence folder otherwise."""
    base = evidence_dir.parent if evidence_dir.name == "evidence" else evidence_dir
    return base / "spool" / f"{Path(log_name).stem}.jsonl"


class LivePusher:
    """Pushes one evidence log's records to ``POST /api/v1/records``; use it as a gateway listener."""

    def __init__(self, settings: RegistrySettings, log_name: str, spool: Path, *, interval_s: float = 0.2) -> None:
        self.settings = settings
        self.log_name = log_name
        self.spool = spool
        self.interval_s = interval_s
        self._queue: queue.SimpleQueue[list[dict[str, Any]]] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._client = RegistryClient(settings, timeout_s=SEND_TIMEOUT_S, backoff=Backoff(attempts=1))
        self._thread = threading.Thread(target=self._run, name="aigov-live-records", daemon=True)
        self._failures = 0
        self._next_try = 0.0
        self.sent = 0
        self.duplicates = 0
        self.rejected = 0
        self.last_error: str | None = None
        self.last_sent_at: float | None = None

    def __call__(self, written: list[dict[str, Any]]) -> None:
        """The gateway listener: enqueue and return at once."""
        if not self._stopping.is_set():
            self._queue.put(list(written))

    def start(self) -> LivePusher:
        """Start the background thread (spooled records from an earlier run go first)."""
        self._thread.start()
        return self

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """Send (or spool) what is pending, then stop; waits at most ``timeout_s``."""
        self._stopping.set()
        self._thread.join(timeout_s)
        self._client.close()

    def status(self) -> dict[str, Any]:
        """What was sent, what waits in the spool, and the last failure."""
        if self._failures:
            state = "spooling"
        elif not self._thread.is_alive():
            state = "stopped"
        else:
            state = "sending"
        return {
            "url": self.settings.url,
            "state": state,
            "sent": self.sent,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "queued": self._queue.qsize(),
            "spooled": _count_lines(self.spool),
            "spool": str(self.spool),
            "last_error": self.last_error,
        }

    # -- the background thread ----------------------------------------------------------------
    def _run(self) -> None:
        while True:
            stopping = self._stopping.is_set()
            batch = self._take(0 if stopping else self.interval_s)
            if self._spooled() and (stopping or time.monotonic() >= self._next_try):
                self._drain_spool()
            if batch:
                if self._spooled():
                    self._append_spool(batch)  # keep the order: the spool goes first
                elif not self._send_or_refuse(batch):
                    self._append_spool(batch)
            if stopping and self._queue.empty():
                return

    def _take(self, wait_s: float) -> list[dict[str, Any]]:
        """Up to BATCH_MAX records queued, waiting at most ``wait_s`` for the first."""
        records: list[dict[str, Any]] = []
        try:
            records.extend(self._queue.get(timeout=wait_s) if wait_s else self._queue.get_nowait())
            while len(records) < BATCH_MAX:
                records.extend(self._queue.get_nowait())
        except queue.Empty:
            pass
        return records

    def _send_or_refuse(self, records: list[dict[str, Any]]) -> bool:
        """Send records: True when the registry took them (or refused them for good), False to keep them."""
        for start in range(0, len(records), BATCH_MAX):
            if not self._deliver(records[start : start + BATCH_MAX]):
                records[:] = records[start:]  # the chunks before were taken: keep only the rest
                return False
        return True

    def _deliver(self, chunk: list[dict[str, Any]]) -> bool:
        """One request; False when the registry cannot take it now (down, or the token is refused)."""
        try:
            answer = self._client.request(
                "POST", "/api/v1/records", json={"log": self.log_name, "records": chunk}, ok=(200, 201)
            )
        except RegistryError as exc:
            self.last_error = str(exc)
            if exc.unreachable or exc.status in AUTH_STATUSES:
                self._failed()
                return False
            if len(chunk) == 1:
                self._reject(chunk)  # refused for good (its hash does not match): set aside, not lost
                return True
            # one bad record refuses the whole request: halve it until the bad ones are alone, the rest stored
            half = len(chunk) // 2
            return self._deliver(chunk[:half]) and self._deliver(chunk[half:])
        body = answer.json()
        self.sent += int(body.get("stored", 0))
        self.duplicates += int(body.get("duplicates", 0))
        self.last_sent_at = time.time()
        self._failures = 0
        return True

    def _failed(self) -> None:
        self._next_try = time.monotonic() + RETRY.delay(min(self._failures, 10))
        self._failures += 1

    def _drain_spool(self) -> None:
        records = [json.loads(line) for line in self.spool.read_text().splitlines() if line.strip()]
        if self._send_or_refuse(records):
            self.spool.unlink()
            self.last_error = None
        else:
            _write_lines(self.spool, records)  # what is left, when part of it went through

    def _spooled(self) -> bool:
        return self.spool.is_file() and self.spool.stat().st_size > 0

    def _append_spool(self, records: list[dict[str, Any]]) -> None:
        _append_lines(self.spool, records)

    def _reject(self, records: list[dict[str, Any]]) -> None:
        self.rejected += len(records)
        _append_lines(self.spool.with_suffix(".rejected.jsonl"), records)


def _append_lines(path: Path, records: list[dict[str, Any]]) -> None:
    """Append records as JSON lines and sync them: spooled records survive a crash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records).encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_lines(path: Path, records: list[dict[str, Any]]) -> None:
    """Replace the spool with these records, renamed into place."""
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    _append_lines(partial, records)
    os.replace(partial, path)


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as lines:
            return sum(1 for line in lines if line.strip())
    except FileNotFoundError:
        return 0
