"""What detection returns, and the one error it raises."""

from __future__ import annotations

from dataclasses import dataclass

from jupyter_aigov.errors import AIGovError


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected entity: its type, its character span in the text, and the analyzer's confidence."""

    entity: str
    start: int
    end: int
    score: float

    def value(self, text: str) -> str:
        """The detected value in `text` (never put it in evidence)."""
        return text[self.start : self.end]


class DetectionFailed(AIGovError):
    """Detection could not finish (error, deadline, model still loading); the caller must fail closed.

    `reason` goes into evidence: it names an exception by its type, never by its message (which may quote
    the text being analysed).
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Sensitive-data detection failed: {reason}")
