"""Recognizer for CREDIT_CARD: 12 to 19 digits, plain or in groups, in a network's IIN range and Luhn-valid."""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.card_ranges import CUED_RANGES, IIN_RANGES
from jupyter_aigov.redaction.nearby import words_before

CREDIT_CARD = "CREDIT_CARD"

# A run of 12-19 digits, or groups of 2-6 digits joined by one repeated space or dash ("4111 1111 1111 1111",
# "3782-822463-10005"); never part of a longer number, a decimal, a version or an identifier.
_CANDIDATE = re.compile(r"(?<![\w.,+/-])(?:\d{12,19}|\d{4}([ -])\d{2,6}(?:\1\d{2,6}){0,2}\1\d{1,6})(?![\w]|[.,/-]\d)")
# Words that make a Luhn-valid number an identifier or a measurement rather than a card, unless a card word is near.
_NOT_CARD_WORDS_TEXT = (
    "id ids order invoice build seed ts timestamp epoch step steps row rows records pid port version commit "
    "ticket tracking isbn ean gtin imei serial sku"
)
_NOT_CARD_WORDS = frozenset(_NOT_CARD_WORDS_TEXT.split())
_CARD_WORDS_TEXT = (
    "card cards credit debit visa mastercard amex maestro discover jcb diners unionpay cc pan payment pay paid "
    "charged charge kreditkarte karte carte tarjeta cartão carta uatp cardholder"
)
_CARD_WORDS = frozenset(_CARD_WORDS_TEXT.split())
SCORE = 0.9
SCORE_AGAINST_CONTEXT = 0.3


def luhn_valid(digits: str) -> bool:
    """True when the last digit is the ISO/IEC 7812 (Luhn) check digit of the others."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def network_of(digits: str, ranges: tuple[tuple[str, str, str, tuple[int, ...]], ...] = IIN_RANGES) -> str | None:
    """The network whose IIN range and lengths admit `digits`, or None."""
    for network, first, last, lengths in ranges:
        if len(digits) in lengths and first <= digits[: len(first)] <= last:
            return network
    return None


def is_card_number(digits: str) -> bool:
    """True when `digits` (digits only) are 12-19 long, in a network's range, and Luhn-valid."""
    return 12 <= len(digits) <= 19 and network_of(digits) is not None and luhn_valid(digits)


def find_cards(text: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of every card number in `text`."""
    found = []
    for match in _CANDIDATE.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        near = words_before(text, match.start())
        cued = near & _CARD_WORDS and network_of(digits, CUED_RANGES) is not None and luhn_valid(digits)
        if not cued and not is_card_number(digits):
            continue
        score = SCORE_AGAINST_CONTEXT if near & _NOT_CARD_WORDS and not near & _CARD_WORDS else SCORE
        found.append((match.start(), match.end(), score))
    return found


class CardNumberRecognizer(EntityRecognizer):
    """Payment card numbers of every network and length, replacing Presidio's CreditCardRecognizer."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[CREDIT_CARD], name="AigovCardRecognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load: the IIN table is a module constant."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find card numbers in `text`."""
        if CREDIT_CARD not in entities:
            return []
        return [RecognizerResult(CREDIT_CARD, start, end, score) for start, end, score in find_cards(text)]
