"""The format table: it loads, each format finds a value of its own shape, and plain shapes need their vendor."""

from __future__ import annotations

import random

import pytest

from jupyter_aigov.redaction.secrets.formats import FormatTableError, literal_prefix, load_formats, parse_formats
from tests.redaction.regex_samples import sample

TABLE = load_formats()


def test_when_the_table_loads_then_it_covers_hundreds_of_formats_across_vendors() -> None:
    assert len(TABLE.formats) >= 250
    assert len({f.name for f in TABLE.formats}) == len(TABLE.formats)
    assert len(TABLE.families) >= 30


@pytest.mark.parametrize("fmt", TABLE.formats, ids=lambda f: f.name)
def test_when_a_value_has_a_formats_shape_then_it_is_found_in_a_line(fmt) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(fmt.name)
    for _ in range(3):
        whole = sample(fmt.regex.pattern, rng)
        match = fmt.regex.search(whole)
        value = match.group("s") if match and "s" in fmt.regex.groupindex else whole
        # a plain shape counts on a line that names its vendor; a prefixed one anywhere
        line = f"{fmt.keywords[0]} credential = {whole}" if fmt.context else f"got {whole} from the console"
        spans = [(start, end) for f, start, end in TABLE.scan(line)]
        begin = line.index(value)
        assert (begin, begin + len(value)) in spans, (fmt.name, line)


@pytest.mark.parametrize(
    "line",
    [
        "checksum 0123456789abcdef0123456789abcdef of the parquet file",  # 32 hex, but no vendor named
        "the algolia index holds 12000 products",  # vendor named, no value of its shape
    ],
)
def test_when_a_plain_shape_stands_without_its_vendor_then_no_context_format_counts(line: str) -> None:
    assert [f.name for f, _, _ in TABLE.scan(line) if f.context] == []


def test_when_a_format_has_no_literal_prefix_and_no_keywords_then_the_table_is_refused() -> None:
    document = {"x": {"family": "X", "formats": [{"name": "plain", "regex": "[a-f0-9]{32}"}]}}
    with pytest.raises(FormatTableError, match="x_plain needs `keywords`"):
        parse_formats(document)


def test_when_a_format_has_an_invalid_regex_then_the_table_is_refused() -> None:
    document = {"x": {"family": "X", "formats": [{"name": "bad", "regex": "xk_[a-z"}]}}
    with pytest.raises(FormatTableError, match="x_bad has an invalid regex"):
        parse_formats(document)


@pytest.mark.parametrize(
    ("regex", "prefix"),
    [("glpat-[\\w-]{20}", "glpat-"), ("dp\\.pt\\.[a-z]{43}", "dp.pt."), ("AKIA[A-Z0-9]{16}", "akia"), ("[a-f]{8}", "")],
)
def test_when_a_regex_starts_with_literals_then_they_are_its_prefix(regex: str, prefix: str) -> None:
    assert literal_prefix(regex) == prefix


def test_when_a_text_names_no_keyword_then_no_format_is_a_candidate() -> None:
    assert TABLE.candidates("select region, count(*) from orders group by region") == []
