"""One evidence log summarised for the notebook panel, kept current by reading only the bytes appended since.

A log may hold 100k records and the panel polls every few seconds: the first look reads the whole file,
later looks read from where the last one stopped. A log replaced or cut shorter (a new file at the same
path) is read again from the start.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_aigov.decisions_frame import DECISION_EVENTS

MAX_DECISIONS = 500
_CHUNK = 1 << 20
_MAX_CACHED_LOGS = 256


@dataclass(frozen=True)
class LogView:
    """A log's summary as of one look: copies, safe to use while the log is read further."""

    path: Path
    records: int
    last_seq: int | None
    last_ts: str | None
    use_case: str | None
    kernel_extension: bool
    counts: dict[str, int]
    decisions: list[dict[str, Any]]  # oldest first, the newest MAX_DECISIONS at most
    decisions_total: int
    last_block: dict[str, Any] | None
    policy_load: dict[str, Any] | None


class LogSummary:
    """Counts, the newest decisions and the latest session/policy of one log, as of the bytes read so far."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()  # refresh runs in worker threads; one reader per log at a time
        self._identity: tuple[int, int] | None = None
        self._offset = 0
        self._start_over()

    def _start_over(self) -> None:
        self._offset = 0
        self.records = 0
        self.last_seq: int | None = None
        self.last_ts: str | None = None
        self.session: str | None = None  # of the newest record
        self.use_case: str | None = None  # of the newest record
        self.counts = dict.fromkeys(
            ("calls", "allowed", "redacted", "blocked", "redactions", "tool_calls", "tool_blocks"), 0
        )
        self.decisions: deque[dict[str, Any]] = deque(maxlen=MAX_DECISIONS)
        self.decisions_total = 0
        self.last_block: dict[str, Any] | None = None
        self.policy_load: dict[str, Any] | None = None
        self._extension_on: dict[str, bool] = {}  # session -> loaded and not unloaded since
        self._by_call: OrderedDict[str, dict[str, Any]] = OrderedDict()  # ai.call rows awaiting ai.response

    @property
    def kernel_extension(self) -> bool:
        """Whether the newest session loaded the extension and has not unloaded it."""
        return self.session is not None and self._extension_on.get(self.session, False)

    def view(self) -> LogView:
        """A copy of the summary as it stands."""
        return LogView(
            path=self.path,
            records=self.records,
            last_seq=self.last_seq,
            last_ts=self.last_ts,
            use_case=self.use_case,
            kernel_extension=self.kernel_extension,
            counts=dict(self.counts),
            decisions=[dict(row) for row in self.decisions],
            decisions_total=self.decisions_total,
            last_block=dict(self.last_block) if self.last_block else None,
            policy_load=self.policy_load,
        )

    def refresh(self) -> None:
        """Take in the records appended since the last refresh (all of them on a new or replaced file)."""
        try:
            stat = os.stat(self.path)
        except OSError:
            self._identity = None
            self._start_over()
            return
        identity = (stat.st_dev, stat.st_ino)
        if identity != self._identity or stat.st_size < self._offset:
            self._identity = identity
            self._start_over()
        if stat.st_size == self._offset:
            return
        with open(self.path, "rb") as stream:
            stream.seek(self._offset)
            pending = b""
            while chunk := stream.read(_CHUNK):
                pending += chunk
                end = pending.rfind(b"\n")
                if end < 0:
                    continue
                for line in pending[:end].split(b"\n"):
                    self._take(line)
                self._offset += end + 1
                pending = pending[end + 1 :]
        # A last line without its line end is being written (or was cut short): it is read next time, whole.

    def _take(self, line: bytes) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            return  # a line cut short by a crash, accounted for by the recovery record after it
        if not isinstance(record, dict):
            return
        self.records += 1
        self.last_seq = record.get("seq") if isinstance(record.get("seq"), int) else self.last_seq
        self.last_ts = record.get("ts") if isinstance(record.get("ts"), str) else self.last_ts
        self.session = record.get("session") or self.session
        self.use_case = record.get("use_case")
        event = record.get("event")
        if event == "extension.load" and self.session:
            self._extension_on[self.session] = True
        elif event == "extension.unload" and self.session:
            self._extension_on[self.session] = False
        elif event == "policy.load":
            self.policy_load = record
        elif event in DECISION_EVENTS:
            self._take_decision(event, record)
        elif event == "ai.response":
            row = self._by_call.pop(str(record.get("call_id")), None)
            usage = record.get("usage")
            if row is not None and isinstance(usage, dict):
                row["input_tokens"] = usage.get("input_tokens")
                row["output_tokens"] = usage.get("output_tokens")

    def _take_decision(self, event: str, record: dict[str, Any]) -> None:
        row = decision_row(record, self.path.name)
        decision = row["decision"]
        counts = self.counts
        if event == "ai.call":
            counts["calls"] += 1
            if decision == "redact":
                counts["redacted"] += 1
                counts["redactions"] += sum(n for n in row["entities"].values() if isinstance(n, int))
            elif decision == "block":
                counts["blocked"] += 1
            else:
                counts["allowed"] += 1
            call_id = record.get("call_id")
            if call_id:
                self._by_call[str(call_id)] = row
                if len(self._by_call) > MAX_DECISIONS:
                    self._by_call.popitem(last=False)
        elif event == "tool.call":
            counts["tool_calls"] += 1
            counts["tool_blocks"] += decision == "block"
        elif event == "response.redaction":
            pass  # an answer masked or refused: listed with the decisions; its call was counted already
        elif decision == "block":  # gateway.error: aigov itself failed and on_error refused the call
            counts["blocked"] += 1
        self.decisions.append(row)
        self.decisions_total += 1
        if decision == "block":
            self.last_block = row


def decision_row(record: dict[str, Any], log_name: str) -> dict[str, Any]:
    """A decision record as the panel shows it (the API's Decision)."""
    rules = record.get("rules") if isinstance(record.get("rules"), list) else []
    entities = record.get("entities") if isinstance(record.get("entities"), dict) else {}
    return {
        "seq": record.get("seq"),
        "ts": record.get("ts"),
        "event": record.get("event"),
        "model": record.get("model"),
        "provider": record.get("provider"),
        "decision": record.get("decision"),
        "rules": rules,
        "rule": rules[0] if rules else None,
        "reason": record.get("reason"),
        "entities": entities,
        "tool": record.get("tool"),
        "use_case": record.get("use_case"),
        "input_tokens": None,
        "output_tokens": None,
        "log": log_name,
    }


class LogSummaries:
    """The summaries of the logs looked at lately, one per file, so each poll reads only what was appended."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._summaries: OrderedDict[Path, LogSummary] = OrderedDict()

    def current(self, path: Path) -> LogView:
        """The summary of the log at ``path`` with everything appended so far."""
        key = path.resolve()
        with self._lock:
            summary = self._summaries.pop(key, None) or LogSummary(key)
            self._summaries[key] = summary  # most recently used last
            while len(self._summaries) > _MAX_CACHED_LOGS:
                self._summaries.popitem(last=False)
        with summary.lock:
            summary.refresh()
            return summary.view()
