"""US_SSN as nine bare digits after a social-security word; delimited forms stay Presidio's."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction import DetectionEngine


def ssns(engine: DetectionEngine, text: str) -> list[str]:
    return [text[f.start : f.end] for f in engine.analyze(text, {"US_SSN"})]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Card ending 1234, SSN 230016234. I'm Kristina", ["230016234"]),
        ('"ssn": ["454 78 8120", "058023537", "694420406"]', ["454 78 8120", "058023537", "694420406"]),
        ("Social Security Number: 123456789", ["123456789"]),
        ("name,ssn,city\nAna Ruiz,123456789,Lyon\nBo Li,234567890,Oslo", ["123456789", "234567890"]),
        ("SSN 230-01-6234", ["230-01-6234"]),
    ],
)
def test_when_nine_digits_follow_a_social_security_word_then_they_are_found(
    pattern_engine: DetectionEngine, text: str, expected: list[str]
) -> None:
    assert ssns(pattern_engine, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 230016234 shipped",  # no social-security word
        "SSN 666123456 is never issued",  # area 666
        "SSN 900123456 is an ITIN range",  # area 9xx
        "SSN 123006789 has group 00",
        "SSN 123450000 has serial 0000",
        "230016234 rows; the ssn column is empty",  # the word comes after
        "ssn hash 1234567890123",  # more than nine digits
    ],
)
def test_when_nine_digits_lack_the_word_or_could_not_be_issued_then_nothing_is_found(
    pattern_engine: DetectionEngine, text: str
) -> None:
    assert ssns(pattern_engine, text) == []
