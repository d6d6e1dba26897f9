"""The provider's own answers, as the caller saw them: resent in a chat's history, they need no analysis.

What a provider wrote is no secret from it; only the values aigov restored into it are, and their places
are known. So when the caller sends back an answer it received (a chat resends its whole history), the
provider gets exactly the text it produced, placeholders included, without running detection on it.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict
from typing import Any

from jupyter_aigov.redaction.placeholders import PLACEHOLDER_PATTERN, PlaceholderVault
from jupyter_aigov.redaction.restore import restore_string

MIN_CHARS = 24  # shorter strings (ids, roles, finish reasons) are cheap to analyse and not worth keeping


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if len(value) >= MIN_CHARS else []
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


class EchoCache:
    """Bounded map from text the caller received (values restored) to the text the provider sent."""

    def __init__(self, max_entries: int = 4096, max_chars: int = 4_000_000) -> None:
        self._seen: OrderedDict[str, str] = OrderedDict()
        self._chars = 0
        self._max_entries, self._max_chars = max_entries, max_chars
        self._lock = threading.Lock()

    def remember_json(self, body: bytes, vault: PlaceholderVault) -> None:
        """Keep every longer string of a JSON answer, keyed by what the caller read."""
        try:
            parsed = json.loads(body)
        except ValueError:
            return
        for sent in _strings(parsed):
            self._remember(restore_string(sent, vault), sent)

    def provider_text(self, text: str) -> str | None:
        """The provider's own text for a string the caller received, or None if it never answered it."""
        with self._lock:
            return self._seen.get(text)

    def _remember(self, received: str, sent: str) -> None:
        with self._lock:
            if received in self._seen:
                self._seen.move_to_end(received)
                return
            self._seen[received] = sent
            self._chars += len(received) + len(sent)
            while len(self._seen) > self._max_entries or self._chars > self._max_chars:
                old_received, old_sent = self._seen.popitem(last=False)
                self._chars -= len(old_received) + len(old_sent)


def placeholder_counts(text: str) -> Counter[str]:
    """How many placeholders of each entity type a text holds."""
    return Counter(match.group(1) for match in PLACEHOLDER_PATTERN.finditer(text))
