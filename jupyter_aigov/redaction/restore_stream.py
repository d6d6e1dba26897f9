"""Restore placeholders in an answer's frames as they pass: SSE events, NDJSON lines, event-stream messages, bodies.

restore_deltas.DeltaJoiner restores each event, holding a placeholder split across deltas until its end
arrives; a changed frame is re-encoded (an event-stream message with fresh CRCs), an unchanged one passes
byte-identical. Bedrock's invoke stream wraps each Anthropic event in base64 (`bytes`); its Converse stream
names the event in the `:event-type` header, which the joiner reads as the event's `type`.

>>> restorer = StreamRestorer(vault)         # doctest: +SKIP
>>> released = restorer.frame(frame)         # each frame  # doctest: +SKIP
>>> released += restorer.close()             # doctest: +SKIP
"""

from __future__ import annotations

import base64
import json
from collections.abc import MutableMapping
from typing import Any

from jupyter_aigov.providers.framing import (
    NOT_JSON,
    Body,
    EventStreamMessage,
    Frame,
    NDJSONLine,
    SSEEvent,
    Unframed,
    framing_of,
)
from jupyter_aigov.redaction.placeholders import PlaceholderVault
from jupyter_aigov.redaction.restore import restore_json_bytes, restore_value
from jupyter_aigov.redaction.restore_deltas import DeltaJoiner


def restores(content_type: str) -> bool:
    """Whether values are restored in an answer of this content type (JSON, SSE, NDJSON, event stream)."""
    content_type = content_type.lower()
    return framing_of(content_type) != "body" or "json" in content_type


def restore_parsed(answer: MutableMapping[str, Any], vault: PlaceholderVault) -> None:
    """An answer the SDK already parsed (botocore's Converse): its `output` restored in place."""
    if "output" in answer:
        answer["output"] = restore_value(answer["output"], vault)


def compact_json(value: Any) -> bytes:
    """Compact JSON; ASCII-escaped when a lone surrogate (from a \\ud800 escape) has no UTF-8 form."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":")).encode()


class StreamRestorer:
    """frame() each frame of an answer and send on what it returns; close() at the end for held suffixes."""

    def __init__(self, vault: PlaceholderVault) -> None:
        self._joiner = DeltaJoiner(vault)
        self._passing = False
        self._last: Frame | None = None  # the last frame sent on: ended by close() if the stream was not
        self._cut: list[Frame] = []  # a message cut off by the end of the stream: sent after held suffixes
        self.problem: str | None = None  # why the rest of the answer passed unrestored, when it did

    def frame(self, frame: Frame) -> list[Frame]:
        """The frames to send on now: held suffixes this one releases, then it, restored."""
        if self._passing:
            return [frame]
        if isinstance(frame, Unframed):
            if frame.problem is None:
                self._cut.append(frame)
                return []
            self.problem, self._passing = f"{frame.problem}: the rest passed through unrestored", True
            return [*self._releases(self._joiner.release_all()), frame]
        self._last = frame
        if isinstance(frame, Body):
            restored = restore_json_bytes(frame.raw, self._joiner.vault)
            return [frame if restored is frame.raw else frame.with_data(restored)]
        if isinstance(frame, EventStreamMessage):
            return self._message(frame)
        data = frame.data
        if isinstance(frame, SSEEvent) and data.strip() == b"[DONE]":
            return [*self._releases(self._joiner.release_all()), frame]
        if self._joiner.idle(data):
            return [frame]
        event = frame.payload
        if event is NOT_JSON or (event is None and isinstance(frame, NDJSONLine)):
            return [frame]
        releases, restored = self._joiner.event(event, frame)
        return [*self._releases(releases), frame if restored is event else frame.with_data(compact_json(restored))]

    def close(self) -> list[Frame]:
        """Every suffix still held, each in a frame of its own (the unterminated last frame ended first)."""
        if self._passing:
            return []
        self._passing = True
        releases = self._releases(self._joiner.release_all())
        end = self._last.terminator() if releases and self._last is not None else b""
        return [*([Unframed(end)] if end else []), *releases, *self._cut]

    def _message(self, frame: EventStreamMessage) -> list[Frame]:
        payload = frame.data
        if self._joiner.idle(payload) and b"bytes" not in payload[:16]:
            return [frame]
        body = frame.payload
        if not isinstance(body, dict):
            return [frame]
        wrapped = isinstance(body.get("bytes"), str)
        try:
            event = json.loads(base64.b64decode(body["bytes"])) if wrapped else body
        except ValueError:
            return [frame]
        if not isinstance(event, dict):
            return [frame]
        typed = "type" not in event
        if typed:  # Bedrock names a converse-stream event in a header; the joiner reads it from the event
            event = {"type": frame.event_type, **event}
        releases, restored = self._joiner.event(event, (frame, body, wrapped, typed))
        if restored is event:
            return [*self._releases(releases), frame]
        return [*self._releases(releases), message_like(frame, restored, body, wrapped, typed)]

    def _releases(self, releases: list[tuple[Any, Any]]) -> list[Frame]:
        """Held suffixes, each in a frame shaped like the one it came from."""
        return frames_like(releases)


def message_like(frame: EventStreamMessage, event: Any, body: dict[str, Any], wrapped: bool, typed: bool) -> Frame:
    """A message with this event as its payload, wrapped and typed as the message it came from."""
    if typed and isinstance(event, dict):
        event = {k: v for k, v in event.items() if k != "type"}
    if wrapped:
        inner = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        event = {**body, "bytes": base64.b64encode(inner).decode("ascii")}
    return frame.with_data(json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def frames_like(releases: list[tuple[Any, Any]]) -> list[Frame]:
    """Held events, each in a frame shaped like the one it came from: an event-stream message's shape is
    (message, body, wrapped, typed); any other is the frame itself."""
    out: list[Frame] = []
    for event, shape in releases:
        if isinstance(shape, tuple):
            message, body, wrapped, typed = shape
            out.append(message_like(message, event, body, wrapped, typed))
        else:
            out.append(shape.like(compact_json(event)))
    return out
