"""The words around a match, lower-cased, for context and anti-context rules."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+")
WINDOW = 40  # characters: about five words, as Presidio's context window


def _words(text: str, start: int, end: int, names: bool) -> frozenset[str]:
    # A capitalised word in a table row is usually a name ("Stephanie Page"), not the word "page".
    found = _WORD.findall(text, max(0, start), end)
    return frozenset(w.lower() for w in found if names or not w.istitle() or len(w) == 1)


def words_before(text: str, start: int, window: int = WINDOW, *, names: bool = True) -> frozenset[str]:
    """Lower-cased words in the `window` characters before `start`; `names=False` leaves out Capitalised ones."""
    return _words(text, start - window, start, names)


def words_after(text: str, end: int, window: int = WINDOW // 2, *, names: bool = True) -> frozenset[str]:
    """Lower-cased words in the `window` characters after `end`; `names=False` leaves out Capitalised ones."""
    return _words(text, end, end + window, names)
