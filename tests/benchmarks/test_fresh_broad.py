"""The fresh held-out corpus: reproducible, labelled exactly, valid values, big enough. Nothing here prints a text."""

from __future__ import annotations

import gzip
import importlib.util
import ipaddress
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus"
sys.path.insert(0, str(CORPUS))

# Loaded by path, like build.py in test_corpus.py.
_spec = importlib.util.spec_from_file_location("corpus_fresh_broad", CORPUS / "fresh_broad.py")
assert _spec is not None and _spec.loader is not None
fresh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fresh)

from fresh_values import BY_CODE, IBAN_LENGTHS, iban_ok, luhn_ok, ssn_ok  # noqa: E402

TYPES = {"PERSON", "LOCATION", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS"}
REQUIRED_LOCALES = {"en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL", "sv_SE"}
COMMITTED = CORPUS / fresh.OUT_NAME


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    return load(COMMITTED)


def test_when_rebuilt_then_the_content_is_the_committed_content(tmp_path: Path) -> None:
    fresh.build(tmp_path)
    rebuilt = gzip.decompress((tmp_path / fresh.OUT_NAME).read_bytes())
    assert rebuilt == gzip.decompress(COMMITTED.read_bytes()), "run .venv/bin/python benchmarks/corpus/fresh_broad.py"


def test_when_built_with_another_hash_seed_then_the_bytes_are_the_same(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    subprocess.run([sys.executable, str(CORPUS / "fresh_broad.py"), "--out", str(tmp_path)], env=env, check=True)
    assert (tmp_path / fresh.OUT_NAME).read_bytes() == COMMITTED.read_bytes()


def test_when_loaded_then_every_line_has_the_fields_of_the_format(corpus: list[dict[str, Any]]) -> None:
    for s in corpus:
        assert {"id", "text", "spans", "kind", "locale", "template"} <= s.keys(), s.get("id")
        assert s["id"].startswith("fresh-"), s["id"]
        if s.get("pii_free"):
            assert s["spans"] == [] and s["locale"] == "none", s["id"]
        else:
            assert "pii_free" not in s and s["spans"] and s["locale"] in BY_CODE, s["id"]


def test_when_loaded_then_ids_and_texts_are_unique(corpus: list[dict[str, Any]]) -> None:
    assert len({s["id"] for s in corpus}) == len(corpus)
    assert len({s["text"] for s in corpus}) == len(corpus)


def test_when_loaded_then_spans_are_in_order_apart_inside_the_text_and_trimmed(corpus: list[dict[str, Any]]) -> None:
    for s in corpus:
        end = 0
        for span in s["spans"]:
            assert span["type"] in TYPES, s["id"]
            assert end <= span["start"] < span["end"] <= len(s["text"]), s["id"]
            value = s["text"][span["start"] : span["end"]]
            assert value == value.strip() and "\n" not in value, s["id"]
            end = span["end"]


def possible_phone(value: str, region: str) -> bool:
    for default in (region, None):
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(value, default)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def valid(kind: str, value: str, locale: str) -> bool:
    if kind == "CREDIT_CARD":
        digits = re.sub(r"[ -]", "", value)
        return digits.isdigit() and 12 <= len(digits) <= 19 and luhn_ok(digits)
    if kind == "IBAN_CODE":
        compact = value.replace(" ", "")
        expected = IBAN_LENGTHS.get(compact[:2])
        return iban_ok(compact) and compact.isalnum() and (expected is None or len(compact) == expected)
    if kind == "US_SSN":
        return ssn_ok(value)
    if kind == "IP_ADDRESS":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
    if kind == "EMAIL_ADDRESS":
        local, _, domain = value.partition("@")
        return value.count("@") == 1 and bool(local) and "." in domain and " " not in value
    if kind == "PHONE_NUMBER":
        return possible_phone(value, BY_CODE[locale].region)
    if kind == "PERSON":
        return not re.search(r"\d", value)
    return bool(value)


def test_when_values_are_labelled_then_each_is_valid_for_its_type(corpus: list[dict[str, Any]]) -> None:
    """Cards Luhn at 12-19 digits, IBANs mod 97 at their country's length, SSNs the SSA's rules, IPs parse,
    e-mails one @ and a dotted domain, phone numbers possible for the locale's country or as international."""
    invalid = [
        f"{s['id']} {span['type']}"
        for s in corpus
        for span in s["spans"]
        if not valid(span["type"], s["text"][span["start"] : span["end"]], s["locale"])
    ]
    assert not invalid, invalid[:10]


def test_when_counted_then_the_corpus_has_the_sizes_asked_for(corpus: list[dict[str, Any]]) -> None:
    per_type = Counter(span["type"] for s in corpus for span in s["spans"])
    assert 2800 <= len(corpus) <= 3200
    clean = sum(1 for s in corpus if s.get("pii_free"))
    assert 0.22 <= clean / len(corpus) <= 0.28
    assert per_type["PERSON"] >= 1500 and per_type["LOCATION"] >= 1500 and per_type["PHONE_NUMBER"] >= 600
    for kind in ("EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS"):
        assert per_type[kind] >= 300, kind
    cards = {
        len(re.sub(r"\D", "", s["text"][sp["start"] : sp["end"]]))
        for s in corpus
        for sp in s["spans"]
        if sp["type"] == "CREDIT_CARD"
    }
    assert cards == set(range(12, 20))


def test_when_counted_then_templates_and_locales_are_as_broad_as_asked(corpus: list[dict[str, Any]]) -> None:
    from locales import LOCALES as EXISTING

    templates = {s["template"] for s in corpus if not s.get("pii_free")}
    clean = {s["template"] for s in corpus if s.get("pii_free")}
    assert len(templates) >= 30 and len(clean) >= 15
    locales = {s["locale"] for s in corpus} - {"none"}
    assert locales >= REQUIRED_LOCALES
    assert len(locales - {loc.code for loc in EXISTING}) >= 6


def test_when_compared_with_the_other_corpora_then_no_template_name_or_text_is_shared(
    corpus: list[dict[str, Any]],
) -> None:
    from clean_templates import CLEAN_TEMPLATES
    from pii_templates import TEMPLATES

    names = {t[0] for t in TEMPLATES} | {t[0] for t in CLEAN_TEMPLATES}
    assert not {s["template"] for s in corpus} & names
    texts = {s["text"] for s in corpus}
    for other in ("broad-design.jsonl.gz", "broad-heldout.jsonl.gz"):
        assert not texts & {s["text"] for s in load(CORPUS / other)}, other
