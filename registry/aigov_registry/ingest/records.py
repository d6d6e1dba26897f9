"""Evidence records of a verified bundle, streamed, as rows of the decisions table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from aigov_core.bundle import layout
from aigov_core.bundle.archive import BundleArchive
from aigov_core.bundle.log_copy import is_excerpt
from aigov_core.evidence.canonical import parse_line
from aigov_core.evidence.timestamps import parse_ts

_ELISION = b'{"elided":'


def evidence_logs(logs: dict[str, int]) -> list[str]:
    """The evidence logs among those the verifier checked (the inventory's change log is not evidence of calls)."""
    return sorted(name for name in logs if name.startswith(layout.EVIDENCE_PREFIX))


def iter_records(archive: BundleArchive, log: str) -> Iterator[dict[str, Any]]:
    """Every record of one log, in order; an excerpt's lines for records left out are skipped."""
    excerpt = is_excerpt(log)
    with archive.open(log) as member:
        for raw in member:
            if excerpt and raw.startswith(_ELISION):
                continue
            # The verifier checked these very bytes; parsing again checks each hash once more for free.
            yield parse_line(raw)


# The decisions columns a record fills, in the order of ``decision_values``.
COLUMNS = (
    "team_id", "bundle_id", "log", "seq", "record_hash", "ts", "event", "user", "notebook", "use_case", "provider",
    "model", "decision", "reason", "rules", "entities", "input_tokens", "output_tokens", "cost_usd", "session",
)  # fmt: skip


def decision_row(
    record: dict[str, Any], *, team_id: int, bundle_id: str, log: str, fallback_ts: datetime
) -> dict[str, Any]:
    """The decisions row of one record, by column name."""
    values = decision_values(record, team_id=team_id, bundle_id=bundle_id, log=log, fallback_ts=fallback_ts)
    return dict(zip(COLUMNS, values, strict=True))


def decision_values(
    record: dict[str, Any], *, team_id: int, bundle_id: str, log: str, fallback_ts: datetime
) -> tuple[Any, ...]:
    """One record as a decisions row in ``COLUMNS`` order: the columns queries filter on, never prompt text."""
    # A plain tuple, not a dict: the rows go to the driver as they are, at 100,000 records a bundle.
    get = record.get
    usage = get("usage")
    usage = usage if isinstance(usage, dict) else {}
    rules = get("rules")
    entities = get("entities")
    return (
        team_id,
        bundle_id,
        log,
        record["seq"],
        record["hash"],
        # Every record the gateway writes has a ts; should one lack it, the export time still orders it sensibly.
        parse_ts(get("ts")) or fallback_ts,
        _text(get("event")),
        _text(get("user")),
        _text(get("notebook")),
        _text(get("use_case")),
        _text(get("provider")),
        _text(get("model")),
        _text(get("decision")),
        _text(get("reason")),
        [_text(rule) for rule in rules] if isinstance(rules, list) else None,
        {_clean(k): v for k, v in entities.items() if _is_int(v)} if isinstance(entities, dict) else None,
        _int(usage.get("input_tokens")),
        _int(usage.get("output_tokens")),
        _number(get("cost_usd")),
        _text(get("session")),
    )


def _text(value: Any) -> str | None:
    if type(value) is str:  # nearly always: the fast path is worth it at 100,000 records a bundle
        return value if "\x00" not in value else _clean(value)
    if value is None:
        return None
    return _clean(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def _clean(text: str) -> str:
    return text.replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(value: Any) -> int | None:
    return value if _is_int(value) and -(2**63) < value < 2**63 else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
