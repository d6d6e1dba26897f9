"""Holds back the tool calls of an AI answer until each is complete and decided; everything else flows on.

The gate sits in the response's byte path, before the caller (and before restoring placeholders). It frames
the bytes into events (SSE events, NDJSON lines, AWS event-stream messages); an event that is not part of a
tool call is released at once, in order. From the first piece of a tool call, events are held until the
call is complete; the judge then decides on it, and the held events are released, or the judge raises and
none of them ever reaches the caller. A whole JSON answer is held to its end and decided at once.

>>> gate = ToolCallGate("openai", "chat.completions", "text/event-stream", "", judge)  # doctest: +SKIP
>>> released = gate.feed(chunk)  # any number of times; raises when a call is refused  # doctest: +SKIP
>>> released += gate.close()                                                           # doctest: +SKIP
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Sequence
from typing import Any, Protocol

from jupyter_aigov.providers.framing import LineBuffer, sse_field
from jupyter_aigov.tools.calls import RequestedToolCall, ToolCallAssembler, assembler_for, calls_in_answer

# A whole answer, or one event, larger than this cannot be checked: it is refused, never passed unchecked.
MAX_HELD_BYTES = 64 * 1024 * 1024
_PRELUDE = struct.Struct(">III")


class ToolCallJudge(Protocol):
    """Decides on the tool calls of one answer: returns when they may reach the caller, raises when not."""

    def judge(self, calls: Sequence[RequestedToolCall]) -> None: ...

    def unreadable(self, why: str) -> None:
        """An answer that may hold tool calls could not be read: refuse it (raises)."""
        ...


def framing_for(content_type: str, encoding: str) -> str:
    """How the answer is cut into events: "sse", "ndjson", "eventstream", or "whole" (held to its end)."""
    if encoding.lower() not in ("", "identity"):
        return "whole"  # compressed (the provider ignored our Accept-Encoding): inflated and read at the end
    content_type = content_type.lower()
    if "text/event-stream" in content_type:
        return "sse"
    if "vnd.amazon.eventstream" in content_type:
        return "eventstream"
    if "ndjson" in content_type or "jsonl" in content_type:
        return "ndjson"
    return "whole"


class ToolCallGate:
    """feed() the answer's bytes and pass on what it returns; close() at the end. Raises through the judge."""

    unsupported = False  # the response-filter interface shared with the restorers
    problem: str | None = None

    def __init__(self, api: str, operation: str, content_type: str, encoding: str, judge: ToolCallJudge) -> None:
        self._api, self._operation = api, operation
        self._framing = framing_for(content_type, encoding)
        self._encoding = encoding.lower()
        self._judge = judge
        self._calls: ToolCallAssembler = assembler_for(api, operation)
        self._markers = self._calls.markers
        self._lines = LineBuffer()
        self._event: list[bytes] = []  # lines of the SSE event being read
        self._buffer = bytearray()  # a whole answer, or event-stream bytes not yet a message
        self._held: list[bytes] = []  # events of a tool call not yet decided
        self._held_size = 0
        self._stopped = False  # refused (or closed): nothing more is released

    # -- the byte path --------------------------------------------------------------------------
    def feed(self, chunk: bytes) -> bytes:
        """The bytes that may go to the caller now."""
        if self._stopped or not chunk:
            return b""
        try:
            if self._framing == "whole":
                self._buffer += chunk
                if len(self._buffer) > MAX_HELD_BYTES:
                    self._judge.unreadable(f"the answer is over {MAX_HELD_BYTES} bytes")
                return b""
            if self._framing == "eventstream":
                return self._messages(chunk)
            return b"".join(self._line(line) for line in self._lines.feed(chunk))
        except BaseException:
            self._stop()
            raise

    def close(self) -> bytes:
        """What is left, once the provider's answer ended: the last event, and held calls once decided."""
        if self._stopped:
            return b""
        try:
            if self._framing == "whole":
                body = bytes(self._buffer)
                self._judge_whole(body)
                return body
            out = b""
            if self._framing == "sse":
                rest = [*self._event, self._lines.rest()]
                self._event = []
                if any(rest):
                    out += self._frame(b"".join(rest), _sse_data(rest))
            elif self._framing == "ndjson":
                rest_line = self._lines.rest()
                if rest_line:
                    out += self._frame(rest_line, rest_line)
            else:
                out += self._frame(bytes(self._buffer), b"") if self._buffer else b""
            unfinished = self._calls.finish()  # a stream cut off mid-call: decide on what arrived
            if unfinished:
                self._judge.judge(unfinished)
            return out + self._release()
        except BaseException:
            self._stop()
            raise
        finally:
            self._stopped = True

    # -- framing --------------------------------------------------------------------------------
    def _line(self, line: bytes) -> bytes:
        if self._framing == "ndjson":
            return self._frame(line, line)
        if line.strip(b"\r\n"):
            self._event.append(line)
            if sum(map(len, self._event)) > MAX_HELD_BYTES:
                self._judge.unreadable(f"an event is over {MAX_HELD_BYTES} bytes")
            return b""
        lines, self._event = [*self._event, line], []
        return self._frame(b"".join(lines), _sse_data(lines))

    def _messages(self, chunk: bytes) -> bytes:
        self._buffer += chunk
        out = b""
        while len(self._buffer) >= _PRELUDE.size:
            total, headers_len, _ = _PRELUDE.unpack_from(self._buffer)
            if total > MAX_HELD_BYTES or total < 16 + headers_len:
                self._judge.unreadable("an event-stream message has an impossible length")
            if len(self._buffer) < total:
                break
            message = bytes(self._buffer[:total])
            del self._buffer[:total]
            out += self._frame(message, message[12 + headers_len : -4])
        return out

    # -- deciding -------------------------------------------------------------------------------
    def _frame(self, frame: bytes, data: bytes) -> bytes:
        """One whole event: released now, or held while a tool call is open."""
        if not self._held and not any(marker in data for marker in self._markers):
            return frame  # cannot start a tool call: the common case, no parsing
        event = _parsed(data)
        if event is None:
            if not self._held:
                return frame
            self._hold(frame)
            return b""
        step = self._calls.event(event)
        if step.holds or self._held:
            self._hold(frame)
        else:
            return frame
        if step.completed:
            self._judge.judge(step.completed)
        return b"" if self._calls.open else self._release()

    def _hold(self, frame: bytes) -> None:
        self._held.append(frame)
        self._held_size += len(frame)
        if self._held_size > MAX_HELD_BYTES:
            self._judge.unreadable(f"a tool call is over {MAX_HELD_BYTES} bytes")

    def _release(self) -> bytes:
        out = b"".join(self._held)
        self._held, self._held_size = [], 0
        return out

    def _judge_whole(self, body: bytes) -> None:
        if self._encoding in ("gzip", "x-gzip", "deflate"):
            try:
                body = zlib.decompress(body, zlib.MAX_WBITS | 32)  # gzip or zlib header, told apart
            except zlib.error:
                self._judge.unreadable(f"the {self._encoding} answer could not be inflated")
        elif self._encoding not in ("", "identity"):
            self._judge.unreadable(f"the answer is compressed with {self._encoding!r}, which aigov cannot read")
        if not body.strip():
            return
        try:
            answer = json.loads(body)
        except ValueError:
            return  # not JSON (an HTML error page, plain text): it cannot hold a tool call a client would run
        calls = calls_in_answer(self._api, self._operation, answer)
        if calls:
            self._judge.judge(calls)

    def _stop(self) -> None:
        self._stopped = True
        self._held, self._held_size, self._buffer = [], 0, bytearray()


def _sse_data(lines: list[bytes]) -> bytes:
    """The joined `data:` values of one SSE event."""
    return b"\n".join(value for name, value in map(sse_field, lines) if name == b"data")


def _parsed(data: bytes) -> Any:
    data = data.strip()
    if not data or data == b"[DONE]":
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None
