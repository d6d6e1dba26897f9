"""Reading named fields out of XML elements and printed tables."""

from __future__ import annotations

from jupyter_aigov.redaction.records import XML_ELEMENT, printed_table_values

FRAME = (
    "                 name            city       phone\n"
    "0  Natalia G. Dumitrescu  Gilau            0264 012 345\n"
    "1  Maksymilian Berek  Wągrowiec  787 448 362\n"
    "\n"
    "Summarise these rows  for the team."
)


def _values(text: str, column: str) -> list[str]:
    return [text[s:e] for s, e in printed_table_values(text, lambda header: header == column)]


def test_when_a_table_is_printed_then_each_row_gives_the_cell_under_the_wanted_header() -> None:
    assert _values(FRAME, "name") == ["Natalia G. Dumitrescu", "Maksymilian Berek"]
    assert _values(FRAME, "city") == ["Gilau", "Wągrowiec"]


def test_when_a_row_has_no_index_or_a_cell_too_few_then_it_is_matched_or_skipped() -> None:
    text = "name  city\nAna Ruiz  Lima\nBen  \nLi Wen  Xi'an  extra  cells"
    assert _values(text, "name") == ["Ana Ruiz"]


def test_when_no_header_is_wanted_then_nothing_is_read() -> None:
    assert _values(FRAME, "email") == []
    assert _values("one  two\nthree  four", "one") == ["three"]  # the header itself is no value


def test_when_an_xml_element_holds_a_value_then_its_key_and_value_are_read() -> None:
    match = XML_ELEMENT.search("<customer>\n  <name>Émilie Ferland</name>\n</customer>")
    assert match is not None and (match.group("key"), match.group("v")) == ("name", "Émilie Ferland")
