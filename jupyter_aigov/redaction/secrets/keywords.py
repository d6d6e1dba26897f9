"""Finding which of many keywords a text holds in one pass, and the lines that hold them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of `words`, written as a trie so the engine tries one branch per character."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


class KeywordIndex:
    """Which of a fixed set of lowercase keywords occur in a text, found in one regex pass."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words)
        # a lookahead reports the longest keyword at every position; the shorter ones there are its prefixes
        self._regex = re.compile(f"(?=({trie_pattern(self.words)}))")
        self._prefixes = {w: tuple(p for p in self.words if w.startswith(p)) for w in self.words}

    def present(self, lowered: str) -> set[str]:
        """The keywords that occur in `lowered`."""
        found: set[str] = set()
        for longest in {m.group(1) for m in self._regex.finditer(lowered)}:
            found.update(self._prefixes[longest])
        return found


def lines_holding(lowered: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of each line of `lowered` that holds one of `words`, in order, each once."""
    spans: set[tuple[int, int]] = set()
    for word in words:
        at = lowered.find(word)
        while at >= 0:
            start = lowered.rfind("\n", 0, at) + 1
            end = lowered.find("\n", at)
            end = len(lowered) if end < 0 else end
            spans.add((start, end))
            at = lowered.find(word, end)
    return sorted(spans)
