"""Turn findings and the policy's entity actions into one decision: allow, redact or block, with counts for evidence."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from jupyter_aigov.redaction.findings import Finding

Action = Literal["allow", "redact", "block"]
_RANK: dict[str, int] = {"allow": 0, "redact": 1, "block": 2}


@dataclass(frozen=True, slots=True)
class RedactionDecision:
    """What to do with a request: `action`, which entity types caused it, and the spans to replace per text part.

    `entities` counts findings per type ({TYPE: count}) for the evidence record; it never holds values.
    """

    action: Action
    entities: dict[str, int] = field(default_factory=dict)
    blocked_by: tuple[str, ...] = ()
    spans: list[list[Finding]] = field(default_factory=list)


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


def decide(findings: Sequence[Sequence[Finding]], actions: Mapping[str, str]) -> RedactionDecision:
    """The decision for a request whose text parts produced `findings` (one list per part), under `actions`."""
    acted = [[f for f in part if actions.get(f.entity, "allow") != "allow"] for part in findings]
    counts = Counter(f.entity for part in acted for f in part)
    blocked = tuple(sorted(entity for entity in counts if actions.get(entity) == "block"))
    action: Action = "block" if blocked else "redact" if counts else "allow"
    spans = [merge_spans(part, actions) for part in acted] if action == "redact" else [[] for _ in acted]
    return RedactionDecision(action, dict(sorted(counts.items())), blocked, spans)
