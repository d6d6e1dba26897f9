"""Record sinks: each plugin's aigov_records_written gets every record written, and again after it raised."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from typing import Any

Sink = tuple[str, Callable[..., Any]]  # (plugin name, its aigov_records_written)
MAX_HELD = 10_000  # records held for a failing sink; past it the oldest go (they stay in the log)


class SinkFeed:
    """A gateway listener handing each batch of records written to every sink, after it is on disk.

    A sink that raises does not stop the call, nor lose records: it gets them again with the next batch (up to
    MAX_HELD), and `plugins.sink_failed` goes on record when it starts failing. Batches written by different
    threads may arrive out of `seq` order; each record carries its `seq`.
    """

    def __init__(self, sinks: Sequence[Sink], record_later: Callable[..., None]) -> None:
        self._sinks = tuple(sinks)
        self._record_later = record_later
        self._held: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in self._sinks}
        self._dropped: dict[str, int] = dict.fromkeys(self._held, 0)
        self._lock = threading.Lock()

    def __call__(self, written: list[dict[str, Any]]) -> None:
        with self._lock:
            for name, sink in self._sinks:
                batch = [*self._held[name], *written]
                try:
                    sink(records=copy.deepcopy(batch))  # a copy: a sink cannot change what governance holds
                except Exception as exc:
                    self._failed(name, batch, type(exc).__name__)
                else:
                    self._held[name], self._dropped[name] = [], 0

    def _failed(self, name: str, batch: list[dict[str, Any]], error: str) -> None:
        began = not self._held[name]
        dropped = max(0, len(batch) - MAX_HELD)
        self._held[name] = batch[dropped:]
        first_drop = dropped > 0 and self._dropped[name] == 0
        self._dropped[name] += dropped
        if not (began or first_drop):
            return  # said once per failing spell, and once more when records start being dropped
        held = self._held[name]
        gap = f" Records up to #{held[0].get('seq', 0) - 1} are no longer held for it." if first_drop else ""
        self._record_later(
            "plugins.sink_failed",
            decision="allow",
            rules=["plugins.sink_failed"],
            plugin=name,
            error=error,  # the type only: a message may quote a record's data
            held=len(held),
            held_from_seq=held[0].get("seq"),
            reason=(
                f"The plugin {name!r}'s record sink raised {error}; it gets the {len(held)} records from "
                f"#{held[0].get('seq')} again with the next ones written.{gap} Calls go on: every record is in "
                "this log."
            ),
        )
