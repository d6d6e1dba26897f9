"""EvidenceSummary on real evidence logs and on synthetic streams: counts, per-model usage, timeline, bounded state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jupyter_aigov.bundle.summary import MAX_KEPT_BUCKETS, MAX_TIMELINE_BUCKETS, NO_RULE, EvidenceSummary
from jupyter_aigov.charts import NO_USE_CASE, decisions_over_time, tally_by_model_use_case

from .summaries import summarise

NOON = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
SHA_A, SHA_B = "a" * 64, "b" * 64


def stamp(at: timedelta) -> str:
    """A ts `at` after noon, written as the evidence log writes it."""
    return (NOON + at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def base(event: str, at: timedelta, **fields: Any) -> dict[str, Any]:
    """Fields shaped like the gateway's: every record names its session, user, notebook and use case."""
    return {
        "event": event,
        "ts": stamp(at),
        "session": "s-1",
        "user": "ada",
        "notebook": "churn.ipynb",
        "use_case": "churn-analysis",
        "provider": None,
        "model": None,
        "decision": "allow",
        "rules": [],
        "reason": "",
        "entities": {},
        "usage": None,
        **fields,
    }


def call(at: timedelta, decision: str = "allow", model: str | None = "gpt-4o-mini", **fields: Any) -> dict[str, Any]:
    fields.setdefault("provider", "openai")
    return base("ai.call", at, model=model, decision=decision, **fields)


def response(at: timedelta, model: str = "gpt-4o-mini", tokens: tuple[int, int] = (10, 5), **fields: Any):
    fields.setdefault("provider", "openai")
    usage = {"input_tokens": tokens[0], "output_tokens": tokens[1]}
    return base("ai.response", at, model=model, usage=usage, **fields)


SEC, MIN = timedelta(seconds=1), timedelta(minutes=1)
MIX: list[dict[str, Any]] = [
    base("extension.load", 0 * SEC),
    base("policy.load", 0 * SEC, policy_sha256=SHA_A, policy_source="/p/aigov.yaml"),
    base("use_case.set", 1 * SEC, use_case="churn-analysis"),
    call(2 * SEC, rules=["models.allowed"], call_id="c1"),
    response(3 * SEC, tokens=(100, 20), cost_usd=0.25, call_id="c1"),
    call(MIN, "redact", rules=["models.allowed", "redaction.redact"], entities={"PERSON": 2, "EMAIL_ADDRESS": 1}),
    response(MIN + SEC, tokens=(50, 10), cost_usd=0.5),
    call(2 * MIN, "block", rules=["redaction.block"], entities={"SECRET": 1}),
    call(2 * MIN, "block", "claude-sonnet-4-6", provider="anthropic", rules=["models.deny"], use_case=None),
    base("tool.call", 3 * MIN, tool="run_sql", rules=["tools.allowed"]),
    base("tool.call", 3 * MIN, tool="run_shell", decision="block", rules=["tools.deny"]),
    base("gateway.error", 4 * MIN, provider="openai", model="gpt-4o-mini", decision="block", rules=["on_error.block"]),
    base("policy.load", 5 * MIN, policy_sha256=SHA_B, policy_source="/p/aigov.yaml", session="s-2", user="bob"),
    base("policy.load", 5 * MIN, policy_sha256=SHA_A, policy_source="/q/aigov.yaml", session="s-2", user="bob"),
]


@pytest.fixture
def mixed(tmp_path: Path) -> EvidenceSummary:
    """The mix written with the real EvidenceLog, read back with iter_records, summed up."""
    return summarise(tmp_path / "churn.jsonl", MIX)


def test_when_a_known_mix_is_added_then_every_count_matches(mixed):
    facts = mixed.as_dict()
    assert facts["records"] == len(MIX)
    assert facts["records_by_log"] == {"data/evidence/churn.jsonl": len(MIX)}
    assert facts["records_by_event"] == {
        "ai.call": 4,
        "ai.response": 2,
        "extension.load": 1,
        "gateway.error": 1,
        "policy.load": 3,
        "tool.call": 2,
        "use_case.set": 1,
    }
    assert facts["calls"] == {"total": 4, "allow": 1, "redact": 1, "block": 2}
    assert facts["blocks_by_rule"] == {"models.deny": 1, "redaction.block": 1}
    assert facts["entities"] == {"PERSON": 2, "EMAIL_ADDRESS": 1, "SECRET": 1}
    assert facts["entities_by_decision"] == {"block": {"SECRET": 1}, "redact": {"PERSON": 2, "EMAIL_ADDRESS": 1}}
    assert facts["tool_calls"] == {"total": 2, "allow": 1, "block": 1}
    assert facts["tool_blocks_by_rule"] == {"tools.deny": 1}
    assert facts["tokens"] == {"input": 150, "output": 30}
    assert facts["cost_usd"] == 0.75
    assert facts["gateway_errors"] == 1
    assert facts["users"] == ["ada", "bob"]
    assert facts["sessions"] == ["s-1", "s-2"]
    assert facts["use_cases"] == ["churn-analysis"]
    assert facts["policies"] == [
        {"sha256": SHA_A, "sources": ["/p/aigov.yaml", "/q/aigov.yaml"]},
        {"sha256": SHA_B, "sources": ["/p/aigov.yaml"]},
    ]
    assert facts["first_ts"] == stamp(timedelta(0))
    assert facts["last_ts"] == stamp(timedelta(minutes=5))


