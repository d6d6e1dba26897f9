"""A list of fnmatch-style globs compiled once into one regular expression (case-sensitive)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence


class GlobSet:
    """Globs matched together; `match` names the first glob that matches any candidate."""

    __slots__ = ("_any", "_each", "globs")

    def __init__(self, globs: Sequence[str]) -> None:
        self.globs: tuple[str, ...] = tuple(globs)
        # One alternation answers "does anything match" in a single regex call; the per-glob list is
        # only walked to name the culprit, which happens on the (rare) refusal path.
        self._each = tuple(re.compile(fnmatch.translate(g)) for g in self.globs)
        self._any = re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in self.globs)) if globs else None

    def __bool__(self) -> bool:
        return bool(self.globs)

    def __repr__(self) -> str:
        return f"GlobSet({list(self.globs)!r})"

    def matches(self, *candidates: str) -> bool:
        """Whether any glob matches any of the candidates."""
        pattern = self._any
        if pattern is None:
            return False
        return any(pattern.match(c) is not None for c in candidates)

    def match_model(self, provider: str, model: str) -> str | None:
        """The first glob naming this model: globs without '/' see the model only, so that 'gemini-*'
        never matches 'gemini-compatible/gpt-4o'; globs with '/' also see 'provider/model' ('ollama/*')."""
        qualified = f"{provider}/{model}"
        if not self.matches(model, qualified):
            return None
        for glob, regex in zip(self.globs, self._each, strict=True):
            if regex.match(model) is not None or ("/" in glob and regex.match(qualified) is not None):
                return glob
        return None

    def match(self, *candidates: str) -> str | None:
        """The first glob that matches one of the candidates, or None."""
        if not self.matches(*candidates):
            return None
        for glob, regex in zip(self.globs, self._each, strict=True):
            if any(regex.match(c) is not None for c in candidates):
                return glob
        return None  # unreachable: the alternation matched, so one glob does
