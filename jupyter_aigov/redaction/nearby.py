"""The words around a match, lower-cased, for context and anti-context rules."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+")
WINDOW = 40  # characters: about five words, as Presidio's context window


def words_before(text: str, start: int, window: int = WINDOW) -> frozenset[str]:
    """Lower-cased words in the `window` characters before `start`."""
    return frozenset(w.lower() for w in _WORD.findall(text, max(0, start - window), start))


def words_after(text: str, end: int, window: int = WINDOW // 2) -> frozenset[str]:
    """Lower-cased words in the `window` characters after `end`."""
    return frozenset(w.lower() for w in _WORD.findall(text, end, end + window))
