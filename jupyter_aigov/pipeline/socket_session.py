"""A websocket to an AI endpoint, governed: decided before its handshake leaves, each message examined as it passes.

`open_session` recognises the websocket (the catalogue's `websockets:`) and decides it as an HTTP call is
decided (`Pipeline.decide_call`: use case, model, registration, budgets, one `ai.call` record). Where only
the first message names the model (Google's Live API), that message is decided so, before it leaves.
Each text message out is a client event: the model and tools it names are checked, its text is redacted in
transit as an HTTP body is (`redaction/transit.py`); a message redacted or refused is recorded as `ai.message`.
Each text message in goes through the session's answer stream (`answer_stream.py`, each message one NDJSON
line): usage read, tool calls held until decided (a refused one raises ToolCallBlocked and never reaches the
caller), placeholders restored. A binary message cannot be read: refused where the policy needs to read it.

>>> session = pipeline.begin_socket(OutboundRequest("websockets", "GET", url, headers, None))  # doctest: +SKIP
>>> websocket.send(session.outgoing(text))       # raises when the message is refused  # doctest: +SKIP
>>> for message in session.incoming(received):   # none while a tool call is held      # doctest: +SKIP
...     hand_to_caller(message)
>>> session.end()                                # the outcome recorded once           # doctest: +SKIP
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NoReturn

from aigov_core.errors import PolicyViolation

from ..providers.base import AIRequest
from ..providers.catalogue import UNKNOWN_SOCKET, wire_format
from ..redaction.plan import entities_to_detect
from ..routing import first_route
from ..tools.rules import decide_tool
from ..verdict import Verdict
from .checks import CallContext, decide
from .refusals import refuse
from .request import OutboundRequest

if TYPE_CHECKING:
    from .answer import CallInFlight, ResponseTap
    from .flow import Pipeline

# the answer's messages are framed as NDJSON lines: one message, one line (JSON has no raw line break)
MESSAGES = {"content-type": "application/x-ndjson"}
UNGOVERNED = "websocket.ungoverned"


def open_session(pipeline: Pipeline, outbound: OutboundRequest) -> SocketSession | None:
    """The governed session of a websocket (None when it is no AI endpoint); raise when it is refused."""
    call = pipeline.recognise(outbound)
    if call is None:
        return None
    if call.operation == UNKNOWN_SOCKET:
        pipeline.refuse_call(
            call,
            outbound,
            UNGOVERNED,
            f"This websocket goes to an AI host ({call.provider}) at an endpoint aigov does not know, so its "
            "messages could not be read; it was not opened.",
            "use the provider's HTTP API, or its Realtime endpoint; a websocket endpoint aigov should know goes "
            "in providers/catalogue.yaml under websockets.",
        )
    endpoint = pipeline.catalogue.socket_endpoint(outbound.url)
    if endpoint is not None and endpoint.model_in_first_message and call.model is None:
        return SocketSession(pipeline, outbound, call, None)  # decided at its first message, before it leaves
    route = first_route(pipeline.session.in_force.effective.routes, call.provider, call.model)
    if route is not None and call.model is not None:
        pipeline.refuse_call(
            call,
            outbound,
            "routes.unsupported",
            f"Route '{route.match}' sends model '{call.model}' to {route.to.base_url}, but a websocket cannot "
            "be moved to another deployment.",
            "connect to the deployment itself, or narrow the route's match so it does not take this model.",
        )
    in_flight = pipeline.decide_call(call, replace(outbound, body=b""))
    return SocketSession(pipeline, outbound, call, in_flight, decided=True)


def refuse_ungoverned(pipeline: Pipeline, outbound: OutboundRequest) -> None:
    """Refuse a websocket to an AI endpoint that this client cannot govern (none other is touched)."""
    call = pipeline.recognise(outbound)
    if call is None:
        return
    pipeline.refuse_call(
        call,
        outbound,
        UNGOVERNED,
        f"{outbound.library} cannot be governed message by message, so its websocket to an AI endpoint was not opened.",
        "connect with websockets.connect (websockets.asyncio.client) or websockets.sync.client.connect, which "
        "aigov governs.",
    )


class SocketSession:
    """One websocket's governance: outgoing() each text message, incoming() each one received, end() once."""

    def __init__(
        self,
        pipeline: Pipeline,
        outbound: OutboundRequest,
        call: AIRequest,
        in_flight: CallInFlight | None,
        *,
        decided: bool = False,
    ) -> None:
        self._pipeline = pipeline
        self._outbound = outbound
        self.call = call
        self._in_flight = in_flight
        self._tap: ResponseTap | None = _tap(in_flight) if in_flight is not None else None
        self.decided = decided  # False until the first message named the model (Live)
        self.closing = False  # a refusal that ends the websocket: the layer closes it
        self._ended = False
        self._lock = threading.Lock()

    # -- out ----------------------------------------------------------------------------------------
    def outgoing(self, text: str) -> str:
        """The text to send instead (redacted, or as it was); raises when the message is refused."""
        event = _json(text)
        if not self.decided:
            return self._decide_first(text, event)
        if self._in_flight is None:  # on_error: allow let the session through undecided
            return text
        if not isinstance(event, dict):
            self._unreadable("a text message that is not a JSON event")
            return text
        fmt = wire_format(self.call.api)
        kind = _kind(event)
        model, _, parts, tools = fmt.parse_request(kind, {}, event)
        call = AIRequest(self.call.provider, self.call.api, kind, model or self.call.model, True, event, parts, tools)
        effective = self._in_flight.effective
        verdict = Verdict("allow", (), "Allowed by policy.")
        if model is not None or tools:  # the session switched models, or offers tools: checked as at connect
            verdict = decide(call, effective, self._context()) if model is not None else verdict
            verdict = _forbidden_tool(call, effective) or verdict
        if not verdict.blocked and parts:
            outbound = replace(self._outbound, body=text.encode("utf-8"))
            verdict, transit = self._pipeline.redact_in_transit(call, outbound, effective, verdict)
            if transit.body is not None and not verdict.blocked:
                text = transit.body.decode("utf-8")
            self._record(call, verdict, transit.plan.entities)
        elif verdict.blocked:
            self._record(call, verdict, {})
        return text

    def outgoing_binary(self) -> None:
        """A binary message: refused when the policy must read what is sent (redaction, tool rules)."""
        if self.decided and self._in_flight is None:  # on_error: allow let the session through undecided
            return
        if not self.decided:  # the first message must name the model
            self._decide_first("", _NOT_JSON)
        self._unreadable("a binary message")

    # -- in -----------------------------------------------------------------------------------------
    def incoming(self, text: str) -> list[str]:
        """The messages to hand to the caller now (none while a tool call is held); raises when one is refused."""
        tap = self._tap
        if self._ended:  # refused, or closed: nothing more reaches the caller
            return []
        if tap is None:
            if not self.decided:
                self._refuse_early()
            return [text]  # on_error: allow let the session through undecided
        data = text.encode("utf-8")
        if b"\n" in data or b"\r" in data:  # one message, one line: re-encoded compactly
            event = _json(text)
            if event is _NOT_JSON:
                return self._unframed(text)
            data = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with self._lock:
            try:
                out = tap.feed(data + b"\n")
            except BaseException as exc:
                self._end(type(getattr(exc, "violation", exc)).__name__)
                raise
        return [line.decode("utf-8") for line in out.split(b"\n") if line]

    def incoming_binary(self) -> bool:
        """Whether a binary message in goes on to the caller; refused when the answer's tool calls are gated
        (aigov cannot read it)."""
        if self._ended:  # refused, or closed: nothing more reaches the caller
            return False
        if not self.decided:
            self._refuse_early()
        self._refuse_unreadable_answer("a binary message")
        return True

    def end(self, error: str | None = None) -> None:
        """The websocket closed (or failed): the outcome is recorded once."""
        with self._lock:
            self._end(error)

    # -- helpers ------------------------------------------------------------------------------------
    def _decide_first(self, text: str, event: Any) -> str:
        """Live: the first message names the model; it is decided, and recorded as the call, before it leaves."""
        fmt = wire_format(self.call.api)
        model = fmt.model_of(event) if isinstance(event, dict) and hasattr(fmt, "model_of") else None
        if model is None:
            self.closing = True
            self._pipeline.refuse_call(
                self.call,
                self._outbound,
                UNGOVERNED,
                "The first message of this websocket names no model, so the policy could not decide on it; "
                "it was not sent and the websocket is closed.",
                "send the setup message (with its model) first, as the provider's SDK does.",
            )
        kind = _kind(event)
        _, _, parts, tools = fmt.parse_request(kind, {}, event)
        call = AIRequest(self.call.provider, self.call.api, kind, model, True, event, parts, tools)
        effective = self._pipeline.session.in_force.effective
        forbidden = _forbidden_tool(call, effective)
        outbound = replace(self._outbound, body=text.encode("utf-8"))
        try:
            if forbidden is not None:
                self._pipeline.refuse_call(call, outbound, forbidden.rule, forbidden.reason, forbidden.hint)
            in_flight = self._pipeline.decide_call(call, outbound)
        except PolicyViolation:
            self.closing = True
            raise
        self.call, self._in_flight, self.decided = call, in_flight, True
        if in_flight is None:
            return text
        self._tap = _tap(in_flight)
        return in_flight.plan.body.decode("utf-8") if in_flight.plan.body is not None else text

    def _context(self) -> CallContext:
        pipeline = self._pipeline
        in_force = pipeline.session.in_force
        effective = in_force.effective
        registrations = pipeline.inventory.registrations if effective.require_registered_model else None
        return CallContext(pipeline.session.context.user, in_force.use_case, registrations, pipeline.plugin_checks)

    def _record(self, call: AIRequest, verdict: Verdict, entities: dict[str, int]) -> None:
        """A message redacted or refused goes on record (`ai.message`); a refused one raises."""
        if verdict.action == "allow":
            return
        assert self._in_flight is not None
        record = self._pipeline.record_message(self._in_flight, call, verdict, entities)
        if verdict.blocked:
            refuse(verdict.violation(record))

    def _unreadable(self, what: str) -> None:
        """A message aigov cannot read: refused (request.unreadable) when the policy must read what is sent."""
        assert self._in_flight is not None
        effective = self._in_flight.effective
        needs = [
            name
            for name, needed in (
                ("redaction", bool(entities_to_detect(effective.redaction.entities))),
                ("tools", effective.has_tool_rules),
            )
            if needed
        ]
        if not needs:
            return
        verdict = Verdict.block(
            "request.unreadable",
            f"This websocket tried to send {what}, which aigov cannot read, so {', '.join(needs)} in the policy "
            "could not be applied; it was not sent.",
            "send the provider's JSON events as text messages (audio goes base64 inside them).",
        )
        self._record(replace(self.call, operation="binary" if "binary" in what else "text"), verdict, {})

    def _unframed(self, text: str) -> list[str]:
        """A message in that is not JSON and spans lines: passed when nothing reads the answer, else refused."""
        self._refuse_unreadable_answer("a message that is not JSON")
        return [text]

    def _refuse_unreadable_answer(self, what: str) -> None:
        """A message in that aigov cannot read: refused (tools.unreadable) when the answer's tool calls are gated."""
        in_flight = self._in_flight
        if in_flight is None or not in_flight.gating:
            return
        try:
            in_flight.unreadable(what)
        except BaseException as exc:
            with self._lock:
                self._end(type(getattr(exc, "violation", exc)).__name__)
            raise

    def _refuse_early(self) -> NoReturn:
        """A message came in before the first one out named the model: nothing was decided, so it is refused."""
        self.closing = True
        self._pipeline.refuse_call(
            self.call,
            self._outbound,
            UNGOVERNED,
            "A message came in on this websocket before its first message named the model, so the policy "
            "could not decide on it; it was not passed on and the websocket is closed.",
            "send the setup message (with its model) first, as the provider's SDK does.",
        )

    def _end(self, error: str | None) -> None:
        if self._ended:
            return
        self._ended = True
        if self._tap is not None:
            self._tap.close(error=error)


_NOT_JSON: Any = object()


def _tap(in_flight: CallInFlight) -> ResponseTap:
    """The session's answer: placeholders restored whenever the policy says so (its messages out are redacted
    after the connect was decided, when no placeholder was in the vault yet)."""
    in_flight.restoring = in_flight.restoring or in_flight.effective.redaction.restore_in_response
    return in_flight.tap(101, MESSAGES)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON


def _kind(event: Any) -> str:
    """What a client message is: its `type` (Realtime), or its one key (Live: setup, clientContent...)."""
    if not isinstance(event, dict):
        return "text"
    kind = event.get("type")
    if isinstance(kind, str):
        return kind
    return next((key for key in event if isinstance(key, str)), "message")


def _forbidden_tool(call: AIRequest, effective: Any) -> Verdict | None:
    """A message that offers the model a forbidden tool is refused (a websocket's events are not stripped)."""
    for name in call.tools:
        verdict = decide_tool(effective, name)
        if verdict.blocked:
            return Verdict.block(
                verdict.rule, f"The message offers the model a forbidden tool. {verdict.reason}", verdict.hint
            )
    return None
