"""Card numbers: IIN ranges and Luhn for every length 12-19, grouped or whole; identifiers left alone."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.card_ranges import CUED_RANGES
from jupyter_aigov.redaction.cards import find_cards, luhn_valid, network_of


@pytest.mark.parametrize(
    ("text", "network"),
    [
        ("card 2243150983930104", "Mastercard"),  # the 2-series
        ("card 4841241182449353489", "Visa"),  # 19 digits
        ("card 4111 1111 1111 1111", "Visa"),
        ("card 3782-822463-10005", "American Express"),
        ("card 6011 0009 9013 9424", "Discover"),
        ("card 30569309025904", "Diners Club"),
        ("card 3530111333300000", "JCB"),
        ("card 675982610627", "Maestro"),  # 12 digits
        ("card 2200 2401 2345 6788", "Mir"),
        ("card 4453 5144 8058 8", "Visa"),  # 13 digits, 4-4-4-1
        ("card 1464 21164 119524", "UATP"),  # 15 digits from 1: only with a card word near
    ],
)
def test_when_a_card_number_of_any_network_is_written_then_it_is_found(text: str, network: str) -> None:
    [(start, end, score)] = find_cards(text)
    digits = text[start:end].replace(" ", "").replace("-", "")
    assert (start, end) == (5, len(text))
    assert network in (network_of(digits), network_of(digits, CUED_RANGES)) and score >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "ts=1700000000123456 and 1700000000123",  # timestamps: no network starts with 1
        "request 146421164119524 done",  # UATP's shape without a card word
        "Python 3.11.4, numpy 1.26.4, build 20240501.3",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
        "id 550e8400-e29b-41d4-a716-446655440000",
        "4111111111111112",  # Luhn fails
        "41111111111111111111",  # 20 digits
        "3.14159265358979323",  # a decimal
    ],
)
def test_when_a_number_is_not_a_card_then_nothing_is_found(text: str) -> None:
    assert find_cards(text) == []


def test_when_an_identifier_word_precedes_a_luhn_valid_number_then_its_score_is_below_the_threshold() -> None:
    [(_, _, score)] = find_cards("order id 4111111111111111")
    assert score < 0.5
    [(_, _, score)] = find_cards("order paid by card 4111111111111111")
    assert score >= 0.5


@pytest.mark.parametrize(("digits", "valid"), [("79927398713", True), ("79927398710", False), ("0", True)])
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid
