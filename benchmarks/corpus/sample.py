"""A labelled sample composed from literal text and labelled values, so each span is exactly its value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# A part is literal text, or (value, entity type): the value is inserted and labelled.
Part = str | tuple[str, str]


@dataclass
class Sample:
    """One corpus line: the text, its spans and where it came from."""

    id: str
    text: str
    spans: list[dict[str, Any]]
    kind: str
    locale: str
    template: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "spans": self.spans,
            "kind": self.kind,
            "locale": self.locale,
            "template": self.template,
            **self.extra,
        }


def compose(parts: Iterable[Part]) -> tuple[str, list[dict[str, Any]], list[str]]:
    """Join parts into text; return the text, its spans and the values in order."""
    chunks: list[str] = []
    spans: list[dict[str, Any]] = []
    values: list[str] = []
    at = 0
    for part in parts:
        if isinstance(part, tuple):
            value, kind = part
            if value != value.strip() or not value:
                raise ValueError(f"a {kind} value has surrounding whitespace or is empty")
            spans.append({"start": at, "end": at + len(value), "type": kind})
            values.append(value)
            chunks.append(value)
            at += len(value)
        else:
            chunks.append(part)
            at += len(part)
    text = "".join(chunks)
    check(text, spans, values)
    return text, spans, values


def check(text: str, spans: list[dict[str, Any]], values: list[str] | None = None) -> None:
    """Raise if a span's text is not its value, or spans overlap or are out of order."""
    end = 0
    for i, span in enumerate(spans):
        if span["start"] < end or span["end"] <= span["start"] or span["end"] > len(text):
            raise ValueError(f"span {i} ({span['type']}) overlaps the one before or lies outside the text")
        if values is not None and text[span["start"] : span["end"]] != values[i]:
            raise ValueError(f"span {i} ({span['type']}) does not cover the value inserted")
        end = span["end"]
