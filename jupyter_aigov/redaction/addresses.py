"""Recognizer for LOCATION in postal addresses: street lines, postcode lines and whole postal blocks, per locale.

A street line is a house number with a street type ("690 Sanchez Union Suite 625", "Stettlerstrasse 14",
"435, rue de Samson", "ul. Jana 783"); a postcode line a country's postcode format next to a town ("83449
Oberviechtach", "Lake Laura, NS P2Y 8P9", "SR08 7UX"). Lines of one block (a unit, a district, the country after a
line break) join the span, so a postal block is one finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.address_words import (
    CYRILLIC_ABBREVIATIONS,
    CYRILLIC_KINDS,
    ENGLISH_LOOKING_TYPES,
    PO_BOXES,
    SECONDARY_WORDS,
    STREET_ENDINGS,
    STREET_TYPES_AFTER,
    STREET_TYPES_BEFORE,
    UNIT_WORDS,
    VIETNAMESE_KINDS,
)
from jupyter_aigov.redaction.letters import CAPITALS, CYRILLIC_CAPITALS
from jupyter_aigov.redaction.places import LOCATION, Gazetteer
from jupyter_aigov.redaction.text_views import postal_view

_CYRILLIC_CAP = CYRILLIC_CAPITALS
_CAP = CAPITALS
_NAME = rf"[{_CAP}][^\W\d_]*(?:[-'\u2019.][^\W\d_]+)*\.?"
_PARTICLE = (
    r"(?:de|del|della|dei|di|da|do|dos|das|du|des|la|le|les|l'|d'|van|von|der|den|het|y|e|i|sv\.|al|el|"
    r"an|am|im|bei|ob|sur|sous|en|on|upon|na|nad|pod)"
)
# Names joined by spaces only: a hyphen belongs to _NAME ("Sforza-Raurica", "Dagsburg-de Boer"); letting it join
# names too made "Abc-Abc-..." splittable in exponentially many ways (400 characters took 11 s).
_NAMES = rf"{_NAME}(?: (?:{_PARTICLE} )*{_NAME}){{0,4}}"
_NUMBER = r"\d{1,5}[A-Za-z]?(?:\s?[-/]\s?\d{1,5}[A-Za-z]?)?"
_UNITS = "|".join(re.escape(u) for u in sorted(UNIT_WORDS, key=len, reverse=True))
_UNIT_HEAD = rf"(?:(?:{_UNITS})\s?#?\s?\d{{1,5}}[A-Za-z]?,?\s)?"
_UNIT_TAIL = rf"(?:\s?,?\s(?:{_UNITS})\s?#?\s?[\w-]{{1,6}})*"
_AFTER = "|".join(sorted(STREET_TYPES_AFTER, key=len, reverse=True))
_BEFORE = "|".join(sorted(STREET_TYPES_BEFORE, key=len, reverse=True))
# Types that are also everyday English words ("via email 2", "place 3") count only when capitalised.
_BEFORE_LOWER = "|".join(sorted(STREET_TYPES_BEFORE - ENGLISH_LOOKING_TYPES, key=len, reverse=True))
# A word and a house number: the candidates for a compound street name ("Stettlerstrasse 14", "Házai utca 235.").
_WORD_AND_NUMBER = re.compile(rf"(?<![\w.-])(?P<word>[^\W\d_][\w'.-]*?),?\s{_NUMBER}\b\.?{_UNIT_TAIL}")
_NAME_BEFORE = re.compile(rf"(?:{_NAME} )+$")
_POSTCODE_AHEAD = r"\d{4,5}|\d{3} \d{2}|\d{2}-\d{3}|\d{4}-\d{3}|\d{4} ?[A-Z]{2}\b|[A-Z]-\d{4,5}"

STREET_LINES = (
    # English: number, name, type, units ("690 Sanchez Union Suite 625", "Apt. 029 81 Davis Crossroad").
    re.compile(rf"(?<![\w.,-]){_UNIT_HEAD}{_NUMBER},?\s(?:{_NAME}\s){{1,4}}(?:{_AFTER})\b\.?{_UNIT_TAIL}"),
    # A unit, then a street without a house number ("Flat 22, Victoria Junctions", "H.No. 045, Dutt Path").
    re.compile(rf"(?<![\w.,-])(?:{_UNITS})\s?#?\s?\d{{1,5}}[A-Za-z]?,\s(?:{_NAME}\s){{1,4}}(?:{_AFTER})\b"),
    # A post-office box ("PO Box 44", "Postfach 10 02 31", "Caixa Postal 512").
    re.compile(rf"(?<![\w.-])(?:{PO_BOXES})\s\d{{1,6}}(?:\s\d{{2}}){{0,2}}\b"),
    # Colombia's grid addresses: a way and its number, "#", the crossing and the distance ("Cl. 60 # 6-2 Sur").
    re.compile(
        r"(?<![\w.-])(?:Calle|Cl\.|Cll\.|Carrera|Cra\.|Cr\.|Kr\.|Transversal|Tv\.|Tr\.|Diagonal|Dg\.|Avenida|Av\.|Ak\.|Ac\.)"
        r"(?:\s(?i:calle|carrera))?\s\d{1,3}[A-Z]?ª?(?:\s?Bis)?(?:\s[A-Z])?(?:\s(?:Sur|Este|Norte|Oeste))?"
        r"\s?(?:#|No\.?|N[º°])\s?\d{1,3}[A-Z]?(?:\s?Bis)?-\d{1,3}(?:\s(?:Sur|Este|Norte|Oeste))?"
    ),
    # Type first, with a number before or after ("435, rue de Samson", "Via Roma 12", "ulica Kosynierów 07").
    re.compile(
        rf"(?<![\w.,-])(?:\d{{1,5}}[A-Za-z]?,?\s(?i:{_BEFORE})\.?\s(?:{_PARTICLE}\s)*{_NAMES}"
        rf"|(?:(?=[{_CAP}])(?i:{_BEFORE})|(?:{_BEFORE_LOWER})|(?:ul|al|os|pl|nám|str|bd)\.)\.?\s(?:{_PARTICLE}\s)*"
        rf"{_NAMES},?\s(?:(?i:n[º°o]?\.|nr\.)\s?)?(?:{_NUMBER}(?:\s\d{{1,4}}\b)?|S/N)\b\.?){_UNIT_TAIL}"
    ),
    # Any name and number, when a postcode and town follow ("Bakkenplassen 8, 5867 Pettersen", "Πέττα 69,").
    re.compile(rf"(?<![\w.-]){_NAMES},?\s{_NUMBER}\b\.?,*(?=,?\s*\n?(?:{_POSTCODE_AHEAD}),?\s[{_CAP}])"),
    # A flat or house number on its own line ("Flat 3", "Studio 78Y", "H.No. 670").
    re.compile(r"(?m)^(?:Flat|Studio|Apartment|Apt\.?|Suite|Unit|H\.\s?No\.)\s?\d{1,5}[A-Za-z]?(?:/\d+)?$"),
    # An Irish Eircode and the town after it ("X87X50N Nicole Ville").
    re.compile(rf"\b[AC-FHKNPRTV-Y]\d{{2}} ?[AC-FHKNPRTV-Y\d]{{4}}\b(?: {_NAMES})?"),
    # US military post.
    re.compile(r"\b(?:PSC|Unit|USNS|USNV|USS|USCGC) [\w ]{1,20}, Box \d{3,5}"),
    # Cyrillic settlement and street kinds before a capitalised name or a number.
    re.compile(
        rf"(?<!\w)(?:(?:{'|'.join(CYRILLIC_ABBREVIATIONS)})\.\s?|(?:{'|'.join(CYRILLIC_KINDS)})\s)"
        rf"(?:[{_CYRILLIC_CAP}][\w-]*|\d{{1,4}}\w?)(?:\s[{_CYRILLIC_CAP}][\w-]*)?"
    ),
    # Vietnamese administrative and street words, up to the next comma or line.
    re.compile(
        rf"(?i:{'|'.join(re.escape(k) for k in VIETNAMESE_KINDS)})\s[\w/]+(?:\s[\w/]+){{0,7}}(?=\s*(?:[,\n]|$))"
    ),
    # CJK and Korean addresses: a run that names two administrative levels, or one with a number
    # ("新潟県墨田区天神島15丁目", "강원특별자치도 고성군 석촌호수825로 818").
    re.compile(
        r"[\u4e00-\u9fff\u3040-\u30ff]*[\u4e00-\u9fff](?:都|道|府|県|省|市|区|區|县|縣)"
        r"[\u4e00-\u9fff\u3040-\u30ff\w-]*?(?:[都道府県省市区區县縣町村郡镇鎮街路号號]|丁目|\d)[\u4e00-\u9fff\u3040-\u30ff\w-]*"
    ),
    re.compile(r"[가-힣]+(?:도|시)\s[가-힣]+(?:시|군|구)(?:\s[가-힣\d]+(?:로|길|동|읍|면)(?:\s[\d-]+)?)?"),
)

_POSTCODE = (
    r"\d{4} ?[A-Z]{2}(?![\w])|(?:[A-Z]{1,2}-)?\d{4,5}|\d{3} \d{2}|\d{2}-\d{3}|\d{4}-\d{3}|\d{5}-\d{3}|\d{6}|"
    r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d"
)
_STATE = r"[A-Z]{2,4}"
# A town starts where a word does, never inside "a-b-c": else each of a long chain's letters starts a scan of it.
POSTCODE_LINES = (
    # Postcode, then town ("83449 Oberviechtach", "483 53 Tanvald", "19011, Bonassola (SP)").
    re.compile(
        rf"(?:(?<=\n)|(?<=^)|(?<=, ))(?P<code>{_POSTCODE}),?\s(?P<town>{_NAMES})(?:\s\([A-Z]{{2}}\))?(?: / [A-Z]{{2}})?"
    ),
    # Town, state, postcode ("Christopherhaven, CT 21957", "Lake Laura, NS P2Y 8P9", "Valladolid, 31120", "Bekasi,
    # Sumatera Utara 26820").
    re.compile(
        rf"(?<![\w'\u2019.-])(?P<town>{_NAMES}),\s(?:(?P<state>{_STATE}),?\s|(?P<region>{_NAMES})\s)?"
        rf"(?P<code>\d{{4,6}}(?:-\d{{4}})?|[A-Z]\d[A-Z] ?\d[A-Z]\d)\b"
    ),
    # Town and Indian PIN code ("Rourkela 783577", "Kulti-646331").
    re.compile(rf"(?<![\w'\u2019.-])(?P<town>{_NAMES})[ -](?P<code>[1-9]\d{{5}})\b"),
    # Brazil's CEP without its dash, a town and the state ("80728746 Azevedo de Goiás / PE").
    re.compile(rf"(?<![\w-])(?P<code>\d{{8}})\s(?P<town>{_NAMES}) / [A-Z]{{2}}\b"),
    # Postcodes that are unmistakable alone: the UK's and Canada's, US military ones.
    re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|[A-Z]\d[A-Z] \d[A-Z]\d|(?:APO|FPO|DPO) (?:AA|AE|AP) \d{5})\b"),
)
# Lines that belong to a postal block but say nothing alone: a town and a four-digit code ("Meredithside 9763"), a
# secondary line ("RD 2", "Bodega 85", "Etapa 5 apartamento 22"), a postcode alone on its line ("810916").
_SECONDARY = "|".join(re.escape(w) for w in SECONDARY_WORDS)
WEAK_LINES = (
    re.compile(rf"(?<![\w'\u2019.-])(?P<town>{_NAMES}) (?P<code>\d{{4}})\b(?![.,:/-]\d)"),
    re.compile(
        rf"(?<![\w.-])(?:{_SECONDARY})\s?\d{{1,5}}[A-Za-z]?(?:\s(?i:apartamento|apto\.?|piso|oficina)\s\d{{1,5}})?\b"
    ),
    re.compile(r"(?m)^\d{4,6}$"),
)
# A postal block announced by its label: "Ship to:" (a name, then the address), "new address:" (the address).
_BLOCK_LABEL = re.compile(
    r"(?im)(?<![\w-])(?<!e-mail )(?<!email )(?<!ip )(?<!mac )(?<!web )"
    r"(?:(?P<named>ship to|bill to|deliver to|sold to|mail to)"
    r"|(?:postal |mailing |home |new |billing |shipping )?address)"
    r"[ \t]*:[ \t]*\n(?:[ \t]*\n)?"
)
_LABELLED_LINE = re.compile(r"[^\n:@]{2,60}")  # a line of the block: no label, no e-mail, not long
_LABELLED_LINES = 6
_BLOCK_LINE = re.compile(r"[^\n]{1,40}")  # a short line inside a block (a unit, a district)
_SEPARATOR = re.compile(r"[ \t,;]*\n?[ \t,;]*")  # commas and spaces, or the end of a line: never a blank line
SCORE = 0.75


def find_addresses(
    text: str, gazetteer: Gazetteer, nouns: frozenset[str] = frozenset(), other_words: frozenset[str] = frozenset()
) -> list[tuple[int, int]]:
    """(start, end) of every address in `text`, the lines of one postal block joined.

    A town after a postcode may not be an English verb or adjective ("Merge", "Plot"), and after a four-digit
    code (a year, too) not an English noun ("In 2023 Revenue"), unless the gazetteer knows it.
    """
    name_lines: list[tuple[int, int]] = []
    parts = _compound_streets(text) + list(_labelled_blocks(text, name_lines))
    for regex in STREET_LINES:
        parts.extend(m.span() for m in regex.finditer(text))
    places = {
        (start, end)
        for start, end, ambiguous in gazetteer.find(text)
        if not ambiguous and not any(a <= start and end <= b for a, b in name_lines)  # "Ship to:\nAna Oosterhout"
    }
    place_starts = {start for start, _ in places}

    def plausible(regex: re.Pattern[str], match: re.Match[str]) -> bool:
        with_state = "state" in regex.groupindex and match.group("state") is not None
        if "town" in regex.groupindex and match.start("town") not in place_starts and not with_state:
            first = match.group("town").split()[0].rstrip(".,").lower()
            short_code = re.fullmatch(r"\d{4}", match.group("code")) is not None
            if first in other_words or (short_code and first in nouns):
                return False
        return True

    for regex in POSTCODE_LINES:
        parts.extend(m.span() for m in regex.finditer(text) if plausible(regex, m))
    if not parts:
        return []
    weak = [m.span() for regex in WEAK_LINES for m in regex.finditer(text) if plausible(regex, m)]
    strong = [(start, end, True) for start, end in [*parts, *places]]
    blocks = _join_blocks(text, sorted(strong + [(start, end, False) for start, end in weak]))
    return [(start, end) for start, end, anchored in blocks if anchored and (start, end) not in places]


def _labelled_blocks(text: str, name_lines: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The lines of a postal block under a label ("Ship to:", "address:"), up to a blank line or a line that is
    not an address's (a "Tel.:" line, an e-mail, a long sentence); after "Ship to:" the first line is the name,
    added to `name_lines`."""
    if ":" not in text:
        return
    for label in _BLOCK_LABEL.finditer(text):
        position = label.end()
        skip = label.group("named") is not None
        for _ in range(_LABELLED_LINES + skip):
            line = _LABELLED_LINE.match(text, position)
            if line is None or text[line.end() : line.end() + 1] not in ("\n", ""):
                break
            if skip:
                name_lines.append(line.span())
            elif line.group().strip():
                yield line.start() + len(line.group()) - len(line.group().lstrip()), line.end()
            skip = False
            position = line.end() + 1


