"""Reading the values of named fields out of records written as text: XML elements and printed tables.

The recognizers that know which fields name people (`names.py`) or places (`place_fields.py`) ask here for the
values; neither parses the layouts itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

# An XML element holding a value: <name>Ana Ruiz</name>, <city>Lima</city>.
XML_ELEMENT = re.compile(r"<(?P<key>[A-Za-z_][\w.-]{0,30})>(?P<v>[^<>\n]{1,120})</(?P=key)>")
# A printed table's cells (pandas, tabulate without rules): runs of text separated by two or more spaces.
_CELL = re.compile(r"\S+(?: \S+)*")


def printed_table_values(text: str, wanted: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
    """(start, end) of each cell under a wanted column of a table printed with aligned columns (`df.head()`).

    A header is a line of two or more cells, two spaces apart, one of them wanted; each following line until one
    that is not a table row is matched cell for cell, after its index when the header has none above it.
    Alignment is not relied on: pandas right-aligns headers over left-aligned text.
    """
    if "  " not in text:
        return
    header: list[bool] = []
    position = 0
    for line in text.split("\n"):
        line_start, position = position, position + len(line) + 1
        if "  " not in line.strip():
            header = []  # a table's lines hold two or more cells
            continue
        cells = list(_CELL.finditer(line))
        if not header:
            header = [wanted(c.group()) for c in cells]
            if not any(header):
                header = []
            continue
        if len(cells) == len(header) + 1:
            cells = cells[1:]  # the index
        if len(cells) != len(header):
            continue
        for cell, is_wanted in zip(cells, header, strict=True):
            if is_wanted:
                yield line_start + cell.start(), line_start + cell.end()
