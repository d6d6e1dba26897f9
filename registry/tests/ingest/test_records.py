"""A record as a decisions row: every filtered column filled, odd values kept safe rather than failing the bundle."""

from __future__ import annotations

from datetime import UTC, datetime

from aigov_registry.ingest.records import decision_row

FALLBACK = datetime(2026, 1, 1, tzinfo=UTC)


def _row(**record):
    return decision_row(
        {"seq": 3, "hash": "a" * 64, **record}, team_id=1, bundle_id="b", log="data/evidence/x.jsonl",
        fallback_ts=FALLBACK,
    )  # fmt: skip


def test_when_a_call_record_is_read_then_every_column_is_filled():
    row = _row(
        ts="2026-11-01T09:00:00.123456Z", event="ai.call", user="ada", notebook="x.ipynb", use_case="churn",
        provider="openai", model="gpt-4o-mini", decision="redact", reason="r", rules=["redaction.redact"],
        entities={"PERSON": 2}, usage={"input_tokens": 7, "output_tokens": 3}, cost_usd=0.25, session="s",
    )  # fmt: skip

    assert row["ts"] == datetime(2026, 11, 1, 9, 0, 0, 123456, tzinfo=UTC)
    assert (row["seq"], row["record_hash"], row["log"], row["team_id"], row["bundle_id"]) == (
        3, "a" * 64, "data/evidence/x.jsonl", 1, "b",
    )  # fmt: skip
    assert (row["decision"], row["rules"], row["entities"]) == ("redact", ["redaction.redact"], {"PERSON": 2})
    assert (row["input_tokens"], row["output_tokens"], row["cost_usd"]) == (7, 3, 0.25)


def test_when_fields_are_missing_then_columns_are_null_and_the_time_falls_back_to_the_export():
    row = _row(event="policy.load")

    assert row["ts"] == FALLBACK
    assert row["model"] is None and row["rules"] is None and row["input_tokens"] is None and row["cost_usd"] is None


def test_when_values_have_odd_types_then_they_are_kept_as_text_or_dropped_never_fatal():
    row = _row(
        ts="yesterday", user={"name": "ada"}, model=4, usage={"input_tokens": True, "output_tokens": 2**70},
        cost_usd="free", entities={"PERSON": "two", "EMAIL\x00": 1}, notebook="a\x00b",
    )  # fmt: skip

    assert row["ts"] == FALLBACK
    assert (row["user"], row["model"]) == ('{"name": "ada"}', "4")
    assert (row["input_tokens"], row["output_tokens"], row["cost_usd"]) == (None, None, None)
    assert row["entities"] == {"EMAIL\ufffd": 1} and row["notebook"] == "a\ufffdb"
