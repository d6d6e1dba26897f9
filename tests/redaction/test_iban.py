"""IBAN_CODE by check digits: whole, grouped, cut back to the valid part, wrong national lengths, look-alikes."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction import DetectionEngine
from jupyter_aigov.redaction.iban import find_ibans, valid_iban


def found(text: str) -> list[str]:
    return [text[start:end] for start, end in find_ibans(text)]


@pytest.mark.parametrize(
    "iban",
    [
        "DE89370400440532013000",
        "DE89 3704 0044 0532 0130 00",
        "GB29NWBK60161331926819",
        "NO9386011117947",  # the shortest, 15
        "FR14 2004 1010 0505 0001 3M02 606",
        "GB86AVBI8662251247987",  # check digits valid, one digit short for Britain: still an account number
    ],
)
def test_when_an_iban_is_written_whole_or_grouped_then_it_is_found(iban: str) -> None:
    assert found(f"Please pay to {iban} by Friday.") == [iban]


def test_when_a_grouped_iban_is_followed_by_a_short_upper_case_word_then_the_word_is_left_out() -> None:
    assert found("IBAN DE89 3704 0044 0532 0130 00 OK thanks") == ["DE89 3704 0044 0532 0130 00"]


@pytest.mark.parametrize(
    "text",
    [
        "DE89370400440532013001 is off by one in the last digit",
        "ZZ89370400440532013000 has no such country",
        "AB12CD34EF56GH78 is a build id",
        "sha AB12 CDEF 3456 7890 ABCD",
        "GB29NWBK6016133192681 is one character short and fails the check",
    ],
)
def test_when_check_digits_fail_or_the_country_is_unknown_then_nothing_is_found(text: str) -> None:
    assert found(text) == []


def test_when_the_length_is_outside_13616_then_it_is_not_valid() -> None:
    assert not valid_iban("DE8937040044")
    assert valid_iban("DE89370400440532013000")


def test_when_the_engine_analyses_an_iban_then_it_reports_iban_code(pattern_engine: DetectionEngine) -> None:
    text = "Refund to GB86AVBI8662251247987 please"
    assert [(f.entity, text[f.start : f.end]) for f in pattern_engine.analyze(text, {"IBAN_CODE"})] == [
        ("IBAN_CODE", "GB86AVBI8662251247987")
    ]
