"""Same-length views of a text: reply marks moved, capitals title-cased, spans unchanged."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.text_views import postal_view, unquoted, unshouted


@pytest.mark.parametrize(
    ("text", "view"),
    [
        ("a\n> b\n> > c", "a  \nb    \nc"),
        ("> first line\n> 06533 Borken", "  first line  \n06533 Borken"),
        ("a > b\nc", "a > b\nc"),  # a ">" inside a line is no reply mark
    ],
)
def test_when_lines_are_quoted_then_their_marks_move_before_the_break(text: str, view: str) -> None:
    assert unquoted(text) == view
    assert len(unquoted(text)) == len(text)


def test_when_a_line_is_in_capitals_then_its_words_are_title_cased_but_codes_are_kept() -> None:
    text = "SHIP TO:\nBRITTA SCHLEICH\nLADECKSTR. 6-1\nG86 0JW\nMixed Case Line"
    assert unshouted(text) == "Ship To:\nBritta Schleich\nLadeckstr. 6-1\nG86 0JW\nMixed Case Line"


def test_when_a_view_would_change_the_length_then_the_text_is_read_as_it_is() -> None:
    text = "STRASSE İSTANBUL"  # "İ".title() and lower-casing can change a string's length
    assert len(postal_view(text)) == len(text)
