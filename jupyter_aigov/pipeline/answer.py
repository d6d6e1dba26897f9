"""The answer of one allowed call, on its way back to the caller: one object per call in flight.

It reads usage from the bytes the caller receives, holds tool calls back until they are decided, puts original
values back where placeholders were, and records the outcome once. Layers feed it bytes and pass on what it
returns; they know nothing of the actions behind it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..providers import StreamTap
from ..providers.base import AIRequest, Usage, header_value
from ..redaction.restore import restore_value
from ..redaction.restore_eventstream import EventStreamRestorer
from ..redaction.restore_stream import StreamRestorer
from ..spend.guard import priced
from ..tools.calls import RequestedToolCall, calls_in_answer
from ..tools.gate import ToolCallGate
from .request import SendPlan

if TYPE_CHECKING:
    from ..policy import EffectivePolicy
    from ..routing import RoutePlan
    from ..spend.ledger import Reservation
    from .flow import Pipeline

MAX_REMEMBERED_ANSWER = 1024 * 1024


class ResponseFilter(Protocol):
    """feed() each chunk as it arrives and pass on what it returns (maybe b""); close() once it ended."""

    def feed(self, chunk: bytes) -> bytes: ...

    def close(self) -> bytes: ...


class FilterChain:
    """Two filters in a row: what the first releases goes through the second."""

    def __init__(self, first: ResponseFilter, second: ResponseFilter) -> None:
        self._first, self._second = first, second

    def feed(self, chunk: bytes) -> bytes:
        released = self._first.feed(chunk)
        return self._second.feed(released) if released else b""

    def close(self) -> bytes:
        released = self._first.close()
        return (self._second.feed(released) if released else b"") + self._second.close()


class CallInFlight:
    """One allowed AI call in flight: how it goes out (`plan`), then its answer, until its outcome is recorded."""

    __slots__ = (
        "_done",
        "call",
        "call_record",
        "echoing",
        "effective",
        "gating",
        "pipeline",
        "plan",
        "reservation",
        "restoring",
        "route",
        "started",
        "status",
    )

    def __init__(
        self,
        pipeline: Pipeline,
        call: AIRequest,
        call_record: dict[str, Any],
        effective: EffectivePolicy,
        plan: SendPlan | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.call = call
        self.call_record = call_record
        self.effective = effective  # the effective policy the call was decided under
        self.plan = plan or SendPlan()
        self.restoring = False  # put original values back in what the caller reads
        self.echoing = False  # remember a JSON answer, so that resending it needs no detection
        self.gating = False  # hold the answer's tool calls until they are decided
        self.route: RoutePlan | None = None  # where the call goes instead, when a route sends it elsewhere
        self.reservation: Reservation | None = None  # its place in the budgets, settled once usage is known
        self.started = time.perf_counter()
        self.status: int | None = None
        self._done = False

    @property
    def filters_response(self) -> bool:
        """Whether the answer's bytes are read on their way to the caller (so it is asked for uncompressed)."""
        return self.restoring or self.gating

    def response_filter(self, headers: Mapping[str, str] | None) -> ResponseFilter | None:
        """What holds back tool calls until decided, then puts original values back; None when nothing must."""
        content_type = header_value(headers, "content-type")
        encoding = header_value(headers, "content-encoding")
        gate = ToolCallGate(self.call.api, self.call.operation, content_type, encoding, self) if self.gating else None
        restorer = self._restorer(content_type, encoding)
        if gate is not None and restorer is not None:
            return FilterChain(gate, restorer)
        return gate or restorer

    def _restorer(self, content_type: str, encoding: str) -> ResponseFilter | None:
        if not self.restoring or encoding.lower() not in ("", "identity"):
            return None  # a provider that compressed anyway is passed through as it answered
        if content_type.lower().startswith("application/vnd.amazon.eventstream"):
            return EventStreamRestorer(self.pipeline.vault)
        restorer = StreamRestorer(self.pipeline.vault, content_type)
        return None if restorer.unsupported else restorer

    def tap(self, status: int, headers: Mapping[str, str]) -> ResponseTap:
        """The usage reader of this answer, which finishes the call once it ends."""
        return ResponseTap(self, status, headers)

    def parsed_answer(self, parsed: dict[str, Any]) -> None:
        """An answer the SDK already read and parsed (botocore's converse): its tool calls decided, values restored."""
        if self.gating:
            calls = calls_in_answer(self.call.api, self.call.operation, parsed)
            if calls:
                self.judge(calls)
        if self.restoring and "output" in parsed:
            parsed["output"] = restore_value(parsed["output"], self.pipeline.vault)

    # the ToolCallJudge of this answer's gate
    def judge(self, calls: Sequence[RequestedToolCall]) -> None:
        self.pipeline.judge_tool_calls(self, calls)

    def unreadable(self, why: str) -> None:
        self.pipeline.refuse_unreadable_answer(self, why)

    def finish(self, usage: Usage | None, *, error: str | None = None) -> None:
        """Record the outcome once: usage when the response was read, or the error that ended it."""
        if self._done:
            return
        self._done = True
        cost = priced(self.call.provider, self.call.model, usage)
        if self.reservation is not None:
            try:
                self.pipeline.budgets.settle(self.reservation, usage, cost)
            except Exception as exc:  # the estimate stays counted; the response is not broken for it
                error = error or f"budget ledger: {type(exc).__name__}"  # recorded: the type, never the message
        self.pipeline.record_answer(
            "ai.response",
            use_case=self.call_record.get("use_case"),
            call_id=self.call_record.get("call_id"),
            call_seq=self.call_record.get("seq"),
            api=self.call.api,
            provider=self.call.provider,
            model=self.call.model,
            decision=self.call_record.get("decision"),
            status=self.status,
            error=error,
            usage=usage.as_dict() if usage is not None and usage != Usage() else None,
            cost_usd=round(cost.usd, 8) if cost is not None else None,
            priced_as=f"{cost.priced_as} ({cost.source})" if cost is not None else None,
            duration_ms=round((time.perf_counter() - self.started) * 1000, 3),
        )


class ResponseTap:
    """Feeds the bytes of one response to the wire format's usage reader, and finishes the call once."""

    __slots__ = ("_answer", "_call", "_closed", "_stream")

    def __init__(self, call: CallInFlight, status: int, headers: Mapping[str, str]) -> None:
        call.status = status
        self._call = call
        # raw or already-decoded bytes alike: StreamTap tells compressed from plain by their first bytes
        self._stream = StreamTap(call.call.api, call.call.operation, headers=headers)
        self._closed = False
        # a JSON answer is kept (up to a size) when redaction examined the call: see redaction/echoes.py
        json_answer = "json" in header_value(headers, "content-type").lower()
        self._answer: bytearray | None = bytearray() if call.echoing and json_answer else None

    def feed(self, data: bytes) -> None:
        """Take a chunk as the caller received it."""
        if data and not self._closed:
            self._stream.feed(data)
            if self._answer is not None:
                self._answer += data
                if len(self._answer) > MAX_REMEMBERED_ANSWER:
                    self._answer = None

    def close(self, error: str | None = None) -> None:
        """The response ended (read to the end, closed early, or failed): record what we know."""
        if self._closed:
            return
        self._closed = True
        try:
            usage = self._stream.close()
        except Exception:  # reading usage is best effort: it must never break the caller's response
            usage = None
        self._call.finish(usage, error=error or self._stream.error)
        if self._answer and error is None and self._call.status == 200:
            pipeline = self._call.pipeline
            pipeline.echoes.remember_json(bytes(self._answer), pipeline.vault)
