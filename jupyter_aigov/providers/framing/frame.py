"""One frame of an answer: its raw bytes, its data, that data parsed as JSON, and how to re-encode it."""

from __future__ import annotations

import json
from typing import Any

# Bounds above any real event or body; past them bytes pass unframed (a framing error consumers see).
MAX_EVENT_BYTES = 32 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024


class _NotJSON:
    def __repr__(self) -> str:
        return "NOT_JSON"


NOT_JSON: Any = _NotJSON()  # the payload of a frame whose data is not JSON ("[DONE]", a keep-alive, HTML...)
_UNPARSED: Any = object()


class Frame:
    """A whole event as it came (`raw`), its `data` and its `payload` (the data parsed as JSON, once)."""

    __slots__ = ("_payload", "complete", "raw")

    def __init__(self, raw: bytes, complete: bool = True) -> None:
        self.raw = raw
        self.complete = complete  # False for the last event of a stream that ended before its terminator
        self._payload = _UNPARSED

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.raw!r})"

    @property
    def data(self) -> bytes:
        """The bytes that carry the payload (an SSE event's joined `data:` values, a message's payload...)."""
        return self.raw

    @property
    def payload(self) -> Any:
        """The data parsed as JSON; NOT_JSON when it is not JSON."""
        if self._payload is _UNPARSED:
            try:
                self._payload = json.loads(self.data)
            except ValueError:
                self._payload = NOT_JSON
        return self._payload

    def with_data(self, data: bytes) -> Frame:
        """This frame re-encoded around new data (the rest of it kept)."""
        raise NotImplementedError

    def like(self, data: bytes) -> Frame:
        """A new frame of its own carrying `data`, shaped like this one (its event type, its line ends)."""
        raise NotImplementedError

    def terminator(self) -> bytes:
        """What would end this frame, when the stream ended before its end did (b"" when it is complete)."""
        return b""


class Unframed(Frame):
    """Bytes that are not a frame, passed on as they are; `problem` says why when framing failed there.

    A problem is a framing error: an event over the bound (skipped to its end, framing resumes after it),
    a bad CRC or an impossible length (nothing after it is framed), a body that cannot be inflated.
    Without a problem they are the rest of a skipped event, or a stream cut off inside a message.
    """

    __slots__ = ("problem",)

    def __init__(self, raw: bytes, problem: str | None = None) -> None:
        super().__init__(raw)
        self.problem = problem
        self._payload = NOT_JSON

    def __repr__(self) -> str:
        return f"Unframed({self.raw!r}, problem={self.problem!r})"

    @property
    def data(self) -> bytes:
        return b""
