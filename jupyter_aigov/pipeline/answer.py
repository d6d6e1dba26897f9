"""The answer of one allowed call, on its way back to the caller: one object per call in flight.

Its tap frames the answer once (answer_stream.py) and hands each frame to the usage reader, the tool-call gate
(which holds a tool call back until it is decided), the answer scanner (redaction.responses: answer_redaction.py)
and restore (which puts original values back where placeholders were); the outcome is recorded once. Layers
feed it bytes and pass on what it returns; they know nothing of the actions behind it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..providers.base import AIRequest, Usage, header_value
from ..redaction.answer_scan import AnswerScanner
from ..spend.guard import priced
from ..tools.calls import RequestedToolCall
from .answer_stream import AnswerStream
from .request import SendPlan

if TYPE_CHECKING:
    from ..policy import EffectivePolicy
    from ..routing import RoutePlan
    from ..spend.ledger import Reservation
    from .answer_messages import MessageTap
    from .answer_redaction import AnswerRedaction
    from .flow import Pipeline

MAX_REMEMBERED_ANSWER = 1024 * 1024


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
        "scanning",
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
        self.scanning: AnswerRedaction | None = None  # redaction.responses: the answer scanned before it is read
        self.route: RoutePlan | None = None  # where the call goes instead, when a route sends it elsewhere
        self.reservation: Reservation | None = None  # its place in the budgets, settled once usage is known
        self.started = time.perf_counter()
        self.status: int | None = None
        self._done = False

    def tap(self, status: int, headers: Mapping[str, str]) -> ResponseTap:
        """The answer as the caller reads it: its bytes through its AnswerStream; finishes the call once it ends."""
        return ResponseTap(self, status, headers)

    def message_tap(self) -> MessageTap:
        """The answer of a call carried in messages (gRPC), message by message; finishes the call once it ends."""
        from .answer_messages import MessageTap

        return MessageTap(self)

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
            # redaction.responses: the answer was scanned under this mode (findings: response.redaction records)
            **({"answer_scan": self.effective.redaction.responses} if self.scanning is not None else {}),
        )


class ResponseTap:
    """Passes the bytes of one response through its AnswerStream, and finishes the call once."""

    __slots__ = ("_answer", "_call", "_closed", "_ended", "_scanner", "_stream")

    def __init__(self, call: CallInFlight, status: int, headers: Mapping[str, str]) -> None:
        call.status = status
        self._call = call
        self._scanner = AnswerScanner(call.scanning) if call.scanning is not None else None
        # raw or already-decoded bytes alike: the framing tells compressed from plain by their first bytes
        self._stream = AnswerStream(
            call.call.api,
            call.call.operation,
            headers,
            judge=call if call.gating else None,
            vault=call.pipeline.vault if call.restoring else None,
            scanner=self._scanner,
        )
        self._closed = False
        self._ended = False
        # a JSON answer is kept (up to a size) when redaction examined the call: see redaction/echoes.py
        json_answer = "json" in header_value(headers, "content-type").lower()
        self._answer: bytearray | None = bytearray() if call.echoing and json_answer else None

    @property
    def filters(self) -> bool:
        """Whether what the caller reads may differ from what came (held, or values restored): its length too."""
        return self._stream.filters

    def feed(self, data: bytes) -> bytes:
        """Take a chunk as it came from the provider; the bytes to hand to the caller now."""
        if self._closed:
            return b"" if self.filters else data
        self._remember(data)
        return self._stream.feed(data)

    def end(self) -> bytes:
        """The provider's answer ended: the bytes still to hand to the caller. Raises when a tool call is refused."""
        return self._stream.close()

    def relay(self, data: bytes, end: bool = False) -> bytes:
        """`feed`, and at the `end` what the tap still held: what a layer passes on. A failure (a refused tool
        call) closes the tap with the error's type and raises; after the end, bytes pass as they came."""
        if self._ended:
            return b"" if self.filters else data
        try:
            out = self.feed(data) if data else b""
            if end:
                self._ended = True
                out += self.end()
        except BaseException as exc:
            self._ended = True
            self.close(error=type(getattr(exc, "violation", exc)).__name__)
            raise
        return out

    def parsed(self, content: bytes | None, answer: Any) -> None:
        """The SDK read and parsed the answer itself (botocore's Converse): usage from its bytes, the outcome
        recorded, then its tool calls decided and its values restored in place."""
        if content and not self._closed:
            self._remember(content)
            self._stream.observe(content)
        remembered, self._answer = self._answer, None  # kept once decided: a refused answer is not an echo
        self.close()
        self._stream.decide_parsed(answer)
        self._record_scan()
        self._answer = remembered
        self._remember_echo()

    def close(self, error: str | None = None) -> None:
        """The response ended (read to the end, closed early, or failed): record what we know."""
        if self._closed:
            return
        self._closed = True
        try:
            usage = self._stream.read_usage()
        except Exception:  # reading usage is best effort: it must never break the caller's response
            usage = None
        self._record_scan()
        self._call.finish(usage, error=error or self._stream.error)
        if error is None:
            self._remember_echo()

    def _record_scan(self) -> None:
        if self._scanner is not None and self._call.scanning is not None:
            self._call.scanning.record_masked(self._scanner.entities)

    def _remember_echo(self) -> None:
        """Keep the JSON answer for echoes: not one the scanner changed (resent, it is analysed as a prompt)."""
        if self._answer and self._call.status == 200 and not (self._scanner is not None and self._scanner.changed):
            pipeline = self._call.pipeline
            pipeline.echoes.remember_json(bytes(self._answer), pipeline.vault)
        self._answer = None

    def _remember(self, data: bytes) -> None:
        if data and self._answer is not None:
            self._answer += data
            if len(self._answer) > MAX_REMEMBERED_ANSWER:
                self._answer = None
