"""Evidence records as a governed kernel writes them, made up in bulk for the benchmarks: ai.call / ai.response
pairs cycling through the given models, users, use cases and decisions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jupyter_aigov.evidence import EvidenceLog

BATCH = 20_000  # records per append: the log hashes and writes each batch at once


def call_records(
    count: int,
    *,
    start: datetime,
    step: timedelta,
    models: Sequence[str],
    users: Sequence[str],
    use_cases: Sequence[str | None],
    decisions: Sequence[str],
    notebook: str,
    first: int = 0,
) -> Iterator[dict[str, Any]]:
    """Records ``first`` .. ``first + count - 1``: even ones are ai.call, odd ones its ai.response."""
    for n in range(first, first + count):
        call = n // 2
        decision = decisions[call % len(decisions)]
        record: dict[str, Any] = {
            "ts": (start + step * n).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "session": f"s-{call // 500}",
            "user": users[call % len(users)], "notebook": notebook, "use_case": use_cases[call % len(use_cases)],
            "provider": "openai", "model": models[call % len(models)], "call_id": f"{call:016x}",
        }  # fmt: skip
        if n % 2 == 0:
            record |= {"event": "ai.call", "decision": decision, "rules": ["models.allow"], "reason": "",
                       "entities": {"PERSON": 1} if decision == "redact" else {}, "usage": None}  # fmt: skip
        else:
            record |= {"event": "ai.response", "decision": "allow", "rules": [], "reason": "", "entities": {},
                       "usage": {"input_tokens": 180, "output_tokens": 42}, "cost_usd": 0.0000421}  # fmt: skip
        yield record


def write_log(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Append ``records`` to the evidence log at ``path`` with the real EvidenceLog, in batches, not fsync'd."""
    batch: list[dict[str, Any]] = []
    with EvidenceLog(path) as log:
        for record in records:
            batch.append(record)
            if len(batch) >= BATCH:
                log.append_all(batch, durable=False)
                batch = []
        if batch:
            log.append_all(batch, durable=False)
