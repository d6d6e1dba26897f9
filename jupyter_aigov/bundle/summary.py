"""What a bundle's evidence adds up to, gathered record by record in bounded memory.

A bundle may hold logs of millions of records, so nothing here keeps a record: only counters keyed by
things there are few of (events, decisions, rules, entity types, models, use cases, users, sessions,
policies) and a timeline whose buckets grow coarser (minutes, then hours, then days) once there are more
than `MAX_KEPT_BUCKETS` of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aigov_core.evidence.timestamps import parse_ts
from jupyter_aigov.charts import (
    BUCKET_LENGTHS,
    DECISIONS,
    NO_MODEL,
    NO_USE_CASE,
    BucketSize,
    Timeline,
    bucket_start,
)

SIZES: tuple[BucketSize, ...] = ("minute", "hour", "day")
MAX_KEPT_BUCKETS = 5_000  # 5,000 days is 13 years: past that, days stay days
MAX_TIMELINE_BUCKETS = 2_000
NO_RULE = "(no rule)"


@dataclass
class ModelUsage:
    """One (provider, model)'s calls by decision, the tokens and cost of its responses, and when it was last used."""

    provider: str
    model: str
    calls: int = 0
    allowed: int = 0
    redacted: int = 0
    blocked: int = 0
    responses: int = 0
    priced: int = 0  # responses that carry a cost: an unpriced model's 0.0 is unknown, not free
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    last_used: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, the cost rounded to a millionth of a dollar."""
        return {
            "provider": self.provider,
            "model": self.model,
            "calls": self.calls,
            "allowed": self.allowed,
            "redacted": self.redacted,
            "blocked": self.blocked,
            "responses": self.responses,
            "priced_responses": self.priced,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "last_used": _stamp(self.last_used),
        }


class EvidenceSummary:
    """Aggregates over evidence records fed one at a time with `add`.

    >>> summary = EvidenceSummary()
    >>> for record in iter_records(path):
    ...     summary.add(record, log="demo.jsonl")
    >>> summary.as_dict()["calls"]
    {'total': 3, 'allow': 1, 'redact': 1, 'block': 1}
    """

    def __init__(self) -> None:
        self.records_by_log: Counter[str] = Counter()
        self.records_by_event: Counter[str] = Counter()
        self.ai_calls: Counter[str] = Counter()  # by decision
        self.blocks_by_rule: Counter[str] = Counter()
        self.entities: Counter[str] = Counter()
        # an entity found in a blocked call was never sent, so "redacted" alone would misreport it
        self.entities_by_decision: dict[str, Counter[str]] = {}
        self.tool_calls: Counter[str] = Counter()  # by decision
        self.tool_blocks_by_rule: Counter[str] = Counter()
        self.models: dict[tuple[str, str], ModelUsage] = {}
        self.users: set[str] = set()
        self.sessions: set[str] = set()
        self.use_cases: set[str] = set()
        self.policies: dict[str, set[str]] = {}  # policy sha256 -> the sources it was loaded from
        self.gateway_errors = 0
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.bucket_size: BucketSize = "minute"
        self._buckets: dict[datetime, dict[str, int]] = {}
        self._tally: dict[tuple[str, str], Counter[str]] = {}

    def add(self, record: Mapping[str, Any], log: str) -> None:
        """Count one record of the log named `log`."""
        event = str(record.get("event"))
        self.records_by_log[log] += 1
        self.records_by_event[event] += 1
        moment = parse_ts(record.get("ts"))
        if moment is not None:
            self.first = moment if self.first is None or moment < self.first else self.first
            self.last = moment if self.last is None or moment > self.last else self.last
        for seen, key in ((self.users, "user"), (self.sessions, "session"), (self.use_cases, "use_case")):
            value = record.get(key)
            if value:
                seen.add(str(value))
        if event == "ai.call":
            self._add_call(record, moment)
        elif event == "ai.response":
            self._add_response(record, moment)
        elif event == "tool.call":
            decision = str(record.get("decision"))
            self.tool_calls[decision] += 1
            if decision == "block":
                _count_rules(self.tool_blocks_by_rule, record)
        elif event == "policy.load":
            sha = record.get("policy_sha256")
            if sha:
                sources = self.policies.setdefault(str(sha), set())
                if record.get("policy_source"):
                    sources.add(str(record["policy_source"]))
        elif event == "gateway.error":
            self.gateway_errors += 1

    def _add_call(self, record: Mapping[str, Any], moment: datetime | None) -> None:
        decision = str(record.get("decision"))
        self.ai_calls[decision] += 1
        if decision == "block":
            _count_rules(self.blocks_by_rule, record)
        entities = record.get("entities")
        if entities and isinstance(entities, Mapping):
            by_decision = self.entities_by_decision.setdefault(decision, Counter())
            for kind, count in entities.items():
                if _is_count(count):
                    self.entities[str(kind)] += count
                    by_decision[str(kind)] += count
        usage = self._usage(record)
        usage.calls += 1
        if decision == "allow":
            usage.allowed += 1
        elif decision == "redact":
            usage.redacted += 1
        elif decision == "block":
            usage.blocked += 1
        if decision in DECISIONS:
            key = (str(record.get("model") or NO_MODEL), str(record.get("use_case") or NO_USE_CASE))
            self._tally.setdefault(key, Counter())[decision] += 1
            if moment is not None:
                self._count_in_bucket(moment, decision)
        _touch(usage, moment)

    def _add_response(self, record: Mapping[str, Any], moment: datetime | None) -> None:
        usage = self._usage(record)
        usage.responses += 1
        tokens = record.get("usage")
        if isinstance(tokens, Mapping):
            usage.input_tokens += _count(tokens.get("input_tokens"))
            usage.output_tokens += _count(tokens.get("output_tokens"))
        cost = record.get("cost_usd")
        if isinstance(cost, int | float) and not isinstance(cost, bool):
            usage.cost_usd += cost
            usage.priced += 1
        _touch(usage, moment)

    def _usage(self, record: Mapping[str, Any]) -> ModelUsage:
        key = (str(record.get("provider") or ""), str(record.get("model") or NO_MODEL))
        found = self.models.get(key)
        if found is None:
            found = self.models[key] = ModelUsage(*key)
        return found

    def _count_in_bucket(self, moment: datetime, decision: str) -> None:
        start = bucket_start(moment, self.bucket_size)
        counts = self._buckets.get(start)
        if counts is None:
            counts = self._buckets[start] = dict.fromkeys(DECISIONS, 0)
            while len(self._buckets) > MAX_KEPT_BUCKETS and self.bucket_size != "day":
                self.bucket_size = SIZES[SIZES.index(self.bucket_size) + 1]
                self._buckets = _rebucket(self._buckets, self.bucket_size)
                counts = self._buckets[bucket_start(moment, self.bucket_size)]
        counts[decision] += 1

    def timeline(self, max_buckets: int = MAX_TIMELINE_BUCKETS) -> Timeline:
        """AI call decisions per bucket, empty buckets filled, in the finest size that needs at most `max_buckets`.

        Only days can exceed `max_buckets`: calls spread over more than `max_buckets` days.
        """
        if not self._buckets:
            return Timeline()
        earliest, latest = min(self._buckets), max(self._buckets)
        size = self.bucket_size
        for size in SIZES[SIZES.index(self.bucket_size) :]:
            if (bucket_start(latest, size) - bucket_start(earliest, size)) // BUCKET_LENGTHS[size] < max_buckets:
                break
        step = BUCKET_LENGTHS[size]
        first, last = bucket_start(earliest, size), bucket_start(latest, size)
        filled = {first + step * index: dict.fromkeys(DECISIONS, 0) for index in range((last - first) // step + 1)}
        for start, counts in _rebucket(self._buckets, size).items():
            filled[start] = counts
        return Timeline(size, list(filled.items()))

    def tally(self) -> list[dict[str, Any]]:
        """Entries shaped like `charts.tally_by_model_use_case`'s, in its order: most blocks and redactions first."""
        entries = [
            {"model": model, "use_case": use_case, **{decision: counts[decision] for decision in DECISIONS}}
            for (model, use_case), counts in self._tally.items()
        ]
        return sorted(entries, key=lambda e: (-(e["block"] + e["redact"]), -e["block"], e["model"], e["use_case"]))

    def model_usage(self) -> list[ModelUsage]:
        """Every (provider, model) seen, most called first."""
        return sorted(self.models.values(), key=lambda usage: (-usage.calls, usage.provider, usage.model))

    def tokens(self) -> tuple[int, int]:
        """Input and output tokens over every response."""
        usages = self.models.values()
        return sum(usage.input_tokens for usage in usages), sum(usage.output_tokens for usage in usages)

    def spend_usd(self) -> float:
        """The cost over every priced response."""
        return round(sum(usage.cost_usd for usage in self.models.values()), 6)

    def as_dict(self) -> dict[str, Any]:
        """Everything counted, as JSON-ready values (sorted lists for sets, ISO 8601 UTC strings for times)."""
        input_tokens, output_tokens = self.tokens()
        timeline = self.timeline()
        return {
            "records": sum(self.records_by_log.values()),
            "records_by_log": dict(sorted(self.records_by_log.items())),
            "records_by_event": dict(sorted(self.records_by_event.items())),
            "first_ts": _stamp(self.first),
            "last_ts": _stamp(self.last),
            "calls": {"total": sum(self.ai_calls.values()), **{d: self.ai_calls[d] for d in DECISIONS}},
            "calls_by_decision": dict(sorted(self.ai_calls.items())),
            "blocks_by_rule": _by_count(self.blocks_by_rule),
            "entities": _by_count(self.entities),
            "entities_by_decision": {d: _by_count(c) for d, c in sorted(self.entities_by_decision.items())},
            "tool_calls": {
                "total": sum(self.tool_calls.values()),
                "allow": self.tool_calls["allow"],
                "block": self.tool_calls["block"],
            },
            "tool_blocks_by_rule": _by_count(self.tool_blocks_by_rule),
            "tokens": {"input": input_tokens, "output": output_tokens},
            "cost_usd": self.spend_usd(),
            "models": [usage.as_dict() for usage in self.model_usage()],
            "tally": self.tally(),
            "timeline": {
                "size": timeline.size,
                "buckets": [[_stamp(start), counts] for start, counts in timeline.counts],
            },
            "users": sorted(self.users),
            "sessions": sorted(self.sessions),
            "use_cases": sorted(self.use_cases),
            "policies": [{"sha256": sha, "sources": sorted(sources)} for sha, sources in sorted(self.policies.items())],
            "gateway_errors": self.gateway_errors,
        }


