"""The pipeline every intercepted request goes through: recognise -> decide -> record -> send -> read usage."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .context import RunContext, kernel_id
from .decision import CallContext, Decision, decide
from .errors import (
    BudgetExceeded,
    DetectionFailed,
    EvidenceError,
    InventoryError,
    PlaceholderVaultFull,
    PolicyViolation,
    RouteError,
    RouteUnsupported,
    ToolCallBlocked,
)
from .evidence import EvidenceLog, utc_now
from .intercept.scope import refuse
from .intercept.tampering import HINT as TAMPER_HINT
from .policy import LoadedPolicy
from .providers import get_catalogue, wire_format
from .providers.base import AIRequest, Usage, header_value
from .redaction.decision import RedactionDecision, entities_to_detect
from .redaction.echoes import EchoCache
from .redaction.placeholders import PlaceholderVault
from .redaction.restore import restore_value
from .redaction.restore_eventstream import EventStreamRestorer
from .redaction.restore_stream import StreamRestorer
from .redaction.transit import TransitOutcome, entity_summary, examine
from .response_filter import FilterChain, ResponseFilter
from .routing import RoutePlan, plan_route
from .spend.guard import BudgetGuard, priced
from .spend.ledger import Reservation
from .state import active_gateway
from .tools.calls import RequestedToolCall
from .tools.definitions import strip_tools
from .tools.gate import ToolCallGate
from .tools.verdict import ToolVerdict, check_arguments, decide_tool

if TYPE_CHECKING:
    from .inventory.enforcement import RegistrationCheck
    from .inventory.store import Inventory


@dataclass(frozen=True)
class OutboundRequest:
    """An HTTP request as an interception layer sees it, before it is sent."""

    library: str
    method: str
    url: str
    headers: Mapping[str, str] | None
    body: bytes | None
    # whether the layer can send the call to another host (a urllib3 pool is bound to its own)
    can_change_host: bool = True


NOT_EXAMINED = TransitOutcome(RedactionDecision("allow"))


class Gateway:
    """Decides on the AI calls of one kernel under one policy, and writes the evidence."""

    def __init__(
        self,
        loaded: LoadedPolicy,
        context: RunContext,
        evidence_dir: Path,
        use_case: str | None,
        session_user: str | None = None,
        ledger_dir: Path | None = None,
    ):
        self.loaded = loaded
        # the policy file that marks the project folder (the inventory's home); a registry policy is not one
        self.project_policy: Path | None = loaded.path
        self.context = context
        self.evidence_dir = evidence_dir
        self.log = EvidenceLog(evidence_dir / f"{context.stem}.jsonl")
        self._pending: list[dict[str, Any]] = []
        self._pending_lock = threading.Lock()
        self.catalogue = get_catalogue()
        self._use_case = use_case
        self._lock = threading.Lock()
        self.counts = {"allow": 0, "redact": 0, "block": 0, "error": 0}
        self.vault = PlaceholderVault()
        self.echoes = EchoCache()
        self.last_decision: dict[str, Any] | None = None
        # called with each batch of records written, e.g. by aigov.dashboard(); must return quickly
        self.listeners: list[Callable[[list[dict[str, Any]]], None]] = []
        session = kernel_id() or context.session
        self.budgets = BudgetGuard(ledger_dir or evidence_dir, session, context.user, session_user)
        self._inventory: Inventory | None = None
        self._registrations: RegistrationCheck | None = None
        # what was changed behind governance's back: once any is, every AI call is refused until a reload
        self.tampering: list[str] = []
        # looks for patches removed or replaced (the interceptor's verify); run on every AI call
        self.verify_layers: Callable[[], Any] | None = None
        self._refresh_effective()

    # -- the project's model inventory: opened on first use, off the path of %load_ext ---------
    @property
    def inventory(self) -> Inventory:
        """The model inventory of this notebook's project."""
        if self._inventory is None:
            from .inventory.location import inventory_dir_for
            from .inventory.store import Inventory

            self._inventory = Inventory(inventory_dir_for(self.context.notebook_dir, os.environ, self.project_policy))
        return self._inventory

    @property
    def registrations(self) -> RegistrationCheck:
        """What require_registered_model asks of the inventory, indexed once per change."""
        if self._registrations is None:
            from .inventory.enforcement import RegistrationCheck

            self._registrations = RegistrationCheck(self.inventory)
        return self._registrations

    # -- state the magics change --------------------------------------------------------------
    @property
    def use_case(self) -> str | None:
        return self._scope[0]

    @property
    def effective(self) -> Any:
        """The effective policy for this user and use case."""
        return self._scope[1]

    def set_use_case(self, name: str | None, policy: LoadedPolicy | None = None) -> None:
        """Declare the use case for the calls that follow (under ``policy`` when given), and record the change."""
        self._use_case = name or None
        if policy is not None:  # the registry's policy for this use case
            self.loaded = policy
        self._refresh_effective()
        self.record("use_case.set", decision="allow", reason=f"Use case set to {name!r}.")

    def _refresh_effective(self) -> None:
        policy = self.loaded.policy
        # one attribute, swapped whole: a call decided while the use case changes sees one or the other
        self._scope = (self._use_case, policy.for_context(self.context.user, self._use_case))
        self._extra_providers = tuple((p.name, p.base_url, p.api) for p in policy.providers)

    def after_fork(self) -> None:
        """In a forked child: its own session id, and none of the parent's queued records."""
        self.context = replace(self.context, session=uuid.uuid4().hex[:16])
        self._pending_lock = threading.Lock()
        self._pending = []

    # -- evidence -----------------------------------------------------------------------------
    def record(self, event: str, **fields: Any) -> dict[str, Any]:
        """Append one record, with the common fields, synced to disk before returning.

        Records queued by `record_later` go first, in the same write and sync (a group commit).
        """
        with self._pending_lock:
            batch, self._pending = self._pending, []
        try:
            written = self.log.append_all([*batch, self._fields(event, fields)], durable=True)
        except Exception:
            with self._pending_lock:  # nothing was written: keep them for the next attempt
                self._pending[:0] = batch
            raise
        if self.listeners:
            self._notify(written)
        return written[-1]

    def record_later(self, event: str, **fields: Any) -> None:
        """Queue a record for the next durable write or flush: a call's accounting, not its decision."""
        record = self._fields(event, fields)
        record["ts"] = utc_now()
        with self._pending_lock:
            self._pending.append(record)

    def flush(self) -> None:
        """Write the queued records and sync the log (after each cell, on unload and at exit)."""
        with self._pending_lock:
            batch, self._pending = self._pending, []
        if batch:
            try:
                written = self.log.append_all(batch, durable=True)
            except Exception:
                with self._pending_lock:
                    self._pending[:0] = batch
                raise
            if self.listeners:
                self._notify(written)
        self.log.flush()

    def _notify(self, written: list[dict[str, Any]]) -> None:
        """Tell listeners (a dashboard) about records just written; a listener's failure is its own."""
        for listener in tuple(self.listeners):
            with contextlib.suppress(Exception):
                listener(written)

    def close(self) -> None:
        """Flush and close the log and the budget ledger."""
        try:
            self.flush()
        finally:
            self.log.close()
            self.budgets.close()
            if self._inventory is not None:
                self._inventory.close()

    def _fields(self, event: str, fields: dict[str, Any]) -> dict[str, Any]:
        base: dict[str, Any] = {
            "event": event,
            "session": self.context.session,
            "user": self.context.user,
            "notebook": self.context.notebook,
            "use_case": self._scope[0],
            "provider": None,
            "model": None,
            "decision": None,
            "rules": [],
            "reason": "",
            "entities": {},
            "usage": None,
        }
        base.update(fields)
        return base

    # -- the pipeline -------------------------------------------------------------------------
    def begin(self, outbound: OutboundRequest) -> Exchange | None:
        """Decide on a request: None when it is not an AI call, an Exchange when allowed; raise when refused."""
        call = self.catalogue.recognise(
            outbound.method, outbound.url, outbound.headers, outbound.body, self._extra_providers
        )
        if call is None:
            return None
        if self.verify_layers is not None:
            self.verify_layers()
        if self.tampering:
            self._refuse_tampered(call, outbound)
        use_case, effective = self._scope
        try:
            plan, verdict = self._route(call, outbound, effective)
            if verdict is None:
                registrations = self.registrations if effective.require_registered_model else None
                verdict = decide(call, effective, CallContext(self.context.user, use_case, registrations))
            transit, stripped = NOT_EXAMINED, list[str]()
            if not verdict.blocked and call.body is None and outbound.body != b"":
                verdict = _unreadable(effective) or verdict
            if not verdict.blocked:
                verdict, stripped = self._strip_tools(call, effective, verdict)
                verdict, transit = self._redact(call, outbound, effective, verdict)
            reservation = None
            if not verdict.blocked:  # last: a call refused for another reason spends nothing
                reservation, over_budget = self.budgets.reserve(call, effective.budgets, use_case)
                verdict = over_budget or verdict
                rewritten = stripped or (plan is not None and plan.model_in_body)
                if rewritten and transit.body is None:
                    transit = replace(transit, body=_encoded(call.body, outbound))
            record = self._record_call(call, outbound, verdict, use_case, transit.decision.entities, stripped, plan)
        except PolicyViolation:
            raise
        except Exception as exc:  # aigov itself failed: on_error decides, and the failure is on record
            return self._on_internal_error(call, outbound, exc)
        if verdict.blocked:
            self._count("block", record)
            refusal = BudgetExceeded if verdict.rules[0].startswith("budgets.") else PolicyViolation
            refuse(refusal(verdict.rules[0], verdict.reason, record, verdict.hint))
        self._count(verdict.decision, record)
        # placeholders (this call's or earlier turns') may come back in the answer: the caller gets values
        restoring = bool(effective.redaction.restore_in_response and len(self.vault))
        exchange = Exchange(self, call, record, transit.body, restoring)
        exchange.route = plan
        exchange.reservation = reservation
        exchange.echoing = transit is not NOT_EXAMINED and transit.decision.action != "block"
        # a model can only ask for tools it was offered; a policy with tool rules checks every answer anyway
        exchange.effective = effective
        exchange.gating = bool(call.tools) or effective.has_tool_rules
        return exchange

    def _route(
        self, call: AIRequest, outbound: OutboundRequest, effective: Any
    ) -> tuple[RoutePlan | None, Decision | None]:
        """Send a model to its approved deployment: the call is rewritten and decided as the one that goes out.

        Returns the plan (None when no route applies), and a refusal when a route applies but cannot be followed.
        """
        if not effective.routes or outbound.method != "POST":
            return None, None
        try:
            plan = plan_route(call, outbound.url, effective.routes, self.catalogue)
            if plan is not None and not outbound.can_change_host and _host(plan.url) != _host(outbound.url):
                raise RouteUnsupported(
                    plan.route,
                    f"Route '{plan.route}' sends this call to {plan.destination}, but {outbound.library} "
                    "cannot send it to another host from here.",
                    "make the call through requests or httpx (which can be re-targeted), or point the client "
                    "at the deployment itself.",
                )
        except RouteError as problem:
            return None, Decision("block", [problem.rule], problem.reason, problem.hint)
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

    def _strip_tools(self, call: AIRequest, effective: Any, verdict: Decision) -> tuple[Decision, list[str]]:
        """With `tools.on_forbidden_definition: strip`, take forbidden tools out of the request before it leaves."""
        if not call.tools or effective.tools.on_forbidden_definition != "strip":
            return verdict, []
        forbidden = {name for name in call.tools if not decide_tool(effective, name).allowed}
        removed = strip_tools(call.api, call.body, forbidden)
        if not removed:
            return verdict, []
        call.tools = [name for name in call.tools if name not in forbidden]
        # the strings of the tools taken out are not sent, and those after them have moved
        call.text_parts = wire_format(call.api).text_parts(call.operation, call.body)
        listed = ", ".join(sorted(set(removed)))
        reason = f"{verdict.reason} Removed forbidden tool(s) {listed} from the request before sending."
        return Decision(verdict.decision, [*verdict.rules, "tools.strip"], reason, verdict.hint), removed

    def check_local_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Decide on a call of an `@aigov.tool` function and record it; raise ToolCallBlocked when refused."""
        _, effective = self._scope
        verdict = decide_tool(effective, name)
        if verdict.allowed:
            verdict = check_arguments(effective, name, arguments) or verdict
        record = self.record(
            "tool.call",
            library="local",
            source="local",
            tool=name,
            decision="allow" if verdict.allowed else "block",
            rules=[verdict.rule],
            reason=verdict.reason,
        )
        self._count("allow" if verdict.allowed else "block", record)
        if not verdict.allowed:
            raise ToolCallBlocked(verdict.rule, verdict.reason, record, verdict.hint)
        return record

    def judge_tool_calls(self, exchange: Exchange, calls: Sequence[RequestedToolCall]) -> None:
        """Decide on the tool calls a model asked for, before the caller sees them; raise ToolCallBlocked."""
        effective, vault = exchange.effective, self.vault
        for requested in calls:
            verdict = decide_tool(effective, requested.name)
            if verdict.allowed:
                verdict = self._check_requested_arguments(effective, requested, vault) or verdict
            fields = {
                "use_case": exchange.call_record.get("use_case"),
                "call_id": exchange.call_record.get("call_id"),
                "library": exchange.call_record.get("library"),
                "api": exchange.call.api,
                "provider": exchange.call.provider,
                "model": exchange.call.model,
                "tool": requested.name,
                "source": "response",
                "decision": "allow" if verdict.allowed else "block",
                "rules": [verdict.rule],
                "reason": verdict.reason,
            }
            if verdict.allowed:
                self.record_later("tool.call", **fields)
                continue
            record = self.record("tool.call", **fields)
            self._count("block", record)
            reason = f"The model asked to call tool '{requested.name}'; the call was held back. {verdict.reason}"
            refuse(ToolCallBlocked(verdict.rule, reason, record, verdict.hint))

    @staticmethod
    def _check_requested_arguments(
        effective: Any, requested: RequestedToolCall, vault: PlaceholderVault
    ) -> ToolVerdict | None:
        """The arguments as the caller would receive them (placeholders restored), against tools.arguments."""
        if not requested.readable:
            if not effective.arguments_checked(requested.name):
                return None
            return ToolVerdict(
                False,
                "tools.arguments",
                f"Tool '{requested.name}' was called with arguments that are not valid JSON, so the checks "
                "in tools.arguments could not run.",
                "ask the model again; a call whose arguments cannot be checked is not passed on.",
            )
        arguments = restore_value(requested.arguments, vault) if len(vault) else requested.arguments
        return check_arguments(effective, requested.name, arguments)

    def refuse_unreadable_answer(self, exchange: Exchange, why: str) -> None:
        """An answer that may carry tool calls could not be checked: it is not passed on (fail closed)."""
        record = self.record(
            "tool.call",
            use_case=exchange.call_record.get("use_case"),
            call_id=exchange.call_record.get("call_id"),
            api=exchange.call.api,
            provider=exchange.call.provider,
            model=exchange.call.model,
            source="response",
            decision="block",
            rules=["tools.unreadable"],
            reason=f"The answer could not be checked for tool calls ({why}), so it was not passed on.",
        )
        self._count("block", record)
        refuse(
            ToolCallBlocked(
                "tools.unreadable",
                record["reason"],
                record,
                "ask for an uncompressed, smaller answer; tool calls are passed on only once checked.",
            )
        )

    def _redact(
        self, call: AIRequest, outbound: OutboundRequest, effective: Any, verdict: Decision
    ) -> tuple[Decision, TransitOutcome]:
        """Personal data and secrets: block, or rewrite the body with placeholders; detection failing blocks."""
        section = effective.redaction
        try:
            encoding = header_value(outbound.headers, "content-encoding")
            transit = examine(call, section, self.vault, encoding, self.echoes)
        except (DetectionFailed, PlaceholderVaultFull) as failure:
            why = failure.reason if isinstance(failure, DetectionFailed) else str(failure)
            # fail closed whatever on_error says: an unchecked prompt may carry what policy forbids sending
            return Decision(
                "block",
                ["redaction.failed"],
                f"Checking the prompt for personal data and secrets failed ({why}), so it was not sent.",
                "retry in a moment; if it keeps failing, raise redaction.deadline_ms or check "
                "redaction.nlp_model in the policy (`%aigov status` shows the detection engine).",
            ), NOT_EXAMINED
        found = transit.decision
        if found.action == "block":
            listed = entity_summary({e: found.entities[e] for e in found.blocked_by})
            return Decision(
                "block",
                ["redaction.block"],
                f"The prompt contains {listed}, which the policy does not allow to be sent.",
                "remove it from the prompt, or change its action under redaction.entities in the policy.",
            ), transit
        if found.action == "redact":
            reason = f"{verdict.reason} Replaced {entity_summary(found.entities)} with placeholders before sending."
            return Decision("redact", [*verdict.rules, "redaction.redact"], reason), transit
        return verdict, transit

    def _record_call(
        self,
        call: AIRequest,
        outbound: OutboundRequest,
        verdict: Decision,
        use_case: str | None,
        entities: dict[str, int],
        stripped: list[str],
        plan: RoutePlan | None,
    ) -> dict[str, Any]:
        return self.record(
            "ai.call",
            use_case=use_case,
            entities=entities,
            tools_stripped=sorted(set(stripped)),
            **(plan.as_evidence() if plan is not None else {}),
            **_call_fields(call, outbound, plan.url if plan is not None else outbound.url),
            decision=verdict.decision,
            rules=verdict.rules,
            reason=verdict.reason,
        )

    def _on_internal_error(self, call: AIRequest, outbound: OutboundRequest, exc: Exception) -> Exchange | None:
        block = self.loaded.policy.on_error == "block"
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
        record: dict[str, Any] | None = None
        try:
            record = self.record(
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
        self._count("error", record)
        if block:
            refuse(PolicyViolation(rule, shown + " The call was blocked because on_error is block.", record, hint))
        return Exchange(self, call, record) if record is not None else None

    def note_tampering(self, what: str) -> None:
        """Record, once, that governance was changed behind its back; AI calls are refused from now on."""
        with self._lock:
            if what in self.tampering:
                return
            self.tampering.append(what)
        with contextlib.suppress(EvidenceError):  # refused either way
            self.record(
                "governance.tampered",
                decision="block",
                rules=["governance.tampered"],
                reason=f"{what}; every AI call of this kernel is refused until aigov is loaded again.",
            )

    def refuse_record(self, rule: str, reason: str) -> dict[str, Any] | None:
        """Record a refusal of a call aigov could not read (None when the log cannot be written)."""
        record: dict[str, Any] | None = None
        with contextlib.suppress(EvidenceError):
            record = self.record(
                "ai.call", call_id=uuid.uuid4().hex[:16], decision="block", rules=[rule], reason=reason
            )
        self._count("block", record)
        return record

    def _refuse_tampered(self, call: AIRequest, outbound: OutboundRequest) -> None:
        reason = f"Governance was changed behind aigov's back ({self.tampering[0]}), so AI calls are refused."
        self._refuse_call(call, outbound, "governance.tampered", reason, TAMPER_HINT)

    def refuse_unintercepted(self, outbound: OutboundRequest) -> None:
        """A request through a library whose layer could not be installed: an AI call is refused, never sent.

        Whatever on_error says: the call could be neither checked nor rewritten, and a control that fails open
        gives confidence without protection.
        """
        call = self.catalogue.recognise(
            outbound.method, outbound.url, outbound.headers, outbound.body, self._extra_providers
        )
        if call is None:
            return
        library = outbound.library
        reason = (
            f"aigov could not install its {library} layer in this kernel, so AI calls made through {library} "
            "are refused instead of being sent unchecked."
        )
        hint = (
            "run `%reload_ext aigov` (or restart the kernel and load aigov first); `%aigov status` says what "
            "failed. Calls through the other client libraries are governed as usual."
        )
        self._refuse_call(call, outbound, "intercept.unavailable", reason, hint)

    def _refuse_call(self, call: AIRequest, outbound: OutboundRequest, rule: str, reason: str, hint: str) -> None:
        """Record an AI call refused before any check ran (governance itself is not whole), and refuse it."""
        record: dict[str, Any] | None = None
        with contextlib.suppress(EvidenceError):  # refused either way; the violation carries the reason
            record = self.record(
                "ai.call", **_call_fields(call, outbound, outbound.url), decision="block", rules=[rule], reason=reason
            )
        self._count("block", record)
        refuse(PolicyViolation(rule, reason, record, hint))

    def _count(self, outcome: str, record: dict[str, Any] | None) -> None:
        with self._lock:
            self.counts[outcome] += 1
            if record is not None:
                self.last_decision = record


class Exchange:
    """One allowed AI call in flight: collects the response's status and usage, then records them."""

    __slots__ = (
        "_done",
        "body",
        "call",
        "call_record",
        "echoing",
        "effective",
        "gateway",
        "gating",
        "reservation",
        "restoring",
        "route",
        "started",
        "status",
    )

    def __init__(
        self,
        gateway: Gateway,
        call: AIRequest,
        call_record: dict[str, Any],
        body: bytes | None = None,
        restoring: bool = False,
    ) -> None:
        self.gateway = gateway
        self.body = body  # the rewritten request body to send instead, when redaction changed it
        self.restoring = restoring  # ask for an uncompressed answer and put values back in what the caller reads
        self.echoing = False  # remember a JSON answer, so that resending it needs no detection
        self.gating = False  # hold the answer's tool calls until they are decided
        self.route: RoutePlan | None = None  # where the call goes instead, when a route sends it elsewhere
        self.reservation: Reservation | None = None  # its place in the budgets, settled once usage is known
        self.effective: Any = None  # the effective policy the call was decided under
        self.call = call
        self.call_record = call_record
        self.started = time.perf_counter()
        self.status: int | None = None
        self._done = False

    @property
    def filters_response(self) -> bool:
        """Whether the answer's bytes are read on their way to the caller (so it is asked for uncompressed)."""
        return self.restoring or self.gating

    def response_filter(self, headers: Any) -> ResponseFilter | None:
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
            return EventStreamRestorer(self.gateway.vault)
        restorer = StreamRestorer(self.gateway.vault, content_type)
        return None if restorer.unsupported else restorer

    # the ToolCallJudge of this answer's gate
    def judge(self, calls: Sequence[RequestedToolCall]) -> None:
        self.gateway.judge_tool_calls(self, calls)

    def unreadable(self, why: str) -> None:
        self.gateway.refuse_unreadable_answer(self, why)

    def finish(self, usage: Usage | None, *, error: str | None = None) -> None:
        """Record the outcome once: usage when the response was read, or the error that ended it."""
        if self._done:
            return
        self._done = True
        # the decision was synced before the request left; its accounting rides with the next durable write,
        # or, when governance stopped while the response was still being read, is written at once
        cost = priced(self.call.provider, self.call.model, usage)
        if self.reservation is not None:
            try:
                self.gateway.budgets.settle(self.reservation, usage, cost)
            except Exception as exc:  # the estimate stays counted; the response is not broken for it
                error = error or f"budget ledger: {type(exc).__name__}"  # recorded: the type, never the message
        write = self.gateway.record_later if active_gateway() is self.gateway else self.gateway.record
        write(
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


def _call_fields(call: AIRequest, outbound: OutboundRequest, url: str) -> dict[str, Any]:
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


def _unreadable(effective: Any) -> Decision | None:
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
    return Decision(
        "block",
        ["request.unreadable"],
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