def _compound_streets(text: str) -> list[tuple[int, int]]:
    """Streets whose name ends in a street type, with their number; names written before the type join them."""
    found = []
    for match in _WORD_AND_NUMBER.finditer(text):
        if not match.group("word").lower().endswith(STREET_ENDINGS):
            continue
        start = match.start()
        if before := _NAME_BEFORE.search(text, max(0, start - 60), start):
            start = before.start()
        found.append((start, match.end()))
    return found


def _join_blocks(text: str, parts: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """Join parts separated only by commas and whitespace, or by one short line between two of them; a block is
    anchored when one of its parts is (a line that is an address by itself, or a known place)."""
    joined: list[tuple[int, int, bool]] = []
    for start, end, anchored in parts:
        if joined:
            last_start, last_end, last_anchored = joined[-1]
            gap = text[last_end:start]
            inner = gap.strip(" ,\n")
            if (
                start < last_end
                or _SEPARATOR.fullmatch(gap)
                or (gap.count("\n") == 2 and inner and _BLOCK_LINE.fullmatch(inner))
            ):
                joined[-1] = (last_start, max(end, last_end), anchored or last_anchored)
                continue
        joined.append((start, end, anchored))
    return joined


class AddressRecognizer(EntityRecognizer):
    """Street addresses and postal blocks."""

    def __init__(
        self, gazetteer: Gazetteer, nouns: frozenset[str] = frozenset(), other_words: frozenset[str] = frozenset()
    ) -> None:
        self.gazetteer = gazetteer
        self.nouns = nouns
        self.other_words = other_words
        super().__init__(supported_entities=[LOCATION], name="AigovAddressRecognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load: patterns compile at import, the gazetteer is built by the engine's loading thread."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find addresses in `text`."""
        if LOCATION not in entities:
            return []
        view = postal_view(text)  # quoted reply lines and addresses in capitals read as ordinary ones
        return [
            RecognizerResult(LOCATION, s, e, SCORE)
            for s, e in find_addresses(view, self.gazetteer, self.nouns, self.other_words)
        ]
