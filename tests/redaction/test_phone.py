"""Phone numbers: international and national formats, extensions, context; numbers in data left alone."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.phone import find_phones


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("call 730 064 218 tomorrow", "730 064 218"),
        ("96 466712", "96 466712"),
        ("650-752-7354x549", "650-752-7354x549"),
        ("Switzerland: +41 53 147 37 99", "+41 53 147 37 99"),
        ("(591)341-7776", "(591)341-7776"),
        ("+44(0)115 4960914", "+44(0)115 4960914"),
        ("00420 702 914 177", "00420 702 914 177"),
        ("Telefon: 06-9/349 6588", "06-9/349 6588"),
        ("+61.2.6971.2870", "+61.2.6971.2870"),
        ("mobile 3420837783", "3420837783"),
        ("0703848486", "0703848486"),
        ("(0161) 4960066 ext. 12", "(0161) 4960066 ext. 12"),
        ("phone +447408094131;ext=4531", "+447408094131;ext=4531"),  # RFC 3966's extension
        ("Call +46 (0)505 241 66 extn. 8332 today", "+46 (0)505 241 66 extn. 8332"),
        ("tel +33 1 28 67 49 18 Ext. 4451", "+33 1 28 67 49 18 Ext. 4451"),
        ("mobile +(370) 99160176", "+(370) 99160176"),
    ],
)
def test_when_a_phone_number_is_written_then_it_is_found(text: str, number: str) -> None:
    found = [(text[start:end], score) for start, end, score in find_phones(text)]
    assert [n for n, s in found if s >= 0.5] == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Python 3.11.4 on CUDA 12.1.105",
        "2024-05-01 12:34:56,789 INFO started; 01.05.2024 and 05/01/2024",
        "The table has 1 234 567 rows and 48 columns.",
        "Order #100234567 shipped; invoice 2024-000123",
        "Listening on 10.1.2.3:8888, pid 41237, port 5432",
        "ts=1700000000123 latency_ms=231 bytes=48213",
        "ISBN 978-3-16-148410-0",
        "He scored 98 466712 points",
        "version 20240501.3 of build 1823",
        "Memory usage: 15 728 640 bytes",
        "Rows 100-200 and 300-400 are duplicates.",
        "ids 1234567 and 7654321",
        "The Mobile team ships build 7.3.0 (4021) to TestFlight.",
    ],
)
def test_when_a_number_is_data_then_no_phone_is_found(text: str) -> None:
    assert [score for _, _, score in find_phones(text) if score >= 0.5] == []
