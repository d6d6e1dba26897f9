"""The answer of a call carried in messages that are not JSON (gRPC): each message read as its REST twin's JSON.

Each answer message goes through the call's tap as one server-sent event of its twin's JSON, so usage, the
tool-call gate, the answer scanner and restore take it as they take a streamed REST answer; what they release
is written back into the message it came from (its other bytes as they came). A message the gate or the
scanner holds is released later, in order: the caller may get it with the next one, or at the end.
"""

from __future__ import annotations

import json
from collections import deque
from typing import TYPE_CHECKING, Any

from ..providers.framing import SSEFramer

if TYPE_CHECKING:
    from .answer import CallInFlight

_INDEX = "aigovMessage"  # the key that carries a message's place through the tap, taken off again


class MessageTap:
    """message() each answer message as it arrives, end() when the answer ended; each returns messages to pass on."""

    def __init__(self, call: CallInFlight) -> None:
        codec = call.call.messages
        if codec is None:
            raise ValueError("a message tap is for calls carried in messages (gRPC)")
        self._codec = codec
        self._call = call
        self._streamed = call.call.stream  # a unary answer is one JSON body, as its REST twin's is
        self._tap = call.tap(200, {"content-type": "text/event-stream" if self._streamed else "application/json"})
        self._released = SSEFramer()
        self._waiting: deque[tuple[int, bytes]] = deque()
        self._last: bytes | None = None  # the last message passed on: what text released later is written into
        self._count = 0

    def message(self, raw: bytes) -> list[bytes]:
        """One message as it came from the server: the messages that may go to the caller now."""
        try:
            twin = self._codec.answer_json(raw)
        except ValueError:
            twin = None
        if twin is None:
            if self._tap.filters:  # what cannot be read cannot be restored, scanned or gated: not passed on
                self.close("unreadable answer message")
                self._call.unreadable("a gRPC answer message is not one aigov can read")
            return [raw]
        index, self._count = self._count, self._count + 1
        self._waiting.append((index, raw))
        if not self._streamed:
            return self._whole(self._feed(json.dumps(twin).encode()))
        event = {**twin, _INDEX: index} if isinstance(twin, dict) else twin
        return self._passed(self._feed(b"data: " + json.dumps(event).encode() + b"\n\n"))

    def end(self) -> list[bytes]:
        """The server's answer ended: the messages still held, and the call's outcome recorded."""
        try:
            out = self._passed(self._feed(None)) if self._streamed else self._whole(self._feed(None))
        finally:
            self._tap.close()
        return out

    def close(self, error: str | None = None) -> None:
        """The answer ended early (an error, a cancel, dropped unread): its outcome recorded once."""
        self._tap.close(error=error)

    def _feed(self, chunk: bytes | None) -> bytes:
        try:
            return self._tap.feed(chunk) if chunk is not None else self._tap.end()
        except BaseException as exc:  # a refused tool call or answer: nothing more reaches the caller
            self._tap.close(error=type(getattr(exc, "violation", exc)).__name__)
            raise

    def _whole(self, out: bytes) -> list[bytes]:
        """A unary answer: the body the tap released (once the answer ended), written back into its message."""
        if not out:
            return []
        if not self._tap.filters:
            return [self._waiting.popleft()[1]]
        return [self._codec.answer_bytes(self._waiting.popleft()[1], json.loads(out))]

    def _passed(self, out: bytes) -> list[bytes]:
        """The messages the tap released, written back from their (changed) twins."""
        messages: list[bytes] = []
        for frame in self._released.feed(out) if out else []:
            payload: Any = frame.payload
            index = payload.pop(_INDEX, None) if isinstance(payload, dict) else None
            if index is not None and not (self._waiting and self._waiting[0][0] <= index):
                # text held back (to its sentence end) and released after its message went: a message of its own,
                # written into the one its event was made from
                if self._last is not None:
                    messages.append(self._codec.answer_bytes(self._last, payload))
                continue
            while self._waiting and (index is None or self._waiting[0][0] <= index):
                place, raw = self._waiting.popleft()
                self._last = raw
                if index is None or place == index:
                    messages.append(self._codec.answer_bytes(raw, payload))
                    break
                messages.append(raw)  # released without an event of its own (its text moved on): as it came
        return messages
