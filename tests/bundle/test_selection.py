"""Record filters: time range, use case and model, as a user types them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from aigov_core.errors import BundleError
from jupyter_aigov.bundle.selection import RecordFilter, record_filter

CALL = {"ts": "2026-11-20T10:00:00.000000Z", "use_case": "churn", "provider": "openai", "model": "gpt-4o-mini"}


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        ({}, True),
        ({"since": "2026-11-20"}, True),
        ({"since": "2026-11-20T10:00:00Z"}, True),  # since is inclusive
        ({"since": "2026-11-21"}, False),
        ({"until": "2026-11-20T10:00:00Z"}, False),  # until is exclusive
        ({"until": "2026-11-21"}, True),
        ({"since": "2026-11-20T11:00:00+01:00"}, True),  # 10:00 UTC
        ({"use_case": "churn"}, True),
        ({"use_case": "triage"}, False),
        ({"model": "gpt-4o-mini"}, True),
        ({"model": "gpt-*"}, True),
        ({"model": "openai/*"}, True),
        ({"model": "anthropic/*"}, False),
        ({"model": "claude-*"}, False),
        ({"since": "2026-11-01", "use_case": "churn", "model": "gpt-*"}, True),
    ],
)
def test_when_filters_given_then_records_kept_as_they_say(filters: dict[str, str], kept: bool) -> None:
    assert record_filter(**filters).matches(CALL) is kept


@pytest.mark.parametrize(
    ("filters", "record"),
    [
        ({"use_case": "churn"}, {"ts": CALL["ts"], "use_case": None}),
        ({"model": "*"}, {"ts": CALL["ts"], "model": None}),
        ({"since": "2026-01-01"}, {"ts": "not a time"}),
    ],
)
def test_when_record_lacks_the_filtered_field_then_not_kept(filters: dict[str, str], record: dict) -> None:
    assert not record_filter(**filters).matches(record)


def test_when_no_filters_then_empty_and_described_as_nothing() -> None:
    assert record_filter().is_empty
    assert record_filter().describe() == {}


def test_when_dates_and_datetimes_given_then_read_as_utc() -> None:
    selection = record_filter(since=date(2026, 11, 1), until=datetime(2026, 11, 2, 12, 0))
    assert selection.since == datetime(2026, 11, 1, tzinfo=UTC)
    assert selection.until == datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    assert selection.describe() == {"since": "2026-11-01T00:00:00.000000Z", "until": "2026-11-02T12:00:00.000000Z"}


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"since": "last tuesday"}, "Write it as 2026-11-01"),
        ({"since": "2026-11-02", "until": "2026-11-01"}, "until"),
        ({"use_case": "  "}, "Leave it out"),
        ({"model": ""}, "Leave it out"),
    ],
)
def test_when_filter_is_unusable_then_error_says_what_to_write(filters: dict[str, str], message: str) -> None:
    with pytest.raises(BundleError, match=message):
        record_filter(**filters)


def test_when_filter_built_directly_then_frozen() -> None:
    selection = RecordFilter(use_case="churn")
    with pytest.raises(AttributeError):
        selection.use_case = "other"  # type: ignore[misc]
