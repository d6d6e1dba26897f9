"""Which records an export keeps: a time range, a use case, a model (glob over "model" or "provider/model")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from fnmatch import fnmatchcase
from typing import Any

from aigov_core.errors import BundleError
from aigov_core.evidence.timestamps import parse_ts


@dataclass(frozen=True)
class RecordFilter:
    """Keep records with ``since <= ts < until``, of ``use_case``, calling a model matching ``model``."""

    since: datetime | None = None
    until: datetime | None = None
    use_case: str | None = None
    model: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when every record is kept: the log is then copied as it is, byte for byte."""
        return self.since is None and self.until is None and self.use_case is None and self.model is None

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Whether ``record`` is kept; a record without the field a filter asks about is not."""
        if self.since is not None or self.until is not None:
            moment = parse_ts(record.get("ts"))
            if moment is None:
                return False
            if self.since is not None and moment < self.since:
                return False
            if self.until is not None and moment >= self.until:
                return False
        if self.use_case is not None and record.get("use_case") != self.use_case:
            return False
        if self.model is not None:
            model = record.get("model")
            if not isinstance(model, str):
                return False
            qualified = f"{record.get('provider')}/{model}"
            if not (fnmatchcase(model, self.model) or fnmatchcase(qualified, self.model)):
                return False
        return True

    def describe(self) -> dict[str, str]:
        """The filters given, as JSON-ready text (empty when the export keeps everything)."""
        described = {
            "since": _rfc3339(self.since),
            "until": _rfc3339(self.until),
            "use_case": self.use_case,
            "model": self.model,
        }
        return {key: value for key, value in described.items() if value is not None}


def record_filter(
    since: str | date | datetime | None = None,
    until: str | date | datetime | None = None,
    use_case: str | None = None,
    model: str | None = None,
) -> RecordFilter:
    """A filter from what a user typed: dates or RFC 3339 times (UTC unless they say otherwise)."""
    start = _moment(since, "since")
    end = _moment(until, "until")
    if start is not None and end is not None and end <= start:
        raise BundleError(
            f"The time range is empty: until ({_rfc3339(end)}) is not after since ({_rfc3339(start)}). "
            "Give an until later than since."
        )
    return RecordFilter(start, end, _text(use_case, "use_case"), _text(model, "model"))


def _moment(value: str | date | datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), UTC)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise BundleError(
            f"{name}={value!r} is not a date or time. Write it as 2026-11-01 or 2026-11-01T09:30:00Z."
        ) from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        raise BundleError(f"{name} is empty. Leave it out to keep every {name.replace('_', ' ')}.")
    return text


def _rfc3339(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
