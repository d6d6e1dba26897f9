"""What detection returns, and the one error it raises."""

from __future__ import annotations

from dataclasses import dataclass


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