def _rebucket(buckets: Mapping[datetime, dict[str, int]], size: BucketSize) -> dict[datetime, dict[str, int]]:
    """The same counts summed into buckets of `size` (no finer than theirs)."""
    merged: dict[datetime, dict[str, int]] = {}
    for start, counts in buckets.items():
        into = merged.setdefault(bucket_start(start, size), dict.fromkeys(DECISIONS, 0))
        for decision in DECISIONS:
            into[decision] += counts[decision]
    return merged


def _count_rules(counter: Counter[str], record: Mapping[str, Any]) -> None:
    """Each rule a decision names, once; a decision naming none under NO_RULE so it still adds up."""
    rules = record.get("rules")
    for rule in rules if isinstance(rules, list) and rules else (NO_RULE,):
        counter[str(rule)] += 1


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: Any) -> int:
    """A token count, or 0 when missing (a response without usage) or not a number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _touch(usage: ModelUsage, moment: datetime | None) -> None:
    if moment is not None and (usage.last_used is None or moment > usage.last_used):
        usage.last_used = moment


def _by_count(counter: Counter[str]) -> dict[str, int]:
    """Most first, then by name: the order a table of them is read in."""
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def _stamp(moment: datetime | None) -> str | None:
    """As the evidence log writes times: RFC 3339 UTC with microseconds and Z."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
