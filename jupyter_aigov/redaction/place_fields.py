"""Recognizer for LOCATION by field name: the city, street or country of a record, in JSON, a dict, a form, XML,
a CSV or Markdown table, an SQL INSERT, or a printed DataFrame.

A value counts when its field or column is named for a place (`city`, `street`, `Country`, `address_line1`) and
it looks like a name: a capital followed by a small letter, or letters of a script without case ("Zürich",
"Vial Severo Pellicer 52", "東京"). Type names, placeholders and lower-case identifiers never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.places import LOCATION
from jupyter_aigov.redaction.records import XML_ELEMENT, printed_table_values

# Field names for places, compared after lower-casing and dropping everything but letters and digits.
_PLACE_FIELDS_TEXT = (
    "city town village municipality locality suburb street streetaddress street1 street2 address address1 address2 "
    "addressline addressline1 addressline2 addr line1 line2 country countryname state province region county "
    "district postcode postalcode zip zipcode location place office branch birthplace placeofbirth hometown "
    "residence destination origin ort stadt strasse straße land ville pays rue ciudad calle país cidade rua país"
)
PLACE_FIELDS = frozenset(_PLACE_FIELDS_TEXT.split())
# Values that are types, placeholders or the field's own name, not places.
_NOT_PLACES_TEXT = (
    "string str text varchar char int integer float double number bool boolean null none nan n/a na unknown "
    "object array list dict category date datetime true false optional required tbd todo example"
)
_NOT_PLACES = frozenset(_NOT_PLACES_TEXT.split())
_NAME_LIKE = re.compile(
    r"[A-ZÀ-ÖØ-ÞĀ-ž\u0400-\u042f\u0386-\u03a9][a-zß-öø-ÿĀ-ž\u0430-\u045f\u03ac-\u03ce]|[^\W\d_a-zA-Z]"
)
SCORE = 0.7

_QUOTED = re.compile(r"""["']?(?P<key>[A-Za-z_][\w -]{0,30}?)["']?\s*[:=]\s*(?P<q>["'])(?P<v>[^"'\n]{1,120})(?P=q)""")
_LISTED = re.compile(r"""["'](?P<key>[A-Za-z_][\w -]{0,30}?)["']\s*:\s*\[(?P<items>[^\]]{1,4000})\]""")
_ITEM = re.compile(r"""(?P<q>["'])(?P<v>[^"'\n]{1,120})(?P=q)""")
_FORM_LINE = re.compile(r"(?m)^[ \t]*(?P<key>[A-Za-z][\w ]{0,30}?)[ \t]*:[ \t]+(?P<v>[^\n\"'{}\[\]]{1,160}?)[ \t]*$")
_SQL_INSERT = re.compile(r"(?is)\((?P<cols>[\w\s,\"`]+)\)\s*VALUES\s*(?P<rows>(?:\s*,?\s*\((?:[^()']|'[^']*')*\))+)")
_SQL_ROW = re.compile(r"\((?P<row>(?:[^()']|'[^']*')*)\)")
_SQL_VALUE = re.compile(r"'(?P<v>[^']*)'|[^,\s][^,]*")
_DELIMITERS = (",", "\t", ";", "|")


def is_place_field(name: str) -> bool:
    """True when a field or column name names a place."""
    return re.sub(r"[\W_]", "", name.lower()) in PLACE_FIELDS


def looks_like_place(value: str) -> bool:
    """True when a value could be a place's name rather than a type, placeholder or identifier."""
    stripped = value.strip()
    if len(stripped) < 2 or stripped.lower() in _NOT_PLACES or is_place_field(stripped):
        return False
    if any(c in stripped for c in "[]{}<>=$`"):  # a type annotation, a template or code
        return False
    return _NAME_LIKE.search(stripped) is not None


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\"'":
        start += 1
    while end > start and text[end - 1] in " \t\"'\r":
        end -= 1
    return start, end


def _key_values(text: str) -> Iterator[tuple[int, int]]:
    for regex in (_QUOTED, XML_ELEMENT, _FORM_LINE):
        for match in regex.finditer(text):
            if is_place_field(match.group("key")) and looks_like_place(match.group("v")):
                yield match.span("v")
    for match in _LISTED.finditer(text):
        if is_place_field(match.group("key")):
            offset = match.start("items")
            for item in _ITEM.finditer(match.group("items")):
                if looks_like_place(item.group("v")):
                    yield offset + item.start("v"), offset + item.end("v")


def _cells(line: str, delimiter: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of a delimited line, honouring double quotes."""
    cells, start, quoted = [], 0, False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            cells.append((start, index))
            start = index + 1
    cells.append((start, len(line)))
    if delimiter == "|":  # a Markdown row opens and closes with a pipe
        if cells and not line[cells[0][0] : cells[0][1]].strip():
            cells = cells[1:]
        if cells and not line[cells[-1][0] : cells[-1][1]].strip():
            cells = cells[:-1]
    return cells


def _tables(text: str) -> Iterator[tuple[int, int]]:
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    index = 0
    while index < len(lines):
        header = lines[index]
        delimiter = next((d for d in _DELIMITERS if header.count(d) >= 2 - (d == "\t")), None)
        columns = []
        if delimiter is not None:
            names = [header[s:e].strip().strip("\"'") for s, e in _cells(header, delimiter)]
            columns = [n for n, name in enumerate(names) if is_place_field(name)]
        if not columns or delimiter is None:
            index += 1
            continue
        width = len(_cells(header, delimiter))
        row = index + 1
        while row < len(lines) and lines[row].count(delimiter) >= 1:
            cells = _cells(lines[row], delimiter)
            if len(cells) == width:
                for column in columns:
                    start, end = _trimmed(lines[row], *cells[column])
                    if looks_like_place(lines[row][start:end]):
                        yield offsets[row] + start, offsets[row] + end
            row += 1
        index = row


def _printed_frames(text: str) -> Iterator[tuple[int, int]]:
    """Place columns of a printed DataFrame."""
    for start, end in printed_table_values(text, is_place_field):
        if looks_like_place(text[start:end]):
            yield start, end


def _sql_inserts(text: str) -> Iterator[tuple[int, int]]:
    for match in _SQL_INSERT.finditer(text):
        names = [c.strip().strip('"`') for c in match.group("cols").split(",")]
        columns = {n for n, name in enumerate(names) if is_place_field(name)}
        if not columns:
            continue
        for row in _SQL_ROW.finditer(text, match.start("rows"), match.end("rows")):
            values = list(_SQL_VALUE.finditer(text, row.start("row"), row.end("row")))
            for column in columns:
                if column < len(values) and values[column].group("v") is not None:
                    value = values[column]
                    if looks_like_place(value.group("v")):
                        yield value.span("v")


def find_place_fields(text: str) -> list[tuple[int, int]]:
    """(start, end) of each value of a place field in `text`."""
    spans = set(_key_values(text))
    if "\n" in text:
        spans.update(_tables(text))
        spans.update(_printed_frames(text))
    if "VALUES" in text.upper():
        spans.update(_sql_inserts(text))
    return sorted(s for s in spans if s[0] < s[1])


class PlaceFieldRecognizer(EntityRecognizer):
    """Values of place fields and columns in structured text."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[LOCATION], name="AigovPlaceFieldRecognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load: the field names are a module constant."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find place values in `text`."""
        if LOCATION not in entities:
            return []
        return [RecognizerResult(LOCATION, start, end, SCORE) for start, end in find_place_fields(text)]
