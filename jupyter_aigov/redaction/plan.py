"""Turn findings and the policy's entity actions into a plan: allow, redact (which spans) or block, with counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.verdict import Verdict

Action = Literal["allow", "redact", "block"]
_RANK: dict[str, int] = {"allow": 0, "redact": 1, "block": 2}


@dataclass(frozen=True, slots=True)
class RedactionPlan:
    """What to do with a request: `action`, which entity types caused it, and the spans to replace per text part.

    `entities` counts findings per type ({TYPE: count}) for the evidence record; it never holds values.
    """

    action: Action
    entities: dict[str, int] = field(default_factory=dict)
    blocked_by: tuple[str, ...] = ()
    spans: list[list[Finding]] = field(default_factory=list)

    def verdict(self, before: Verdict) -> Verdict:
        """The call's verdict once redaction acted: refused for a blocked entity, or `before` with the redaction."""
        if self.action == "block":
            listed = entity_summary({e: self.entities[e] for e in self.blocked_by})
            return Verdict.block(
                "redaction.block",
                f"The prompt contains {listed}, which the policy does not allow to be sent.",
                "remove it from the prompt, or change its action under redaction.entities in the policy.",
            )
        if self.action == "redact":
            return before.then(
                "redaction.redact",
                f"Replaced {entity_summary(self.entities)} with placeholders before sending.",
                "redact",
            )
        return before


def failed(why: str) -> Verdict:
    """The refusal of a call whose prompt could not be checked: fail closed whatever on_error says."""
    return Verdict.block(
        "redaction.failed",
        f"Checking the prompt for personal data and secrets failed ({why}), so it was not sent.",
        "retry in a moment; if it keeps failing, raise redaction.deadline_ms or check "
        "redaction.nlp_model in the policy (`%aigov status` shows the detection engine).",
    )


def entity_summary(counts: dict[str, int]) -> str:
    """'PERSON (2), EMAIL_ADDRESS (1)': types and counts, never values."""
    return ", ".join(f"{entity} ({count})" for entity, count in counts.items())


def entities_to_detect(actions: Mapping[str, str]) -> frozenset[str]:
    """The entity types worth analysing for: those the policy redacts or blocks."""
    return frozenset(entity for entity, action in actions.items() if action in ("redact", "block"))


def merge_spans(findings: Sequence[Finding], actions: Mapping[str, str]) -> list[Finding]:
    """Non-overlapping spans to replace, sorted; overlaps merge under the type with the stronger action."""
    merged: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            stronger = max((last, finding), key=lambda f: (_RANK.get(actions.get(f.entity, "allow"), 0), f.score))
            merged[-1] = Finding(
                stronger.entity, last.start, max(last.end, finding.end), max(last.score, finding.score)
            )
        else:
            merged.append(finding)
    return merged


def decide(findings: Sequence[Sequence[Finding]], actions: Mapping[str, str]) -> RedactionPlan:
    """The decision for a request whose text parts produced `findings` (one list per part), under `actions`."""
    acted = [[f for f in part if actions.get(f.entity, "allow") != "allow"] for part in findings]
    counts = Counter(f.entity for part in acted for f in part)
    blocked = tuple(sorted(entity for entity in counts if actions.get(entity) == "block"))
    action: Action = "block" if blocked else "redact" if counts else "allow"
    spans = [merge_spans(part, actions) for part in acted] if action == "redact" else [[] for _ in acted]
    return RedactionPlan(action, dict(sorted(counts.items())), blocked, spans)
