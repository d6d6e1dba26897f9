"""The pipeline every intercepted request goes through: recognise -> route -> check -> rewrite -> reserve -> record.

A layer hands `begin` an OutboundRequest. It gets back None (not an AI call: send it as it is), or a
CallInFlight whose `plan` it applies before sending; a refused call raises, as the verdict's exception, before
one byte leaves.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, NoReturn
from urllib.parse import urlsplit

from aigov_core.errors import (
    DetectionFailed,
    EvidenceError,
    InventoryError,
    PlaceholderVaultFull,
    PolicyViolation,
    RouteError,
    RouteUnsupported,
)

from ..evidence.recorder import EvidenceRecorder
from ..inventory.project import ProjectInventory
from ..policy import EffectivePolicy
from ..providers import wire_format
from ..providers.base import AIRequest, header_value
from ..providers.catalogue import Catalogue
from ..redaction.echoes import EchoCache
from ..redaction.placeholders import PlaceholderVault
from ..redaction.plan import RedactionPlan, entities_to_detect, failed
from ..redaction.transit import NO_EXTRA, ExtraRecognizers, TransitOutcome, detection_for, examine
from ..routing import CREDENTIAL_HEADERS, RoutePlan, plan_route
from ..session import Session
from ..spend.guard import BudgetGuard
from ..state import locked_mode, sealed_setattr
from ..tools.calls import RequestedToolCall
from ..tools.definitions import strip_tools
from ..tools.rules import decide_tool
from ..verdict import Verdict
from .answer import CallInFlight
from .answer_redaction import AnswerRedaction
from .checks import CallContext, Check, decide
from .refusals import refuse
from .request import OutboundRequest, SendPlan
from .socket_session import SocketSession, open_session, refuse_ungoverned
from .tally import Tally
from .tool_calls import ToolCallDecisions

NOT_EXAMINED = TransitOutcome(RedactionPlan("allow"))
TAMPER_HINT = (
    "run `%reload_ext aigov` (or restart the kernel); the change is in the evidence log as governance.tampered."
)
LOCKED_TAMPER_HINT = (
    "restart the kernel: it is locked by the administrator, so AI calls stay refused until it restarts. The change "
    "is in the evidence log as governance.tampered."
)


def tamper_hint() -> str:
    """How to proceed once governance was changed behind its back: a reload, or in a locked kernel a restart."""
    return TAMPER_HINT if locked_mode() is None else LOCKED_TAMPER_HINT


def _refused_until() -> str:
    return "until aigov is loaded again" if locked_mode() is None else "until the kernel restarts"


Record = dict[str, Any]


class Pipeline:
    """Decides on the AI calls of one kernel's session, and records each decision before the call leaves."""

    __setattr__ = sealed_setattr()  # in a locked kernel, none of what decides can be rebound

    def __init__(
        self,
        session: Session,
        evidence: EvidenceRecorder,
        budgets: BudgetGuard,
        inventory: ProjectInventory,
        catalogue: Catalogue,
        plugin_checks: tuple[Check, ...] = (),
        recognizers: ExtraRecognizers = NO_EXTRA,
    ) -> None:
        self.session = session
        self.evidence = evidence
        self.budgets = budgets
        self.inventory = inventory
        self.catalogue = catalogue
        self.plugin_checks = plugin_checks  # the policy's plugins' (jupyter_aigov/plugins), after the built-in ones
        self.recognizers = recognizers  # the plugins' recognizers, beside the built-in ones
        self.tally = Tally()
        self.vault = PlaceholderVault()
        self.echoes = EchoCache()
        self.tools = ToolCallDecisions(session, evidence, self.tally, self.vault)
        # whether governance is in force: once it stopped, an answer still being read is recorded at once
        self.in_force = True
        # what was changed behind governance's back: once any is, every AI call is refused until a reload
        self.tampering: list[str] = []
        self._lock = threading.Lock()
        # looks for patches removed or replaced (the interceptor's verify); run on every AI call
        self.verify_layers: Callable[[], object] | None = None

    def might_be_ai(self, method: str, url: str) -> bool:
        """A quick look (a few µs) that lets most traffic through before anything is parsed."""
        return self.catalogue.might_be_ai(method, url)

    def recognise(self, outbound: OutboundRequest) -> AIRequest | None:
        return self.catalogue.recognise(
            outbound.method, outbound.url, outbound.headers, outbound.body, self.session.in_force.extra_providers
        )

    # -- the request -------------------------------------------------------------------------
    def begin(self, outbound: OutboundRequest) -> CallInFlight | None:
        """Decide on a request: None when it is not an AI call, the call in flight when allowed; raise when refused."""
        call = self.recognise(outbound)
        if call is None:
            return None
        return self.decide_call(call, outbound)

    def begin_socket(self, outbound: OutboundRequest) -> SocketSession | None:
        """Decide on a websocket before its handshake leaves: None when it is not an AI endpoint, the session
        when allowed (decided at its first message when only that names the model); raise when refused."""
        return open_session(self, outbound)

    def refuse_ungoverned_socket(self, outbound: OutboundRequest) -> None:
        """A websocket through a client aigov cannot govern message by message: refused when it goes to an AI
        endpoint (rule websocket.ungoverned), left alone when not."""
        refuse_ungoverned(self, outbound)

    def decide_call(self, call: AIRequest, outbound: OutboundRequest) -> CallInFlight | None:
        """Decide on a recognised AI call (see `begin`): the call in flight when allowed; raise when refused."""
        if self.verify_layers is not None:
            self.verify_layers()
        if self.tampering:
            self._refuse_tampered(call, outbound)
        in_force = self.session.in_force
        use_case, effective = in_force.use_case, in_force.effective
        try:
            route, verdict = self._route(call, outbound, effective)
            if verdict is None:
                registrations = self.inventory.registrations if effective.require_registered_model else None
                ctx = CallContext(self.session.context.user, use_case, registrations, self.plugin_checks)
                verdict = decide(call, effective, ctx)
            transit, stripped = NOT_EXAMINED, list[str]()
            if not verdict.blocked and call.body is None and outbound.body != b"":
                verdict = _unreadable(effective) or verdict
            if not verdict.blocked:
                verdict, stripped = self._strip_tools(call, effective, verdict)
                verdict, transit = self.redact_in_transit(call, outbound, effective, verdict)
            reservation = None
            if not verdict.blocked:  # last: a call refused for another reason spends nothing
                reservation, over_budget = self.budgets.reserve(call, effective.budgets, use_case)
                verdict = over_budget or verdict
                rewritten = stripped or (route is not None and route.model_in_body)
                if rewritten and transit.body is None:
                    transit = replace(transit, body=_encoded(call.body, outbound))
                if transit.body is not None and call.messages is not None:  # a gRPC message: its twin written back
                    transit = replace(transit, body=call.messages.request_bytes(json.loads(transit.body)))
            record = self._record_call(call, outbound, verdict, use_case, transit.plan.entities, stripped, route)
        except PolicyViolation:
            raise
        except Exception as exc:  # aigov itself failed: on_error decides, and the failure is on record
            return self._on_internal_error(call, outbound, effective, exc)
        if verdict.blocked:
            self.tally.count("block", record)
            refuse(verdict.violation(record))
        self.tally.count(verdict.action, record)
        # placeholders (this call's or earlier turns') may come back in the answer: the caller gets values
        restoring = bool(effective.redaction.restore_in_response and len(self.vault))
        # a model can only ask for tools it was offered; a policy with tool rules checks every answer anyway
        gating = bool(call.tools) or effective.has_tool_rules
        # redaction.responses: the answer scanned for the entities the policy redacts or blocks in prompts
        wanted, engine = frozenset[str](), None
        if effective.redaction.responses != "allow":
            wanted, engine = detection_for(effective.redaction, self.recognizers)
        read_answer = restoring or gating or engine is not None
        in_flight = CallInFlight(self, call, record, effective, _send_plan(route, transit.body, read_answer))
        in_flight.restoring, in_flight.gating = restoring, gating
        if engine is not None:
            in_flight.scanning = AnswerRedaction(in_flight, engine, wanted)
        in_flight.route, in_flight.reservation = route, reservation
        in_flight.echoing = transit is not NOT_EXAMINED and transit.plan.action != "block"
        return in_flight

    def _route(
        self, call: AIRequest, outbound: OutboundRequest, effective: EffectivePolicy
    ) -> tuple[RoutePlan | None, Verdict | None]:
        """Send a model to its approved deployment: the call is rewritten and decided as the one that goes out.

        Returns the plan (None when no route applies), and a refusal when a route applies but cannot be followed.
        """
        if not effective.routes or outbound.method != "POST":
            return None, None
        try:
            try:
                plan = plan_route(call, outbound.url, effective.routes, self.catalogue)
            except RouteError as problem:
                if outbound.can_route:
                    raise
                _refuse_routing(outbound, problem.route)
            if plan is not None and not outbound.can_route:
                _refuse_routing(outbound, plan.route)
            # a request whose own credentials cannot be taken off stays on its host
            movable = outbound.can_change_host and not (outbound.fixed_headers & CREDENTIAL_HEADERS)
            if plan is not None and not movable and _host(plan.url) != _host(outbound.url):
                raise RouteUnsupported(
                    plan.route,
                    f"Route '{plan.route}' sends this call to {plan.destination}, but {outbound.library} "
                    "cannot send it to another host from here.",
                    "make the call through requests or httpx (which can be re-targeted), or point the client "
                    "at the deployment itself.",
                )
        except RouteError as problem:
            return None, Verdict.block(problem.rule, problem.reason, problem.hint)
        if plan is None:
            return None, None
        plan.rewrite_body(call)
        call.model = plan.model
        parts = urlsplit(plan.url)
        served_by = self.catalogue.provider_for_host(parts.hostname or "", parts.port)
        call.provider = served_by or (
            call.provider if _host(plan.url) == _host(outbound.url) else f"{call.api}-compatible"
        )
        return plan, None

    def _strip_tools(self, call: AIRequest, effective: EffectivePolicy, verdict: Verdict) -> tuple[Verdict, list[str]]:
        """With `tools.on_forbidden_definition: strip`, take forbidden tools out of the request before it leaves."""
        if not call.tools or effective.tools.on_forbidden_definition != "strip":
            return verdict, []
        forbidden = {name for name in call.tools if decide_tool(effective, name).blocked}
        removed = strip_tools(call.api, call.body, forbidden)
        if not removed:
            return verdict, []
        call.tools = [name for name in call.tools if name not in forbidden]
        # the strings of the tools taken out are not sent, and those after them have moved
        call.text_parts = wire_format(call.api).text_parts(call.operation, call.body)
        listed = ", ".join(sorted(set(removed)))
        return verdict.then(
            "tools.strip", f"Removed forbidden tool(s) {listed} from the request before sending."
        ), removed

    def redact_in_transit(
        self, call: AIRequest, outbound: OutboundRequest, effective: EffectivePolicy, verdict: Verdict
    ) -> tuple[Verdict, TransitOutcome]:
        """Personal data and secrets: block, or rewrite the body with placeholders; detection failing blocks."""
        try:
            encoding = header_value(outbound.headers, "content-encoding")
            transit = examine(call, effective.redaction, self.vault, encoding, self.echoes, self.recognizers)
        except (DetectionFailed, PlaceholderVaultFull) as failure:
            # fail closed whatever on_error says: an unchecked prompt may carry what policy forbids sending
            return failed(failure.reason if isinstance(failure, DetectionFailed) else str(failure)), NOT_EXAMINED
        return transit.plan.verdict(verdict), transit

    def _record_call(
        self,
        call: AIRequest,
        outbound: OutboundRequest,
        verdict: Verdict,
        use_case: str | None,
        entities: dict[str, int],
        stripped: list[str],
        route: RoutePlan | None,
    ) -> Record:
        return self.evidence.record(
            "ai.call",
            use_case=use_case,
            entities=entities,
            tools_stripped=sorted(set(stripped)),
            **(route.as_evidence() if route is not None else {}),
            **_call_fields(call, outbound, route.url if route is not None else outbound.url),
            decision=verdict.action,
            rules=list(verdict.rules),
            reason=verdict.reason,
        )

    def record_message(
        self, in_flight: CallInFlight, message: AIRequest, verdict: Verdict, entities: dict[str, int]
    ) -> Record | None:
        """A websocket message redacted or refused (`ai.message`, under its session's call id)."""
        record: Record | None = None
        with contextlib.suppress(EvidenceError):  # a refusal goes on either way; a redaction is sent as decided
            record = self.evidence.record(
                "ai.message",
                use_case=in_flight.call_record.get("use_case"),
                call_id=in_flight.call_record.get("call_id"),
                library=in_flight.call_record.get("library"),
                api=message.api,
                operation=message.operation,
                provider=message.provider,
                model=message.model,
                tools=message.tools,
                entities=entities,
                decision=verdict.action,
                rules=list(verdict.rules),
                reason=verdict.reason,
            )
        self.tally.count(verdict.action, record)
        return record

    def _on_internal_error(
        self, call: AIRequest, outbound: OutboundRequest, effective: EffectivePolicy, exc: Exception
    ) -> CallInFlight | None:
        block = self.session.loaded.policy.on_error == "block"
        if isinstance(exc, EvidenceError):
            sentence = "aigov could not write the evidence for this call ({})."
            hint = "make the evidence folder writable, or set AIGOV_EVIDENCE_DIR to a writable folder."
        elif isinstance(exc, InventoryError):
            sentence = "aigov could not read the model inventory to check this call's registration ({})."
            hint = "fix or restore the inventory document named above; its history is in the inventory's changes.jsonl."
        else:
            sentence = "aigov failed while deciding on this call ({})."
            hint = "report this failure; `on_error: allow` in the policy lets calls through when aigov fails."
        # the record names the exception's type only (its message may quote what was being checked);
        # the refusal the caller reads on screen has the message too
        reason = sentence.format(type(exc).__name__)
        shown = sentence.format(f"{type(exc).__name__}: {exc}")
        rule = "on_error.block" if block else "on_error.allow"
        record: Record | None = None
        try:
            record = self.evidence.record(
                "gateway.error",
                api=call.api,
                provider=call.provider,
                model=call.model,
                decision="block" if block else "allow",
                rules=[rule],
                reason=reason,
                library=outbound.library,
            )
        except Exception:  # the log itself is what failed: the exception carries the reason instead
            record = None
        self.tally.count("error", record)
        if block:
            refuse(PolicyViolation(rule, shown + " The call was blocked because on_error is block.", record, hint))
        return CallInFlight(self, call, record, effective) if record is not None else None

    # -- refusals before any check: governance itself is not whole ------------------------------
    def note_tampering(self, what: str) -> None:
        """Record, once, that governance was changed behind its back; AI calls are refused from now on."""
        with self._lock:
            if what in self.tampering:
                return
            self.tampering.append(what)
        with contextlib.suppress(EvidenceError):  # refused either way
            self.evidence.record(
                "governance.tampered",
                decision="block",
                rules=["governance.tampered"],
                reason=f"{what}; every AI call of this kernel is refused {_refused_until()}.",
            )

    def refuse_record(self, rule: str, reason: str) -> Record | None:
        """Record a refusal of a call aigov could not read (None when the log cannot be written)."""
        record: Record | None = None
        with contextlib.suppress(EvidenceError):
            record = self.evidence.record(
                "ai.call", call_id=uuid.uuid4().hex[:16], decision="block", rules=[rule], reason=reason
            )
        self.tally.count("block", record)
        return record

    def _refuse_tampered(self, call: AIRequest, outbound: OutboundRequest) -> NoReturn:
        reason = f"Governance was changed behind aigov's back ({self.tampering[0]}), so AI calls are refused."
        self.refuse_call(call, outbound, "governance.tampered", reason, tamper_hint())

    def refuse_unintercepted(self, outbound: OutboundRequest, reason: str = "", hint: str = "") -> None:
        """A request through a library whose layer could not be installed: an AI call is refused, never sent.

        Whatever on_error says: the call could be neither checked nor rewritten, and a control that fails open
        gives confidence without protection. `reason` and `hint` say why when aigov has no layer for it at all.
        """
        call = self.recognise(outbound)
        if call is None:
            return
        library = outbound.library
        reason = reason or (
            f"aigov could not install its {library} layer in this kernel, so AI calls made through {library} "
            "are refused instead of being sent unchecked."
        )
        hint = hint or (
            "run `%reload_ext aigov` (or restart the kernel and load aigov first); `%aigov status` says what "
            "failed. Calls through the other client libraries are governed as usual."
        )
        self.refuse_call(call, outbound, "intercept.unavailable", reason, hint)

    def refuse_call(self, call: AIRequest, outbound: OutboundRequest, rule: str, reason: str, hint: str) -> NoReturn:
        """Record an AI call refused before any check ran (governance itself is not whole), and refuse it."""
        record: Record | None = None
        with contextlib.suppress(EvidenceError):  # refused either way; the violation carries the reason
            record = self.evidence.record(
                "ai.call", **_call_fields(call, outbound, outbound.url), decision="block", rules=[rule], reason=reason
            )
        self.tally.count("block", record)
        refuse(PolicyViolation(rule, reason, record, hint))

    # -- the answer ------------------------------------------------------------------------------
    def record_answer(self, event: str, **fields: Any) -> None:
        """A call's accounting: it rides with the next durable write, or, once governance stopped, is written now."""
        write = self.evidence.record_later if self.in_force else self.evidence.record
        write(event, **fields)

    def judge_tool_calls(self, in_flight: CallInFlight, calls: Sequence[RequestedToolCall]) -> None:
        self.tools.judge(in_flight, calls)

    def refuse_unreadable_answer(self, in_flight: CallInFlight, why: str) -> None:
        self.tools.refuse_unreadable_answer(in_flight, why)


