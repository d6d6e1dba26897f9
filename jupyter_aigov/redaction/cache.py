"""A bounded LRU of analysis results keyed by content hash, so resent chat history is analysed once."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable

from jupyter_aigov.redaction.findings import Finding


def content_key(text: str, settings: Hashable) -> tuple[bytes, Hashable]:
    """The cache key of `text` analysed under `settings` (entities, threshold, allow terms)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(), settings


class FindingsCache:
    """Least-recently-used findings per text, bounded by entry count and by the characters of the texts behind them."""

    def __init__(self, max_entries: int = 4096, max_chars: int = 4_000_000) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._entries: OrderedDict[tuple[bytes, Hashable], tuple[int, tuple[Finding, ...]]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[bytes, Hashable]) -> tuple[Finding, ...] | None:
        """The cached findings for `key`, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: tuple[bytes, Hashable], length: int, findings: tuple[Finding, ...]) -> None:
        """Remember `findings` for a text of `length` characters, evicting the oldest entries past the bounds."""
        if length > self.max_chars:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._chars -= old[0]
            self._entries[key] = (length, findings)
            self._chars += length
            while len(self._entries) > self.max_entries or self._chars > self.max_chars:
                _, (evicted, _) = self._entries.popitem(last=False)
                self._chars -= evicted

    def clear(self) -> None:
        """Forget everything (counters too)."""
        with self._lock:
            self._entries.clear()
            self._chars = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def chars(self) -> int:
        """Characters of text currently represented."""
        return self._chars
