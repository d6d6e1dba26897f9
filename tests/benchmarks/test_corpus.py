"""The generated corpora: reproducible, labelled exactly, split cleanly. Nothing here prints a sample's text."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus"
sys.path.insert(0, str(CORPUS))

from sample import compose  # noqa: E402

# The builder is loaded by its path: the name `build` is also PyPA's build package, installed for the tests.
_spec = importlib.util.spec_from_file_location("corpus_build", CORPUS / "build.py")
assert _spec is not None and _spec.loader is not None
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

PII_TYPES = {
    "PERSON",
    "LOCATION",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "IP_ADDRESS",
    "SECRET",
}


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    build.build(out, limit=3)
    return out


def test_when_built_twice_then_the_files_are_byte_for_byte_the_same(small: Path, tmp_path: Path) -> None:
    # Another process with another hash seed: set iteration order must not leak into the corpus.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [sys.executable, str(CORPUS / "build.py"), "--limit", "3", "--out", str(tmp_path)], env=env, check=True
    )
    names = sorted(p.name for p in small.glob("*.jsonl.gz"))
    assert names == sorted(p.name for p in tmp_path.glob("*.jsonl.gz"))
    assert {n: digest(small / n) for n in names} == {n: digest(tmp_path / n) for n in names}


def test_when_a_template_is_composed_then_every_span_covers_the_value_inserted() -> None:
    from locales import LOCALES
    from pii_templates import TEMPLATES
    from values import NoLatinPlaces, Values

    for name, _, template in TEMPLATES:
        for locale in LOCALES:
            try:
                text, spans, values = compose(template(Values(locale).reseed(build.seed_of(name + locale.code))))
            except NoLatinPlaces:
                continue
            covered = [text[s["start"] : s["end"]] for s in spans]
            assert covered == values, f"{name} in {locale.code}: a span is not the value inserted"
            assert {s["type"] for s in spans} <= PII_TYPES


def test_when_a_secret_is_placed_in_any_context_then_its_span_covers_exactly_the_secret() -> None:
    import random

    from secret_formats import FORMATS
    from secret_samples import CONTEXTS
    from secret_values import make

    for i, (family, _, shape, env) in enumerate(f for f in FORMATS if not f[2].startswith("@pem")):
        rng = random.Random(i)
        value = make(shape, rng)
        for name, context in CONTEXTS.items():
            text, spans, _ = compose(context(rng, family, env, value, value.startswith("https://")))
            assert [text[s["start"] : s["end"]] for s in spans] == [value], f"{name}: the span is not the secret"


def test_when_a_github_style_token_is_made_then_its_last_six_characters_are_the_crc32_of_the_rest() -> None:
    import binascii
    import random

    from secret_values import BASE62, github_style

    token = github_style("ghp_", random.Random(1))
    body, check = token[4:34], token[34:]
    value = 0
    for c in check:
        value = value * 62 + BASE62.index(c)
    assert value == binascii.crc32(body.encode())


def test_when_a_span_would_not_cover_its_value_then_compose_refuses() -> None:
    with pytest.raises(ValueError, match="surrounding whitespace"):
        compose(["Call ", (" 555-0100", "PHONE_NUMBER")])


@pytest.mark.parametrize("corpus", ["broad", "secrets"])
def test_when_built_then_spans_are_in_order_apart_and_inside_the_text(small: Path, corpus: str) -> None:
    for split in ("design", "heldout"):
        for sample in load(small / f"{corpus}-{split}.jsonl.gz"):
            end = 0
            for span in sample["spans"]:
                assert end <= span["start"] < span["end"] <= len(sample["text"]), sample["id"]
                value = sample["text"][span["start"] : span["end"]]
                assert value == value.strip(), sample["id"]
                assert span["type"] in PII_TYPES, sample["id"]
                end = span["end"]


@pytest.mark.parametrize("corpus", ["broad", "secrets"])
def test_when_split_then_ids_are_unique_and_no_sample_is_in_both_parts(small: Path, corpus: str) -> None:
    design = [s["id"] for s in load(small / f"{corpus}-design.jsonl.gz")]
    heldout = [s["id"] for s in load(small / f"{corpus}-heldout.jsonl.gz")]
    assert len(set(design)) == len(design)
    assert len(set(heldout)) == len(heldout)
    assert not set(design) & set(heldout)
    assert design and heldout
    texts = [s["text"] for s in load(small / f"{corpus}-design.jsonl.gz") + load(small / f"{corpus}-heldout.jsonl.gz")]
    assert len(set(texts)) == len(texts), "a text is in the corpus twice"


def test_when_split_then_the_held_out_shapes_are_only_in_the_held_out_part(small: Path) -> None:
    design = load(small / "broad-design.jsonl.gz")
    assert not {s["template"] for s in design} & build.HELDOUT_TEMPLATES
    assert not {s["locale"] for s in design} & build.HELDOUT_LOCALES
    secrets = load(small / "secrets-design.jsonl.gz")
    assert not {s.get("context") for s in secrets} & build.HELDOUT_CONTEXTS
    assert not {s.get("family") for s in secrets} & build.HELDOUT_FAMILIES
    assert not {s.get("lookalike") for s in secrets} & build.HELDOUT_LOOKALIKES


def test_when_rebuilt_then_the_committed_corpus_is_what_build_writes(tmp_path: Path) -> None:
    build.build(tmp_path, limit=None)
    for path in sorted(tmp_path.glob("*.jsonl.gz")):
        assert digest(path) == digest(CORPUS / path.name), f"{path.name} differs: run python benchmarks/corpus/build.py"


def test_when_built_then_the_held_out_part_has_enough_of_every_type() -> None:
    """Counts only: the held-out files are read for their labels, never shown."""
    broad = load(CORPUS / "broad-heldout.jsonl.gz")
    per_type = {t: sum(1 for s in broad for span in s["spans"] if span["type"] == t) for t in PII_TYPES - {"SECRET"}}
    assert min(per_type.values()) >= 100, {t: n for t, n in per_type.items() if n < 100}
    secrets = load(CORPUS / "secrets-heldout.jsonl.gz")
    with_secret = [s for s in secrets if s["spans"]]
    assert sum(len(s["spans"]) for s in with_secret) >= 400
    assert len({s["format"] for s in with_secret}) >= 200
    assert all({"family", "format", "context"} <= s.keys() for s in with_secret)


def test_when_built_then_look_alikes_have_no_spans_and_number_at_least_300() -> None:
    samples = load(CORPUS / "secrets-design.jsonl.gz") + load(CORPUS / "secrets-heldout.jsonl.gz")
    lookalikes = [s for s in samples if "lookalike" in s]
    assert len(lookalikes) >= 300
    assert not [s["id"] for s in lookalikes if s["spans"]]
    broad = load(CORPUS / "broad-design.jsonl.gz") + load(CORPUS / "broad-heldout.jsonl.gz")
    assert sum(1 for s in broad if not s["spans"]) >= len(broad) // 4


def iban_valid(iban: str) -> bool:
    compact = iban.replace(" ", "")
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def ssn_valid(ssn: str) -> bool:
    digits = "".join(c for c in ssn if c.isdigit())
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    return len(digits) == 9 and 0 < area < 900 and area != 666 and group > 0 and serial > 0


def test_when_values_are_labelled_then_each_is_valid_for_its_type() -> None:
    """Cards pass Luhn at 12-19 digits, IBANs mod 97, SSNs the SSA's rules, IPs parse, phones are possible numbers."""
    import ipaddress

    import phonenumbers
    from locales import BY_CODE
    from values import luhn_valid

    invalid: list[str] = []
    for sample in load(CORPUS / "broad-design.jsonl.gz"):
        region = BY_CODE[sample["locale"]].region if sample["locale"] in BY_CODE else "US"
        for span in sample["spans"]:
            value, kind = sample["text"][span["start"] : span["end"]], span["type"]
            if kind == "CREDIT_CARD":
                digits = "".join(c for c in value if c.isdigit())
                ok = luhn_valid(value) and 12 <= len(digits) <= 19
            elif kind == "IBAN_CODE":
                ok = iban_valid(value)
            elif kind == "US_SSN":
                ok = ssn_valid(value)
            elif kind == "IP_ADDRESS":
                ok = bool(ipaddress.ip_address(value))
            elif kind == "PHONE_NUMBER":
                number = value.split("x")[0].split(" ext")[0]
                ok = phonenumbers.is_possible_number(phonenumbers.parse(number, region))
            elif kind == "EMAIL_ADDRESS":
                ok = value.count("@") == 1 and "." in value.split("@")[1]
            else:
                continue
            if not ok:
                invalid.append(f"{sample['id']} {kind}")
    assert not invalid, invalid[:10]
