"""The decision plots on hand-built decision rows: bucket choice, counts per bucket, tallies, PNG output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jupyter_aigov.charts import (
    NO_MODEL,
    NO_USE_CASE,
    breakdown_png,
    bucket_size,
    decisions_over_time,
    tally_by_model_use_case,
    timeline_png,
)

NOON = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG"


def row(at: timedelta, decision: str = "allow", model: str | None = "gpt-4o-mini", use_case: str | None = None) -> dict:
    stamp = (NOON + at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # as the evidence log writes it
    return {"ts": stamp, "decision": decision, "model": model, "use_case": use_case, "event": "ai.call"}


@pytest.mark.parametrize(
    ("span", "size"),
    [
        (timedelta(0), "minute"),
        (timedelta(hours=2), "minute"),
        (timedelta(hours=2, seconds=1), "hour"),
        (timedelta(days=5), "hour"),
        (timedelta(days=5, hours=1), "day"),
        (timedelta(days=400), "day"),
    ],
)
def test_when_calls_span_longer_then_the_buckets_grow_from_minutes_to_hours_to_days(span, size):
    assert bucket_size(span) == size
    assert decisions_over_time([row(timedelta(0)), row(span)]).size == size


def test_when_calls_span_minutes_then_each_minute_counts_its_decisions_and_quiet_minutes_count_zero():
    rows = [
        row(timedelta(seconds=5)),
        row(timedelta(seconds=50), "block"),
        row(timedelta(minutes=3, seconds=1), "redact"),
    ]
    timeline = decisions_over_time(rows)
    assert timeline.size == "minute"
    assert timeline.counts == [
        (NOON, {"allow": 1, "redact": 0, "block": 1}),
        (NOON + timedelta(minutes=1), {"allow": 0, "redact": 0, "block": 0}),
        (NOON + timedelta(minutes=2), {"allow": 0, "redact": 0, "block": 0}),
        (NOON + timedelta(minutes=3), {"allow": 0, "redact": 1, "block": 0}),
    ]


def test_when_calls_span_weeks_then_buckets_start_at_midnight_utc():
    timeline = decisions_over_time([row(timedelta(hours=13)), row(timedelta(days=9), "block")])
    assert timeline.size == "day"
    midnight = NOON.replace(hour=0)
    assert timeline.counts[0] == (midnight + timedelta(days=1), {"allow": 1, "redact": 0, "block": 0})
    assert timeline.counts[-1] == (midnight + timedelta(days=9), {"allow": 0, "redact": 0, "block": 1})
    assert len(timeline.counts) == 9


def test_when_a_row_has_no_time_or_no_decision_then_it_is_not_counted():
    rows: list[dict[str, Any]] = [row(timedelta(0)), {"ts": None, "decision": "allow"}, row(timedelta(0), "error")]
    rows.append({"ts": "not a time", "decision": "block"})
    timeline = decisions_over_time(rows)
    assert timeline.counts == [(NOON, {"allow": 1, "redact": 0, "block": 0})]


def test_when_there_are_no_rows_then_the_timeline_is_empty():
    assert decisions_over_time([]).counts == []


def test_when_tallied_then_the_most_blocked_and_redacted_pairs_come_first():
    rows = [
        row(timedelta(0), "allow", "gpt-4o-mini", "churn"),
        row(timedelta(0), "redact", "gpt-4o-mini", "churn"),
        row(timedelta(0), "block", "gpt-4o", "churn"),
        row(timedelta(0), "block", "gpt-4o", None),
        row(timedelta(0), "block", None, None),
        row(timedelta(0), "allow", "claude-haiku-4-5", "triage"),
    ]
    assert tally_by_model_use_case(rows) == [
        {"model": NO_MODEL, "use_case": NO_USE_CASE, "allow": 0, "redact": 0, "block": 1},
        {"model": "gpt-4o", "use_case": NO_USE_CASE, "allow": 0, "redact": 0, "block": 1},
        {"model": "gpt-4o", "use_case": "churn", "allow": 0, "redact": 0, "block": 1},
        {"model": "gpt-4o-mini", "use_case": "churn", "allow": 1, "redact": 1, "block": 0},
        {"model": "claude-haiku-4-5", "use_case": "triage", "allow": 1, "redact": 0, "block": 0},
    ]


def test_when_drawn_then_charts_are_png_with_data_or_without():
    rows = [row(timedelta(minutes=minute), decision) for minute in range(30) for decision in ("allow", "block")]
    many_pairs = [row(timedelta(0), "block", f"model-{index}") for index in range(15)]
    for image in (
        timeline_png(decisions_over_time(rows)),
        timeline_png(decisions_over_time([])),
        breakdown_png(tally_by_model_use_case(rows + many_pairs)),
        breakdown_png([]),
    ):
        assert image[:4] == PNG
