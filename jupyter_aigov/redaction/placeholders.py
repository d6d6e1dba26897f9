"""Typed placeholders (`<PERSON_1>`) that stand in for redacted values, one vault per kernel session.

>>> vault = PlaceholderVault()
>>> vault.redact("Write to Frank Holt today", [(9, 19, "PERSON")])
'Write to <PERSON_1> today'
>>> vault.value_for("<PERSON_1>")
'Frank Holt'
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from aigov_core.errors import PlaceholderVaultFull
from jupyter_aigov.providers.base import TextPart, set_at
from jupyter_aigov.redaction.findings import Finding

# `<` + an upper-case type + `_` + a count from 1: no JSON-special characters, so it survives JSON encoding
# unescaped, and it reads to a model as an opaque token it tends to copy verbatim.
PLACEHOLDER_PATTERN = re.compile(r"<([A-Z][A-Z0-9_]*)_([1-9][0-9]*)>")

Span = tuple[int, int, str]  # (start, end, entity_type) in a text, end exclusive

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_CHARS = 4_000_000
_MAX_TYPE_LEN = 64


def entity_tag(entity_type: str) -> str:
    """The type as it appears in a placeholder: upper case, [A-Z0-9_] only, starting with a letter."""
    tag = re.sub(r"[^A-Z0-9_]", "_", entity_type.strip().upper())[:_MAX_TYPE_LEN]
    if not tag:
        raise ValueError("An entity type is needed to make a placeholder, got an empty one.")
    return tag if "A" <= tag[0] <= "Z" else f"E_{tag}"[:_MAX_TYPE_LEN]


def normalise(value: str) -> str:
    """The form under which values are matched: runs of whitespace collapsed, ends stripped, case kept."""
    return " ".join(value.split())


class PlaceholderVault:
    """The placeholders of one kernel session, in memory only: same value, same placeholder; thread-safe."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._lock = threading.Lock()
        self._by_value: dict[tuple[str, str], str] = {}  # (tag, normalised value) -> placeholder
        self._values: set[str] = set()  # every normalised value, whatever its type
        self._by_placeholder: dict[str, str] = {}  # placeholder -> the value as first seen
        self._counts: dict[str, int] = {}  # tag -> highest N issued
        self._chars = 0

    def __len__(self) -> int:
        return len(self._by_placeholder)

    def __repr__(self) -> str:  # never the values: a repr ends up in logs and tracebacks
        return f"<PlaceholderVault {len(self)} values>"

    def placeholder_for(self, entity_type: str, value: str) -> str:
        """The placeholder of `value` in this session, issuing `<TYPE_N>` the first time it is seen."""
        tag, key = entity_tag(entity_type), normalise(value)
        if not key:
            raise ValueError("Only a non-blank value can be replaced by a placeholder.")
        with self._lock:
            return self._issue(tag, key, value)

    def _issue(self, tag: str, key: str, value: str) -> str:
        placeholder = self._by_value.get((tag, key))
        if placeholder is not None:
            return placeholder
        if len(self._by_placeholder) >= self.max_entries or self._chars + len(value) > self.max_chars:
            raise PlaceholderVaultFull(len(self._by_placeholder), self._chars)
        count = self._counts.get(tag, 0) + 1
        placeholder = f"<{tag}_{count}>"
        self._counts[tag] = count
        self._by_value[(tag, key)] = placeholder
        self._values.add(key)
        self._by_placeholder[placeholder] = value
        self._chars += len(value)
        return placeholder

    def holds(self, value: str) -> bool:
        """Whether `value` was replaced by a placeholder this session, as any type (issues none)."""
        with self._lock:
            return normalise(value) in self._values

    def value_for(self, placeholder: str) -> str | None:
        """The original value behind a placeholder of this session, None for any other text."""
        with self._lock:
            return self._by_placeholder.get(placeholder)

    def known_values(self) -> dict[str, str]:
        """Every value replaced this session, with its entity tag: so an export can scrub them from notebooks."""
        with self._lock:
            return {value: placeholder[1:].rpartition("_")[0] for placeholder, value in self._by_placeholder.items()}

    def redact(self, text: str, spans: Iterable[Span | Finding]) -> str:
        """`text` with each span replaced by its placeholder; spans may come unsorted, overlaps are refused.

        Overlaps raise ValueError rather than guess which type wins: `decide()` already merges them.
        """
        ordered: list[Span] = sorted((s.start, s.end, s.entity) if isinstance(s, Finding) else s for s in spans)
        out: list[str] = []
        pos = 0
        with self._lock:
            for start, end, entity_type in ordered:
                if not 0 <= start < end <= len(text):
                    raise ValueError(f"Span ({start}, {end}) is empty or outside a text of {len(text)} characters.")
                if start < pos:
                    raise ValueError(f"Span ({start}, {end}) overlaps the span before it: merge them first.")
                value = text[start:end]
                key = normalise(value)
                if not key:
                    raise ValueError(f"Span ({start}, {end}) holds only whitespace: nothing to replace.")
                out += (text[pos:start], self._issue(entity_tag(entity_type), key, value))
                pos = end
        out.append(text[pos:])
        return "".join(out)

    def redact_parts(self, body: Any, parts: list[TextPart], spans: list[list[Finding]]) -> None:
        """Write each text part back into the parsed request `body` with its spans (from `decide()`) replaced."""
        for part, part_spans in zip(parts, spans, strict=True):
            if part_spans:
                set_at(body, part.path, self.redact(part.text, part_spans))

    def could_start(self, text: str) -> bool:
        """Whether `text` (starting with `<`) is a proper beginning of a placeholder this vault has issued."""
        if not text.startswith("<") or ">" in text:
            return False
        rest = text[1:]
        with self._lock:
            for tag, count in self._counts.items():
                head = f"{tag}_"
                if head.startswith(rest):
                    return True
                if rest.startswith(head):
                    digits = rest[len(head) :]
                    # any N <= count starting with these digits exists iff the digits themselves are <= count
                    if digits.isascii() and digits.isdigit() and digits[0] != "0" and int(digits) <= count:
                        return True
        return False
