"""redaction.responses for one call's answer: what is sensitive and new to the caller, masked or refused, on record.

New means not the caller's own: a value aigov replaced by a placeholder this session (restored into answers)
or one found verbatim in the call's prompt is the caller's, so the model repeating it is no finding. The
entities looked for are those the policy redacts or blocks under redaction.entities; `responses` alone says
what happens to them in answers: redact masks every one (`<SECRET>`), block refuses the answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from aigov_core.errors import DetectionFailed

from ..redaction.answer_text import outside_placeholders
from ..redaction.findings import Finding
from ..redaction.plan import entity_summary, merge_spans
from ..redaction.transit import LOAD_WAIT_S
from ..verdict import Verdict
from .refusals import refuse

if TYPE_CHECKING:
    from ..redaction.engine import DetectionEngine
    from .answer import CallInFlight

REDACTED, BLOCKED, FAILED = "redaction.response_redacted", "redaction.response_blocked", "redaction.response_failed"


class AnswerRedaction:
    """The AnswerJudge of one call's answer under `redaction.responses` (redact or block)."""

    def __init__(self, in_flight: CallInFlight, engine: DetectionEngine, wanted: Collection[str]) -> None:
        self._in_flight = in_flight
        self._engine = engine
        self._wanted = frozenset(wanted)
        self._actions = in_flight.effective.redaction.entities
        self.blocking = in_flight.effective.redaction.responses == "block"
        self._prompt = [part.text for part in in_flight.call.text_parts]
        self._recorded: Counter[str] = Counter()

    def find(self, texts: Sequence[str]) -> list[list[Finding]]:
        """New sensitive data in each text, as spans to mask; raises when the answer is refused."""
        self._engine.wait_ready(LOAD_WAIT_S)
        try:
            found = self._engine.analyze_many(texts, self._wanted)
        except DetectionFailed as failure:
            self._refuse(
                FAILED,
                f"Checking the answer for personal data and secrets failed ({failure.reason}), so it was not "
                "passed on.",
                "retry in a moment; if it keeps failing, raise redaction.deadline_ms or set redaction.responses "
                "to allow in the policy.",
                {},
            )
        new = [self._new(text, findings) for text, findings in zip(texts, found, strict=True)]
        if self.blocking and any(new):
            counts = dict(sorted(Counter(f.entity for part in new for f in part).items()))
            self._refuse(
                BLOCKED,
                f"The model's answer contains {entity_summary(counts)} that the prompt did not, which the "
                "policy does not let through (redaction.responses is block); it was not passed on.",
                "ask again without the data the model should not repeat, or set redaction.responses to redact "
                "in the policy to receive the answer with markers instead.",
                counts,
            )
        return [merge_spans(part, self._actions) for part in new]

    def unreadable(self, why: str) -> NoReturn:
        """An answer that cannot be scanned is not passed on (fail closed)."""
        self._refuse(
            FAILED,
            f"The answer could not be checked for personal data and secrets ({why}), so it was not passed on.",
            "ask for a smaller, uncompressed answer, or set redaction.responses to allow in the policy.",
            {},
        )

    def record_masked(self, entities: Counter[str]) -> None:
        """Record what was masked and not recorded yet (types and counts), with the answer's accounting."""
        counts = entities - self._recorded
        if not counts:
            return
        self._recorded.update(counts)
        ordered = dict(sorted(counts.items()))
        self._in_flight.pipeline.record_answer(
            "response.redaction",
            **self._fields(),
            decision="redact",
            rules=[REDACTED],
            reason=f"Replaced {entity_summary(ordered)} in the model's answer with markers before the caller read it.",
            entities=ordered,
        )

    def _new(self, text: str, findings: list[Finding]) -> list[Finding]:
        """The findings that are not the caller's own values (placeholders restored, or in the prompt)."""
        vault = self._in_flight.pipeline.vault
        kept = []
        for finding in outside_placeholders(text, findings):
            value = finding.value(text)
            if vault.holds(value) or self._in_prompt(value):
                continue
            kept.append(finding)
        return kept

    def _in_prompt(self, value: str) -> bool:
        """Whether the value is in the prompt as a whole word or more ("Ada" is not in "Adam")."""
        if not any(value in prompt for prompt in self._prompt):
            return False
        whole = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)")
        return any(whole.search(prompt) for prompt in self._prompt)

    def _refuse(self, rule: str, reason: str, hint: str, entities: dict[str, int]) -> NoReturn:
        pipeline = self._in_flight.pipeline
        record = pipeline.evidence.record(
            "response.redaction", **self._fields(), decision="block", rules=[rule], reason=reason, entities=entities
        )
        pipeline.tally.count("block", record)
        refuse(Verdict.block(rule, reason, hint).violation(record))

    def _fields(self) -> dict[str, Any]:
        in_flight = self._in_flight
        return {
            "use_case": in_flight.call_record.get("use_case"),
            "call_id": in_flight.call_record.get("call_id"),
            "library": in_flight.call_record.get("library"),
            "api": in_flight.call.api,
            "provider": in_flight.call.provider,
            "model": in_flight.call.model,
        }
