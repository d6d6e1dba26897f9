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
    """Which of a fixed set of lowercase keywords occur in a text.

    Most keywords start a token (`glpat-`, a vendor's name in `TWILIO_SID`): one regex pass looks for them at
    token starts only, which is several times cheaper than at every position. The few that sit inside a
    token (`T3BlbkFJ` in an OpenAI key, `-us6` after a Mailchimp key) are looked for anywhere.
    """

    def __init__(self, at_token_start: Iterable[str], anywhere: Iterable[str] = ()) -> None:
        starts = frozenset(at_token_start)
        self.anywhere = tuple(sorted(frozenset(anywhere)))
        self.words = starts | frozenset(self.anywhere)
        # a lookahead reports the longest keyword at each token start; the shorter ones there are its prefixes
        self._regex = re.compile(f"(?<![a-z0-9])(?=({trie_pattern(starts)}))") if starts else None
        self._prefixes = {w: tuple(p for p in starts if w.startswith(p)) for w in starts}

    def present(self, lowered: str) -> set[str]:
        """The keywords that occur in `lowered`."""
        found = {w for w in self.anywhere if w in lowered}
        if self._regex is not None:
            for longest in {m.group(1) for m in self._regex.finditer(lowered)}:
                found.update(self._prefixes[longest])
        return found


def lines_holding(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of each line of `text` that holds one of `words`, in order, each once."""
    spans: set[tuple[int, int]] = set()
    for word in words:
        if word not in text:
            continue
        at = text.find(word)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            spans.add((start, end))
            at = text.find(word, end)
    return sorted(spans)
