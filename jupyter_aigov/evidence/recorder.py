"""Writing one kernel's records: the common fields, durable writes with queued records going first, listeners."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from aigov_core.evidence.timestamps import utc_now

from .log import EvidenceLog

Listener = Callable[[list[dict[str, Any]]], None]


class EvidenceRecorder:
    """Appends records to one evidence log, each with the fields every record carries (`common()`).

    `record` writes and syncs before it returns (a decision is on disk before its call leaves); `record_later`
    queues a call's accounting for the next durable write or `flush` (a group commit). Listeners (a dashboard,
    a plugin's sink) are told of every batch written.
    """

    def __init__(self, log: EvidenceLog, common: Callable[[], dict[str, Any]]) -> None:
        self.log = log
        self._common = common
        self._pending: list[dict[str, Any]] = []
        self._pending_lock = threading.Lock()
        # called with each batch of records written, e.g. by aigov.dashboard(); must return quickly
        self.listeners: list[Listener] = []

    def fields(self, event: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A record of `event`: the common fields, then `fields` over them."""
        base: dict[str, Any] = {
            "event": event,
            **self._common(),
            "provider": None,
            "model": None,
            "decision": None,
            "rules": [],
            "reason": "",
            "entities": {},
            "usage": None,
        }
        base.update(fields)
        return base

    def record(self, event: str, **fields: Any) -> dict[str, Any]:
        """Append one record, synced to disk before returning; queued records go first, in the same write."""
        with self._pending_lock:
            batch, self._pending = self._pending, []
        try:
            written = self.log.append_all([*batch, self.fields(event, fields)], durable=True)
        except Exception:
            with self._pending_lock:  # nothing was written: keep them for the next attempt
                self._pending[:0] = batch
            raise
        if self.listeners:
            self._notify(written)
        return written[-1]

    def record_later(self, event: str, **fields: Any) -> None:
        """Queue a record for the next durable write or flush: a call's accounting, not its decision."""
        record = self.fields(event, fields)
        record["ts"] = utc_now()
        with self._pending_lock:
            self._pending.append(record)

    def flush(self) -> None:
        """Write the queued records and sync the log (after each cell, on unload and at exit)."""
        with self._pending_lock:
            batch, self._pending = self._pending, []
        if batch:
            try:
                written = self.log.append_all(batch, durable=True)
            except Exception:
                with self._pending_lock:
                    self._pending[:0] = batch
                raise
            if self.listeners:
                self._notify(written)
        self.log.flush()

    def after_fork(self) -> None:
        """In a forked child: none of the parent's queued records."""
        self._pending_lock = threading.Lock()
        self._pending = []

    def _notify(self, written: list[dict[str, Any]]) -> None:
        """Tell listeners about records just written; a listener's failure is its own."""
        for listener in tuple(self.listeners):
            with contextlib.suppress(Exception):
                listener(written)

    def close(self) -> None:
        """Flush, then close the log."""
        try:
            self.flush()
        finally:
            self.log.close()
