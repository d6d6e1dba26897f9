"""Recognizer for LOCATION in postal addresses: street lines, postcode lines and whole postal blocks, per locale.

A street line is a house number with a street type ("690 Sanchez Union Suite 625", "Stettlerstrasse 14",
"435, rue de Samson", "ul. Jana 783"); a postcode line a country's postcode format next to a town ("83449
Oberviechtach", "Lake Laura, NS P2Y 8P9", "SR08 7UX"). Lines of one block (a unit, a district, the country after a
line break) join the span, so a postal block is one finding.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.address_words import STREET_ENDINGS, STREET_TYPES_AFTER, STREET_TYPES_BEFORE, UNIT_WORDS
from jupyter_aigov.redaction.places import LOCATION, Gazetteer

_CAP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŸŹŻŽА-ЯЁІЇЄΑ-Ω"
_NAME = rf"[{_CAP}][^\W\d_]*(?:[-'\u2019.][^\W\d_]+)*\.?"
_PARTICLE = r"(?:de|del|della|dei|di|da|do|dos|das|du|des|la|le|les|l'|d'|van|von|der|den|het|y|e|i|sv\.|al|el)"
_NAMES = rf"{_NAME}(?:[ -](?:{_PARTICLE} )*{_NAME}){{0,4}}"
_NUMBER = r"\d{1,5}[A-Za-z]?(?:\s?[-/]\s?\d{1,5}[A-Za-z]?)?"
_UNITS = "|".join(re.escape(u) for u in sorted(UNIT_WORDS, key=len, reverse=True))
_UNIT_TAIL = rf"(?:,?\s(?:{_UNITS})\s?#?\s?[\w-]{{1,6}})*"
_AFTER = "|".join(sorted(STREET_TYPES_AFTER, key=len, reverse=True))
_BEFORE = "|".join(sorted(STREET_TYPES_BEFORE, key=len, reverse=True))
_ENDING = "|".join(re.escape(e) for e in sorted(STREET_ENDINGS, key=len, reverse=True))

_POSTCODE_AHEAD = r"\d{4,5}|\d{3} \d{2}|\d{2}-\d{3}|\d{4}-\d{3}|[A-Z]-\d{4,5}"
STREET_LINES = (
    # English: number, name, type, units ("690 Sanchez Union Suite 625", "12B Acacia Ave., Apt 3").
    re.compile(rf"(?<![\w.,-])\d{{1,6}}[A-Za-z]?\s(?:{_NAME}\s){{1,4}}(?:{_AFTER})\b\.?{_UNIT_TAIL}"),
    # Type first, with a number before or after ("435, rue de Samson", "Via Roma 12", "Rua do Peneireiro, 4").
    re.compile(
        rf"(?<![\w.,-])(?:\d{{1,5}}[A-Za-z]?,?\s(?i:{_BEFORE})\.?\s(?:{_PARTICLE}\s)*{_NAMES}"
        rf"|(?:(?=[{_CAP}])(?i:{_BEFORE})|(?:ul|al|os|pl|nám|str|bd)\.)\.?\s(?:{_PARTICLE}\s)*{_NAMES}"
        rf",?\s(?:n[º°o.]\s?)?(?:{_NUMBER}|S/N)\b\.?){_UNIT_TAIL}"
    ),
    # A compound street name and its number ("Stettlerstrasse 14", "Kvarngatan 40", "Házai utca 235.").
    re.compile(rf"(?<![\w.-])(?:{_NAMES}\s)?(?:[^\W\d_]+-)*[^\W\d_]*(?i:{_ENDING}),?\s{_NUMBER}\b\.?{_UNIT_TAIL}"),
    # Any name and number, when a postcode and town follow ("Bakkenplassen 8, 5867 Pettersen", "Πέττα 69,").
    re.compile(rf"(?<![\w.-]){_NAMES},?\s{_NUMBER}\b\.?,*(?=,?\s*\n?(?:{_POSTCODE_AHEAD}),?\s[{_CAP}])"),
    # US military post.
    re.compile(r"\b(?:PSC|Unit|USNS|USNV|USS|USCGC) [\w ]{1,20}, Box \d{3,5}"),
)

_POSTCODE = (
    r"(?:[A-Z]{1,2}-)?\d{4,5}|\d{3} \d{2}|\d{2}-\d{3}|\d{4}-\d{3}|\d{5}-\d{3}|\d{4} ?[A-Z]{2}|\d{6}|"
    r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d"
)
_STATE = r"[A-Z]{2,3}"
POSTCODE_LINES = (
    # Postcode, then town ("83449 Oberviechtach", "483 53 Tanvald", "19011, Bonassola (SP)").
    re.compile(
        rf"(?:(?<=\n)|(?<=^)|(?<=, ))(?P<code>{_POSTCODE}),?\s(?P<town>{_NAMES})(?:\s\([A-Z]{{2}}\))?(?: / [A-Z]{{2}})?"
    ),
    # Town, state, postcode ("Christopherhaven, CT 21957", "Lake Laura, NS P2Y 8P9", "Valladolid, 31120").
    re.compile(rf"(?P<town>{_NAMES}),\s(?:{_STATE},?\s)?(?P<code>\d{{4,5}}(?:-\d{{4}})?|[A-Z]\d[A-Z] ?\d[A-Z]\d)\b"),
    # Postcodes that are unmistakable alone: the UK's and Canada's, US military ones.
    re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|[A-Z]\d[A-Z] \d[A-Z]\d|(?:APO|FPO|DPO) (?:AA|AE|AP) \d{5})\b"),
)
_BLOCK_LINE = re.compile(r"[^\n]{1,40}")  # a short line inside a block (a unit, a district)
SCORE = 0.75


def find_addresses(text: str, gazetteer: Gazetteer, english: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """(start, end) of every address in `text`, the lines of one postal block joined."""
    parts: list[tuple[int, int]] = []
    for regex in STREET_LINES:
        parts.extend(m.span() for m in regex.finditer(text))
    places = {(start, end) for start, end, ambiguous in gazetteer.find(text) if not ambiguous}
    for regex in POSTCODE_LINES:
        for match in regex.finditer(text):
            if "town" in regex.groupindex:
                town_start, town_end = match.span("town")
                first = text[town_start:town_end].split()[0].lower()
                known = any(s <= town_start < e for s, e in places)
                if first in english and not known:
                    continue
            parts.append(match.span())
    if not parts:
        return []
    parts.extend(places)
    return [span for span in _join_blocks(text, sorted(parts)) if span not in places]


def _join_blocks(text: str, parts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join parts separated only by commas and whitespace, or by one short line between two of them."""
    joined: list[tuple[int, int]] = []
    for start, end in parts:
        if joined:
            gap = text[joined[-1][1] : start]
            if re.fullmatch(r"[\s,;]*", gap) or (
                gap.count("\n") == 2 and _BLOCK_LINE.fullmatch(gap.strip(" ,\n")) and gap.strip(" ,\n")
            ):
                joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
                continue
            if start < joined[-1][1]:
                joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
                continue
        joined.append((start, end))
    return joined


class AddressRecognizer(EntityRecognizer):
    """Street addresses and postal blocks."""

    def __init__(self, gazetteer: Gazetteer, english: frozenset[str] = frozenset()) -> None:
        self.gazetteer = gazetteer
        self.english = english
        super().__init__(supported_entities=[LOCATION], name="AigovAddressRecognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load: patterns compile at import, the gazetteer is built by the engine's loading thread."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find addresses in `text`."""
        if LOCATION not in entities:
            return []
        return [RecognizerResult(LOCATION, s, e, SCORE) for s, e in find_addresses(text, self.gazetteer, self.english)]
