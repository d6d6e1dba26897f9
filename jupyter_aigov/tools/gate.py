"""Holds back the tool calls of an AI answer until each is complete and decided; everything else flows on.

The gate takes the answer's frames (SSE events, NDJSON lines, event-stream messages, or the whole body), before
the caller sees them and before placeholders are restored. A frame that is not part of a tool call is released
at once, in order. From the first piece of a tool call, frames are held until the call is complete; the judge
then decides on it, and the held frames are released, or the judge raises and none of them ever reaches the
caller. A whole JSON answer is decided at once; a framing error (a bad CRC, an event over the bound) is refused.

>>> gate = ToolCallGate("openai", "chat.completions", judge)  # doctest: +SKIP
>>> released = gate.frame(frame)  # each frame; raises when a call is refused  # doctest: +SKIP
>>> released += gate.close()                                                # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from jupyter_aigov.providers.framing import NOT_JSON, Body, EventStreamMessage, Frame, Unframed
from jupyter_aigov.tools.calls import RequestedToolCall, ToolCallAssembler, assembler_for, calls_in_answer

# A tool call larger than this cannot be checked: it is refused, never passed unchecked.
MAX_HELD_BYTES = 64 * 1024 * 1024
# A JSON string escape: a key may be spelled with one ("tool\\u005fcalls"), which no marker matches.
_ESCAPE = b"\\u"


class ToolCallJudge(Protocol):
    """Decides on the tool calls of one answer: returns when they may reach the caller, raises when not."""

    def judge(self, calls: Sequence[RequestedToolCall]) -> None: ...

    def unreadable(self, why: str) -> None:
        """An answer that may hold tool calls could not be read: refuse it (raises)."""
        ...


class ToolCallGate:
    """frame() each frame of the answer and pass on what it returns; close() at the end. Raises through the judge."""

    def __init__(self, api: str, operation: str, judge: ToolCallJudge) -> None:
        self._api, self._operation = api, operation
        self._judge = judge
        self._calls: ToolCallAssembler = assembler_for(api, operation)
        self._markers = self._calls.markers
        self._held: list[Frame] = []  # frames of a tool call not yet decided
        self._held_size = 0

    def frame(self, frame: Frame) -> list[Frame]:
        """The frames that may go to the caller now: this one, those it completes, or none while a call is open."""
        if isinstance(frame, Unframed):
            if frame.problem is not None:
                self._judge.unreadable(frame.problem)
            return self._hold(frame) if self._held else [frame]
        if isinstance(frame, Body):
            if frame.payload is NOT_JSON and self._may_carry(frame.raw):
                # not JSON, yet a client may read a call in it (an SDK reads a stream whatever its content type)
                self._judge.unreadable("the answer is not the JSON its framing says, and may carry a tool call")
            self.decide_answer(frame.payload)
            return [frame]
        # its raw bytes, not only its data: a client may read what the framing does not (JSON sent as SSE)
        if not self._held and not self._may_carry(frame.raw):
            return [frame]  # cannot start a tool call: the common case, no parsing
        event = frame.payload
        if event is NOT_JSON:
            if self._held:
                return self._hold(frame)
            if self._may_carry(frame.data if isinstance(frame, EventStreamMessage) else frame.raw):
                self._judge.unreadable(
                    "a frame of the answer is not the JSON its framing says, and may carry a tool call"
                )
            return [frame]
        step = self._calls.event(event)
        if not step.holds and not self._held:
            return [frame]
        self._hold(frame)
        if step.completed:
            self._judge.judge(step.completed)
        return [] if self._calls.open else self._release()

    def close(self) -> list[Frame]:
        """The answer ended: calls cut off mid-way are decided on what arrived; the held frames, once decided."""
        unfinished = self._calls.finish()
        if unfinished:
            self._judge.judge(unfinished)
        return self._release()

    def refuse(self, why: str) -> None:
        """The answer cannot be read (a compression aigov cannot undo, a body over the bound): refused."""
        self._judge.unreadable(why)

    def decide_answer(self, answer: Any) -> None:
        """A whole answer, parsed (NOT_JSON when it is not JSON: an HTML error page cannot carry a tool call)."""
        if answer is NOT_JSON:
            return
        calls = calls_in_answer(self._api, self._operation, answer)
        if calls:
            self._judge.judge(calls)

    def _may_carry(self, data: bytes) -> bool:
        """Whether these bytes may hold a tool call (a marker, or a JSON escape that may spell one)."""
        return _ESCAPE in data or any(marker in data for marker in self._markers)

    def _hold(self, frame: Frame) -> list[Frame]:
        self._held.append(frame)
        self._held_size += len(frame.raw)
        if self._held_size > MAX_HELD_BYTES:
            self._judge.unreadable(f"a tool call is over {MAX_HELD_BYTES} bytes")
        return []

    def _release(self) -> list[Frame]:
        released, self._held, self._held_size = self._held, [], 0
        return released
