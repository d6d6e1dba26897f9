"""Helpers shared by the bundle tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from aigov_core.evidence import iter_records
from jupyter_aigov.bundle.summary import EvidenceSummary
from jupyter_aigov.evidence import EvidenceLog


def summarise(path: Path, fields: Iterable[Mapping[str, Any]]) -> EvidenceSummary:
    """The fields written to a real evidence log at ``path``, read back and summed up."""
    with EvidenceLog(path) as log:
        log.append_all([dict(item) for item in fields], durable=False)
    summary = EvidenceSummary()
    for record in iter_records(path):
        summary.add(record, f"data/evidence/{path.name}")
    return summary