AS_IT_WAS = SendPlan()  # the usual plan: the request goes out unchanged


def _send_plan(route: RoutePlan | None, body: bytes | None, read_answer: bool) -> SendPlan:
    """How the call goes out: to a route's deployment with its credentials, a new body, an uncompressed answer."""
    if route is None and body is None and not read_answer:
        return AS_IT_WAS
    set_headers = dict(route.set_headers) if route is not None else {}
    drop = set(route.drop_headers) if route is not None else set()
    if read_answer:  # the answer's bytes are read on their way to the caller: ask for them uncompressed
        drop.add("accept-encoding")
        set_headers["Accept-Encoding"] = "identity"
    return SendPlan(route.url if route is not None else None, frozenset(drop), set_headers, body)


def _call_fields(call: AIRequest, outbound: OutboundRequest, url: str) -> Record:
    """What an ai.call record says of the call itself: a new call id, the client, where it goes, what it asks."""
    return {
        "call_id": uuid.uuid4().hex[:16],
        "library": outbound.library,
        "host": _host(url),
        "api": call.api,
        "operation": call.operation,
        "stream": call.stream,
        "provider": call.provider,
        "model": call.model,
        "tools": call.tools,
    }


def _refuse_routing(outbound: OutboundRequest, route: str) -> NoReturn:
    """A route matches a call that cannot be re-targeted at all (gRPC: the method and message stay as they are)."""
    raise RouteUnsupported(
        route,
        f"Route '{route}' matches this call, but a {outbound.library} call cannot be routed to another deployment "
        "or model, so it was not sent.",
        "point the channel at the approved deployment and name its model in the request, or make the call over "
        "REST (requests, httpx), which routes can re-target.",
    )