def test_when_a_known_mix_is_added_then_each_model_has_its_calls_tokens_cost_and_last_use(mixed):
    assert mixed.as_dict()["models"] == [
        {
            "provider": "openai",
            "model": "gpt-4o-mini",
            "calls": 3,
            "allowed": 1,
            "redacted": 1,
            "blocked": 1,
            "responses": 2,
            "priced_responses": 2,
            "input_tokens": 150,
            "output_tokens": 30,
            "cost_usd": 0.75,
            "last_used": stamp(timedelta(minutes=2)),
        },
        {
            "provider": "anthropic",
            "model": "claude-sonnet-4-6",
            "calls": 1,
            "allowed": 0,
            "redacted": 0,
            "blocked": 1,
            "responses": 0,
            "priced_responses": 0,
            "input_tokens": 0,
            "output_tokens": 0,
            "cost_usd": 0.0,
            "last_used": stamp(timedelta(minutes=2)),
        },
    ]


def test_when_a_known_mix_is_added_then_as_dict_survives_json(mixed):
    facts = mixed.as_dict()
    assert json.loads(json.dumps(facts)) == facts


def test_when_two_providers_serve_one_model_name_then_responses_go_to_their_own_provider():
    summary = EvidenceSummary()
    for record in (
        call(timedelta(0), provider="openai"),
        call(timedelta(0), provider="azure"),
        response(timedelta(seconds=1), provider="azure", tokens=(7, 3), cost_usd=0.01),
    ):
        summary.add(record, "log")
    usage = {(u.provider, u.model): u for u in summary.model_usage()}
    assert (usage["azure", "gpt-4o-mini"].input_tokens, usage["azure", "gpt-4o-mini"].priced) == (7, 1)
    assert (usage["openai", "gpt-4o-mini"].input_tokens, usage["openai", "gpt-4o-mini"].responses) == (0, 0)


def test_when_a_response_has_no_usage_and_no_cost_then_it_counts_as_an_unpriced_response():
    summary = EvidenceSummary()
    summary.add(base("ai.response", timedelta(0), provider="ollama", model="llama3", usage=None), "log")
    (usage,) = summary.model_usage()
    assert (usage.responses, usage.priced, usage.input_tokens, usage.cost_usd) == (1, 0, 0, 0.0)


def test_when_a_block_names_no_rule_then_it_is_counted_under_no_rule():
    summary = EvidenceSummary()
    summary.add(call(timedelta(0), "block", rules=[]), "log")
    summary.add(base("tool.call", timedelta(0), decision="block", rules=None), "log")
    assert summary.blocks_by_rule == {NO_RULE: 1}
    assert summary.tool_blocks_by_rule == {NO_RULE: 1}


def test_when_a_record_has_no_readable_time_then_it_is_counted_but_not_timed():
    summary = EvidenceSummary()
    summary.add(call(timedelta(0)) | {"ts": "yesterday"}, "log")
    summary.add(call(timedelta(0)) | {"ts": None}, "log")
    assert summary.ai_calls["allow"] == 2
    assert (summary.first, summary.last, summary.timeline().counts) == (None, None, [])


def test_when_calls_span_minutes_then_the_timeline_matches_the_dashboards():
    rows = [
        call(timedelta(seconds=5)),
        call(timedelta(seconds=50), "block"),
        call(timedelta(minutes=3, seconds=1), "redact"),
        call(timedelta(minutes=90), "block"),
    ]
    summary = EvidenceSummary()
    for row in rows:
        summary.add(row, "log")
    assert summary.timeline() == decisions_over_time(rows)
    assert summary.timeline().counts[1] == (NOON + timedelta(minutes=1), {"allow": 0, "redact": 0, "block": 0})


def test_when_calls_are_tallied_then_entries_match_charts_tally_by_model_use_case():
    rows = [
        call(timedelta(0), "block", use_case=None),
        call(timedelta(0), "redact", "claude-3-haiku"),
        call(timedelta(0), "redact", "claude-3-haiku"),
        call(timedelta(0), "allow", None),
    ]
    summary = EvidenceSummary()
    for row in rows:
        summary.add(row, "log")
    assert summary.tally() == tally_by_model_use_case(rows)
    assert summary.tally()[1]["use_case"] == NO_USE_CASE


