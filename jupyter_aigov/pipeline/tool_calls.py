"""Tool calls decided: those a model asks for in its answer (before the caller sees them), and `@aigov.tool` calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aigov_core.errors import ToolCallBlocked

from ..evidence.recorder import EvidenceRecorder
from ..policy import EffectivePolicy
from ..redaction.placeholders import PlaceholderVault
from ..redaction.restore import restore_value
from ..session import Session
from ..tools.calls import RequestedToolCall
from ..tools.rules import check_arguments, decide_tool
from ..verdict import Verdict
from .refusals import refuse
from .tally import Tally

if TYPE_CHECKING:
    from .answer import CallInFlight


class ToolCallDecisions:
    """Decides on tool calls under the session's policy, records each, and refuses those it forbids."""

    def __init__(self, session: Session, evidence: EvidenceRecorder, tally: Tally, vault: PlaceholderVault) -> None:
        self.session = session
        self.evidence = evidence
        self.tally = tally
        self.vault = vault

    def check_local(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """Decide on a call of an `@aigov.tool` function and record it; raise ToolCallBlocked when refused."""
        effective = self.session.effective
        verdict = decide_tool(effective, name)
        if verdict.allowed:
            verdict = check_arguments(effective, name, arguments) or verdict
        record = self.evidence.record(
            "tool.call",
            library="local",
            source="local",
            tool=name,
            decision="allow" if verdict.allowed else "block",
            rules=[verdict.rule],
            reason=verdict.reason,
        )
        self.tally.count("allow" if verdict.allowed else "block", record)
        if verdict.blocked:
            raise verdict.violation(record)
        return record

    def judge(self, in_flight: CallInFlight, calls: Sequence[RequestedToolCall]) -> None:
        """Decide on the tool calls a model asked for, before the caller sees them; raise ToolCallBlocked."""
        effective = in_flight.effective
        for requested in calls:
            verdict = decide_tool(effective, requested.name)
            if verdict.allowed:
                verdict = self._check_requested_arguments(effective, requested) or verdict
            fields = {
                "use_case": in_flight.call_record.get("use_case"),
                "call_id": in_flight.call_record.get("call_id"),
                "library": in_flight.call_record.get("library"),
                "api": in_flight.call.api,
                "provider": in_flight.call.provider,
                "model": in_flight.call.model,
                "tool": requested.name,
                "source": "response",
                "decision": "allow" if verdict.allowed else "block",
                "rules": [verdict.rule],
                "reason": verdict.reason,
            }
            if verdict.allowed:
                self.evidence.record_later("tool.call", **fields)
                continue
            record = self.evidence.record("tool.call", **fields)
            self.tally.count("block", record)
            reason = f"The model asked to call tool '{requested.name}'; the call was held back. {verdict.reason}"
            refuse(verdict.violation(record, reason))

    def _check_requested_arguments(self, effective: EffectivePolicy, requested: RequestedToolCall) -> Verdict | None:
        """The arguments as the caller would receive them (placeholders restored), against tools.arguments."""
        if not requested.readable:
            if not effective.arguments_checked(requested.name):
                return None
            return Verdict.block(
                "tools.arguments",
                f"Tool '{requested.name}' was called with arguments that are not valid JSON, so the checks "
                "in tools.arguments could not run.",
                "ask the model again; a call whose arguments cannot be checked is not passed on.",
                ToolCallBlocked,
            )
        vault = self.vault
        arguments = restore_value(requested.arguments, vault) if len(vault) else requested.arguments
        return check_arguments(effective, requested.name, arguments)

    def refuse_unreadable_answer(self, in_flight: CallInFlight, why: str) -> None:
        """An answer that may carry tool calls could not be checked: it is not passed on (fail closed)."""
        record = self.evidence.record(
            "tool.call",
            use_case=in_flight.call_record.get("use_case"),
            call_id=in_flight.call_record.get("call_id"),
            api=in_flight.call.api,
            provider=in_flight.call.provider,
            model=in_flight.call.model,
            source="response",
            decision="block",
            rules=["tools.unreadable"],
            reason=f"The answer could not be checked for tool calls ({why}), so it was not passed on.",
        )
        self.tally.count("block", record)
        verdict = Verdict.block(
            "tools.unreadable",
            record["reason"],
            "ask for an uncompressed, smaller answer; tool calls are passed on only once checked.",
            ToolCallBlocked,
        )
        refuse(verdict.violation(record))
