"""Recognizer for PHONE_NUMBER: digit runs found by a cheap pattern, then judged with libphonenumber and context.

International numbers (`+41 53 147 37 99`, `0044 20 7946 0958`) count when their country code is known and their
length possible there. National numbers count when libphonenumber finds them possible in one of `REGIONS` and
they are written in groups (`96 466712`, `(0161) 496 0066`, `650-752-7354x549`); a bare run of digits, or one
grouped in threes like a count (`730 064 218`), needs a context word such as "phone" or "tel". Words such as
"version", "order", "port" or "rows" next to the number lower the score below the threshold.
"""

from __future__ import annotations

import re

import phonenumbers
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.cards import is_card_number
from jupyter_aigov.redaction.nearby import words_after, words_before

PHONE_NUMBER = "PHONE_NUMBER"

# Regions whose national formats are tried, in order: where the package's users and their customers write from.
REGIONS: tuple[str, ...] = (
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "BE", "CH", "AT", "PT", "BR", "MX", "CA", "AU", "NZ", "IE", "IN",
    "PL", "CZ", "SK", "HU", "RO", "BG", "HR", "SI", "GR", "TR", "RU", "UA", "SE", "NO", "DK", "FI", "EE", "LV",
    "LT", "IL", "JP", "KR", "CN", "TW", "HK", "SG", "ID", "TH", "VN", "PH", "MY", "ZA", "NG", "KE", "AR", "CO",
)  # fmt: skip

_SEPARATOR = r"(?:/ |[ .\-/]|\)[ .\-]?|[ .\-]?\()"
# "x549", "ext. 12", "Ext. 4451", "extn. 5154", RFC 3966's ";ext=4531".
_EXTENSION = r"(?:(?:\s?(?i:x|ext\.?|extn\.?|extension|#)\s?|;ext=)(?P<ext>\d{1,6}))"
# One written number: an optional + or (, groups of digits joined by single separators, an optional extension.
_CANDIDATE = re.compile(
    # not inside a word, a number, a path or an IBAN's groups ("NL74 YSMX 1021 0636 43")
    r"(?<![\w+./:#=-])(?<!\d[, .-])(?<![A-Z]{4} )"
    rf"(?:\+\s?\(?|\(\+?)?\d+(?:{_SEPARATOR}\d+){{0,7}}\)?{_EXTENSION}?(?![\w]|[.:/-]?\d)"
)
_DATE = re.compile(r"\d{4}([-/.])\d{1,2}\1\d{1,2}|\d{1,2}([-/.])\d{1,2}\2(?:\d{4}|\d{2})")
_VERSION = re.compile(r"\d{1,3}\.\d{1,2}(?:\.\d{1,3})+\b.*")  # "7.3.0 (4021)": a release and its build
# Shapes of other numbers: a US SSN (3-2-4), Brazilian and Portuguese postcodes (5-3, 4-3), a US ZIP+4.
_OTHER_SHAPES = re.compile(r"\d{3}([- ])\d{2}\1\d{4}|\d{4,5}-\d{3}|\d{5}-\d{4}")
_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")  # an IPv4 address
_COUNT = re.compile(r"[1-9]\d{0,2}(?: \d{3})+")  # "1 234 567": a number written with thin-space thousands

_PHONE_WORDS_TEXT = (
    "phone phones telephone tel tél tlf tfn telefon telefono teléfono telefone telefoon puhelin cell cellphone "
    "mobile mob móvil handy portable cellulare celular fax call called calling ring dial whatsapp sms text "
    "number numero número nummer reach contact hotline helpline"
)
PHONE_WORDS = frozenset(_PHONE_WORDS_TEXT.split())
_NOT_PHONE_WORDS_TEXT = (
    "version versions build release id ids order orders invoice invoices port ports pid row rows record records "
    "item items byte bytes kb mb gb seconds step steps epoch epochs seed commit sha hash isbn issn ean "
    "account iban swift bic tracking ticket case ref reference sku serial batch points users samples parameters "
    "params tokens tests lines page pages total sum count amount balance price usd eur chf gbp"
)
NOT_PHONE_WORDS = frozenset(_NOT_PHONE_WORDS_TEXT.split())
CONTEXT_BOOST = 0.35
# A table whose header names a phone column ("phone", "tel_no") lends its rows a little context.
_PHONE_HEADER = re.compile(r"(?i)(?<![^\W_])(?:phone|telephone|tel|mobile|cell|fax)(?:_?(?:number|no|nr))?(?![^\W_])")
HEADER_BOOST = 0.2


def _score_shape(text: str, digits: str, ext: str | None) -> float:
    """The score of a candidate from its shape and libphonenumber alone, 0 when it is not a phone number."""
    international = text.startswith(("+", "(+")) or (digits.startswith("00") and not digits.startswith("000"))
    if international:
        e164 = "+" + (digits[2:] if digits.startswith("00") and not text.startswith(("+", "(+")) else digits)
        try:
            number = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException:
            return 0.0
        if phonenumbers.is_valid_number(number):
            return 0.85
        return 0.7 if phonenumbers.is_possible_number(number) else 0.0
    if not 7 <= len(digits) <= 13:
        return 0.0
    grouped = len(re.findall(r"\d+", text)) > 1 or ext is not None
    national = re.sub(r"\D", "", text)
    possible = False
    for region in REGIONS:
        number = phonenumbers.parse(national, region)
        if phonenumbers.is_possible_number(number):
            possible = True
            break
    if not possible:
        return 0.0
    if not grouped:
        # a national number written whole ("0703848486") still shows its trunk 0; an identifier seldom does
        return 0.5 if re.fullmatch(r"0[1-9]\d{7,10}", digits) else 0.3
    if _COUNT.fullmatch(text):
        return 0.3
    return 0.6


def find_phones(text: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of every phone number in `text`, scores lowered by anti-context and raised by context."""
    found = []
    header = _PHONE_HEADER.search(text) is not None
    for match in _CANDIDATE.finditer(text):
        written = match.group()
        ext = match.group("ext")
        main = written[: match.start("ext") - match.start()] if ext else written
        digits = re.sub(r"\D", "", main)
        if (
            len(digits) < 7
            or _DATE.fullmatch(main)
            or _DOTTED_QUAD.fullmatch(main)
            or _VERSION.match(main)
            or _OTHER_SHAPES.fullmatch(main)
            or (text[match.end() : match.end() + 1] == ":")
        ):
            continue
        if re.match(r"\d{4}[ -]\d", main) and is_card_number(digits):
            continue  # a card number in groups of four, which the card recognizer reports
        score = _score_shape(main.strip(), digits, ext)
        if score == 0.0:
            continue
        before = words_before(text, match.start())
        against = (words_before(text, match.start(), names=False) | words_after(text, match.end(), names=False)) & (
            NOT_PHONE_WORDS
        )
        if before & PHONE_WORDS and not (against and not words_before(text, match.start(), 16) & PHONE_WORDS):
            score = min(1.0, score + CONTEXT_BOOST)
        elif against:
            score = min(score, 0.3)
        elif header:
            score = min(1.0, score + HEADER_BOOST)
        found.append((match.start(), match.end(), score))
    return found


class PhoneNumberRecognizer(EntityRecognizer):
    """Phone numbers in international and national formats of many regions, with extensions."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[PHONE_NUMBER], name="AigovPhoneRecognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load: libphonenumber's metadata loads on first use."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find phone numbers in `text`."""
        if PHONE_NUMBER not in entities:
            return []
        return [RecognizerResult(PHONE_NUMBER, start, end, score) for start, end, score in find_phones(text)]