@pytest.mark.parametrize(
    ("apart", "kept"),
    [(timedelta(minutes=1), "hour"), (timedelta(hours=1), "day")],
)
def test_when_more_than_the_kept_buckets_hold_calls_then_buckets_collapse_and_keep_every_count(apart, kept):
    summary = EvidenceSummary()
    calls = MAX_KEPT_BUCKETS + 1
    for index in range(calls):
        summary.add(call(apart * index, ("allow", "redact", "block")[index % 3]), "log")
    assert summary.bucket_size == kept
    assert len(summary._buckets) <= MAX_KEPT_BUCKETS
    timeline = summary.timeline()
    totals = {decision: sum(counts[decision] for _, counts in timeline.counts) for decision in ("allow", "redact")}
    assert totals == {"allow": summary.ai_calls["allow"], "redact": summary.ai_calls["redact"]}
    assert sum(sum(counts.values()) for _, counts in timeline.counts) == calls


@pytest.mark.parametrize(
    ("span", "size", "buckets"),
    [
        (timedelta(hours=1), "minute", 61),
        (timedelta(days=1), "minute", 1441),
        (timedelta(days=3), "hour", 73),
        (timedelta(days=100), "day", 101),
    ],
)
def test_when_few_calls_span_long_then_the_timeline_takes_the_finest_size_within_the_cap(span, size, buckets):
    summary = EvidenceSummary()
    summary.add(call(timedelta(0)), "log")
    summary.add(call(span, "block"), "log")
    assert summary.bucket_size == "minute"  # two calls: nothing to collapse
    timeline = summary.timeline()
    assert (timeline.size, len(timeline.counts)) == (size, buckets)
    assert len(timeline.counts) <= MAX_TIMELINE_BUCKETS
    assert timeline.counts[-1][1]["block"] == 1


def test_when_a_smaller_cap_is_asked_for_then_the_timeline_is_coarser():
    summary = EvidenceSummary()
    summary.add(call(timedelta(0)), "log")
    summary.add(call(timedelta(hours=3)), "log")
    assert summary.timeline().size == "minute"
    assert summary.timeline(max_buckets=100).size == "hour"


def synthetic(index: int, ts: str) -> dict[str, Any]:
    """Three calls (allow, redact, block) then a response, over 7 models, 3 use cases, 11 users, 13 sessions."""
    kind, model = index % 4, f"m{index % 7}"
    if kind == 3:
        usage = {"input_tokens": 3, "output_tokens": 1}
        return {
            "event": "ai.response",
            "ts": ts,
            "provider": "openai",
            "model": model,
            "usage": usage,
            "cost_usd": 0.001,
        }
    return {
        "event": "ai.call",
        "ts": ts,
        "provider": "openai",
        "model": model,
        "decision": ("allow", "redact", "block")[kind],
        "rules": [f"rule.{index % 5}"],
        "entities": {"PERSON": 1},
        "use_case": f"u{index % 3}",
        "user": f"user{index % 11}",
        "session": f"s{index % 13}",
    }


def test_when_300000_records_span_a_year_then_the_kept_state_stays_bounded():
    summary = EvidenceSummary()
    year = timedelta(days=365)
    count = 300_000
    step = year / count
    peak = 0
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for index in range(count):
        record = synthetic(index, (start + step * index).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        summary.add(record, f"log{index % 2}")
        peak = max(peak, len(summary._buckets))
    assert peak <= MAX_KEPT_BUCKETS
    assert summary.bucket_size == "day"
    assert len(summary._buckets) == 365
    assert (len(summary.models), len(summary._tally), len(summary.blocks_by_rule)) == (7, 21, 5)
    assert (len(summary.users), len(summary.sessions), len(summary.records_by_log)) == (11, 13, 2)
    timeline = summary.timeline()
    assert timeline.size == "day" and len(timeline.counts) <= MAX_TIMELINE_BUCKETS
    assert sum(sum(counts.values()) for _, counts in timeline.counts) == sum(summary.ai_calls.values()) == 225_000


def test_when_nothing_is_added_then_as_dict_is_empty_and_json_ready():
    facts = EvidenceSummary().as_dict()
    assert json.loads(json.dumps(facts)) == facts
    assert facts["records"] == 0 and facts["models"] == [] and facts["first_ts"] is None
    assert facts["calls"] == {"total": 0, "allow": 0, "redact": 0, "block": 0}
    assert facts["timeline"] == {"size": "minute", "buckets": []}
