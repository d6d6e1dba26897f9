"""What the pipeline decided so far in this session: calls counted per outcome, and the last decision."""

from __future__ import annotations

import threading
from typing import Any, Literal

Outcome = Literal["allow", "redact", "block", "error"]


class Tally:
    """Counts of allowed, redacted, blocked and failed calls (for `%aigov status`), and the last decision."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {"allow": 0, "redact": 0, "block": 0, "error": 0}
        self.last_decision: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def count(self, outcome: Outcome, record: dict[str, Any] | None) -> None:
        with self._lock:
            self.counts[outcome] += 1
            if record is not None:
                self.last_decision = record
