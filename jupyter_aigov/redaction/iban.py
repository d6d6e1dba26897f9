"""Recognizer for IBAN_CODE: an ISO 3166 country code, two check digits and a national account number, by ISO 13616.

The check digits decide (mod 97 = 1, a 1-in-97 chance for anything else), whether the number is written whole
or in groups of four. The national length is not enforced: a number with valid check digits is redacted even
when its length is wrong for its country, since it is still someone's account number as typed.
"""

from __future__ import annotations

import re
from functools import cache

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

IBAN = "IBAN_CODE"
MIN_LENGTH, MAX_LENGTH = 15, 34  # Norway's 15 to Saint Lucia's 32 (ISO 13616 allows 34)
_WHOLE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}(?![A-Za-z0-9])")
# Grouped in fours (spaces or dashes); the last group may be shorter; a longer run is cut back to a valid number.
_GROUPED = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ -][A-Z0-9]{4}){2,7}(?:[ -][A-Z0-9]{1,3})?(?![A-Za-z0-9])")


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (pycountry's data), plus Kosovo's XK, which has IBANs."""
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries) | {"XK"}


def valid_iban(compact: str) -> bool:
    """True when `compact` (no separators) has a known country, a plausible length and valid check digits."""
    if not MIN_LENGTH <= len(compact) <= MAX_LENGTH or compact[:2] not in country_codes():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def find_ibans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each IBAN in `text`; for a grouped one, the longest prefix of whole groups that checks."""
    found: list[tuple[int, int]] = []
    for match in _WHOLE.finditer(text):
        if valid_iban(match.group()):
            found.append(match.span())
    for match in _GROUPED.finditer(text):
        value = match.group()
        cuts = [i for i, c in enumerate(value) if c in " -"] + [len(value)]
        for end in reversed(cuts):
            if valid_iban(re.sub(r"[ -]", "", value[:end])):
                found.append((match.start(), match.start() + end))
                break
    return found


class CheckDigitIbanRecognizer(EntityRecognizer):
    """IBAN_CODE by ISO 13616 check digits, whole or grouped."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[IBAN], name="AigovIbanRecognizer", supported_language="en")

    def load(self) -> None:
        """Country codes load on first use (pycountry's data)."""
        country_codes()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find IBANs in `text`."""
        if IBAN not in entities:
            return []
        return [RecognizerResult(IBAN, start, end, 1.0) for start, end in find_ibans(text)]
