"""Views of a text with the same length, so a span found in the view is the same span in the text.

E-mail replies quote lines with "> "; labels and forms write addresses in capitals. Patterns written for
ordinary lines and capitalised words read the view instead.
"""

from __future__ import annotations

import re

_QUOTE_MARKS = re.compile(r"(?:>[ \t]?)+")
_QUOTE_AFTER_BREAK = re.compile(r"\n((?:>[ \t]?)+)")
_SHOUTED_LINE = re.compile(r"(?m)^[^\n]*$")
_TOKEN = re.compile(r"\S+")


def unquoted(text: str) -> str:
    """`text` with each line's reply marks ("> > ") moved before its line break as spaces: "a\n> b" -> "a  \nb"."""
    if ">" not in text:
        return text
    view = _QUOTE_AFTER_BREAK.sub(lambda m: " " * len(m.group(1)) + "\n", text)
    opening = _QUOTE_MARKS.match(view)
    return view if opening is None else " " * opening.end() + view[opening.end() :]


def unshouted(text: str) -> str:
    """`text` with lines written in capitals title-cased, word by word; words with digits ("G86 0JW") kept."""
    if not any(c.isupper() for c in text):
        return text

    def line(match: re.Match[str]) -> str:
        value = match.group()
        if not value.isupper():
            return value
        return _TOKEN.sub(_title_word, value)

    return _SHOUTED_LINE.sub(line, text)


def postal_view(text: str) -> str:
    """The view postal patterns read: unquoted and unshouted, the same length as `text`."""
    view = unshouted(unquoted(text))
    return view if len(view) == len(text) else text


def _title_word(match: re.Match[str]) -> str:
    word = match.group()
    if any(c.isdigit() for c in word):
        return word
    titled = word.title()
    return titled if len(titled) == len(word) else word