def _unreadable(effective: EffectivePolicy) -> Verdict | None:
    """An AI call whose body cannot be read (a file or generator, not JSON): refused when the policy must read it.

    Its model, prompt and tools are unknown, so a deny list, redaction or tool rules could not be applied.
    """
    checks = [
        name
        for name, needed in (
            ("models.deny", bool(effective.models.deny)),
            ("redaction", bool(entities_to_detect(effective.redaction.entities))),
            ("tools", effective.has_tool_rules),
        )
        if needed
    ]
    if not checks:
        return None
    return Verdict.block(
        "request.unreadable",
        f"The body of this AI call could not be read (a file or a generator, or not JSON), so {', '.join(checks)} "
        "in the policy could not be applied; it was not sent.",
        "pass the request body as bytes or with json= (a file or generator cannot be checked before it is sent).",
    )


def _encoded(body: Any, outbound: OutboundRequest) -> bytes:
    """A parsed body, changed in place, back to bytes in the request's own Content-Encoding."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if header_value(outbound.headers, "content-encoding").strip().lower() in ("gzip", "x-gzip"):
        return gzip.compress(data)
    return data


def _host(url: str) -> str:
    """host[:port] of a URL, never its user:password@ part (credentials stay out of the evidence)."""
    authority = url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return authority.rpartition("@")[2]
