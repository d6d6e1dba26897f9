"""Compare street-address finders on a labelled corpus: aigov's addresses.py, pyap, usaddress.

.venv/bin/python benchmarks/compare_address_finders.py --corpus benchmarks/corpus/broad-design.jsonl.gz

Recall counts the LOCATION spans that hold a digit (street and postcode lines) whose every character a finder
covers; "PII-free changed" counts the corpus's samples without spans in which a finder finds anything. pyap and
usaddress are development dependencies: they are measured here, not used at run time.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from pathlib import Path

import pyap
import spacy
import usaddress
from bench_redaction import load_corpus  # reads .jsonl and .jsonl.gz

from jupyter_aigov.redaction.addresses import find_addresses
from jupyter_aigov.redaction.nlp import resolve_model
from jupyter_aigov.redaction.places import build_gazetteer, english_words

Finder = Callable[[str], list[tuple[int, int]]]
_ADDRESS_LABELS_TEXT = (
    "AddressNumber StreetName StreetNamePostType StreetNamePreType StreetNamePreDirectional "
    "StreetNamePostDirectional OccupancyType OccupancyIdentifier PlaceName StateName ZipCode USPSBoxType USPSBoxID "
    "SubaddressType SubaddressIdentifier BuildingName CountryName"
)
_ADDRESS_LABELS = frozenset(_ADDRESS_LABELS_TEXT.split())


def _joined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and re.fullmatch(r"[\s,]*", text[out[-1][1] : start]):
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def pyap_finder(text: str) -> list[tuple[int, int]]:
    """pyap's US, Canadian and British parsers; spans located by the address's first and last words."""
    spans = []
    for country in ("US", "CA", "GB"):
        for address in pyap.parse(text, country=country):
            words = address.full_address.split()
            start, end = text.find(words[0]), text.rfind(words[-1])
            if 0 <= start <= end:
                spans.append((start, end + len(words[-1])))
    return _joined(text, spans)


def usaddress_finder(text: str) -> list[tuple[int, int]]:
    """usaddress's token labels over the whole text; address-labelled tokens next to each other joined."""
    spans, position = [], 0
    for token, label in usaddress.parse(text):
        start = text.find(token, position)
        if start < 0:
            continue
        position = start + len(token)
        if label in _ADDRESS_LABELS:
            spans.append((start, position))
    return _joined(text, spans)


def aigov_finder() -> Finder:
    """aigov's address recognizer, with the gazetteer and English word lists it gets in the engine."""
    target = resolve_model("en_core_web_sm")
    nlp = spacy.load(target) if target else None
    nouns, other = english_words(nlp, ("noun",)), english_words(nlp, ("verb", "adj", "adv"))
    gazetteer = build_gazetteer(nouns, other)
    return lambda text: find_addresses(text, gazetteer, nouns, other)


def main() -> None:
    """Print recall, PII-free changed and time per text for each finder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    args = parser.parse_args()
    samples = load_corpus(args.corpus)
    addressed = [
        (s["text"], span)
        for s in samples
        for span in s["spans"]
        if span["type"] == "LOCATION" and re.search(r"\d", s["text"][span["start"] : span["end"]])
    ]
    clean = [s["text"] for s in samples if not s["spans"]]
    finders = {"aigov addresses.py": aigov_finder(), "pyap (US, CA, GB)": pyap_finder, "usaddress": usaddress_finder}
    print(f"{len(addressed)} address spans, {len(clean)} PII-free samples")
    print(f"{'finder':22}{'recall':>8}{'PII-free changed':>18}{'ms/text':>9}")
    for name, finder in finders.items():
        started = time.perf_counter()
        caught = 0
        for text, span in addressed:
            covered = {i for start, end in finder(text) for i in range(start, end)}
            caught += set(range(span["start"], span["end"])) <= covered
        changed = sum(bool(finder(text)) for text in clean)
        per_text = (time.perf_counter() - started) * 1000 / (len(addressed) + len(clean))
        print(f"{name:22}{caught / len(addressed):>8.3f}{changed / len(clean):>18.3f}{per_text:>9.2f}")


if __name__ == "__main__":
    main()
