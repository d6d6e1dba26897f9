"""Real projects for the tests: evidence logs written by EvidenceLog, an inventory, bundles made by the real export."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from jupyter_aigov.bundle.api import export
from jupyter_aigov.evidence import EvidenceLog
from jupyter_aigov.inventory.assessment import assess
from jupyter_aigov.inventory.registration import register_model
from jupyter_aigov.inventory.store import Inventory

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
MODELS = ("gpt-4o-mini", "claude-3-5-haiku")
USERS = ("ada", "ben", "cy")
USE_CASES = ("churn", "triage")
DECISIONS = ("allow", "redact", "block", "allow")


def stamp(moment: datetime) -> str:
    """As the evidence log writes times."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Project:
    """A project folder as governed kernels leave it: aigov.yaml, .aigov/evidence/<name>.jsonl, .aigov/inventory."""

    def __init__(self, folder: Path, env: Mapping[str, str]) -> None:
        self.folder = folder
        self.env = dict(env)
        (folder / ".aigov" / "evidence").mkdir(parents=True)
        (folder / "aigov.yaml").write_text("version: 1\n")
        self.written = 0
        self._cycle = itertools.count()

    def record(self, count: int, log: str = "churn", **fields: Any) -> list[dict[str, Any]]:
        """Append ``count`` ai.call records, one minute apart, cycling models, users, use cases and decisions."""
        batch = []
        for _ in range(count):
            n = next(self._cycle)
            batch.append(
                {
                    "ts": stamp(START + timedelta(minutes=n)),
                    "event": "ai.call",
                    "session": "s-1",
                    "notebook": f"{log}.ipynb",
                    "user": USERS[n % len(USERS)],
                    "use_case": USE_CASES[n % len(USE_CASES)],
                    "provider": "openai" if n % len(MODELS) == 0 else "anthropic",
                    "model": MODELS[n % len(MODELS)],
                    "decision": DECISIONS[n % len(DECISIONS)],
                    "rules": ["models.allow"],
                    "reason": "",
                    "entities": {"PERSON": 1} if DECISIONS[n % len(DECISIONS)] == "redact" else {},
                    "usage": {"input_tokens": 10 + n, "output_tokens": 5},
                    "cost_usd": 0.0001,
                    **fields,
                }
            )
        with EvidenceLog(self.folder / ".aigov" / "evidence" / f"{log}.jsonl") as evidence:
            written = evidence.append_all(batch)
        self.written += count
        return written

    @property
    def inventory(self) -> Inventory:
        """The project's inventory."""
        return Inventory(self.folder / ".aigov" / "inventory")

    def register(self, **fields: Any) -> str:
        """Register a model (sensible defaults for the required fields); return its id."""
        defaults = {
            "name": "gpt-4o-mini",
            "provider": "openai",
            "owner": "support-analytics",
            "intended_purpose": "Summarise support tickets",
            "risk_tier": "limited",
        }
        return register_model(self.inventory, {**defaults, **fields}, user="ada").id

    def assess(self, model_id: str, **fields: Any) -> str:
        """Assess a model against NIST AI RMF; return the assessment's id."""
        return assess(self.inventory, model_id, {"assessor": "ana", **fields}, user="ana", today=date.today()).id

    def export(self, path: Path, **filters: Any) -> Path:
        """A signed bundle of the project, written by the real export."""
        return export(path, source=self.folder, env=self.env, progress=False, **filters).path
