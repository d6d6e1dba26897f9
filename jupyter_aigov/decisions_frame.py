"""This notebook's decisions as a pandas DataFrame: one row per AI call (with the usage and cost that followed it),
per tool call, and per answer masked or refused (redaction.responses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aigov_core.evidence import iter_records

from .governance import require_gateway

DECISION_EVENTS = ("ai.call", "ai.message", "gateway.error", "tool.call", "response.redaction")
COLUMNS = [
    "seq", "ts", "event", "session", "user", "use_case", "provider", "model", "requested_model", "operation",
    "tool", "source", "decision", "rules", "reason", "entities", "input_tokens", "output_tokens", "cost_usd",
    "status", "error", "duration_ms", "call_id",
]  # fmt: skip


def decision_rows(path: Path, *, all_events: bool = False) -> list[dict[str, Any]]:
    """Rows of the log at `path`: decisions joined with their response records, or every record as is."""
    rows: list[dict[str, Any]] = []
    by_call: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return rows
    for record in iter_records(path):
        if all_events:
            rows.append(record)
            continue
        event = record.get("event")
        if event in DECISION_EVENTS:
            row = {key: record.get(key) for key in COLUMNS}
            rows.append(row)
            if event == "ai.call" and record.get("call_id"):
                by_call[record["call_id"]] = row
        elif event == "ai.response" and record.get("call_id") in by_call:
            row = by_call[record["call_id"]]
            usage = record.get("usage") or {}
            row.update(
                input_tokens=usage.get("input_tokens"),
                output_tokens=usage.get("output_tokens"),
                cost_usd=record.get("cost_usd"),
                status=record.get("status"),
                error=record.get("error"),
                duration_ms=record.get("duration_ms"),
            )
    return rows


def decisions(*, all_events: bool = False) -> Any:
    """A pandas DataFrame of this notebook's records (decisions by default; every event with all_events)."""
    import pandas as pd

    gateway = require_gateway()
    gateway.evidence.flush()
    rows = decision_rows(gateway.evidence.log.path, all_events=all_events)
    frame = pd.DataFrame(rows, columns=None if all_events else COLUMNS)
    if "ts" in frame:
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    for column in ("seq", "input_tokens", "output_tokens", "status"):
        if column in frame:
            frame[column] = frame[column].astype("Int64")  # counts stay integers beside missing values
    return frame
