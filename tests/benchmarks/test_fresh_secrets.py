"""The fresh secrets corpus: reproducible, labelled exactly, big enough. Nothing here prints a sample's text."""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus"
sys.path.insert(0, str(CORPUS))

# The builder is loaded by its path, as test_corpus loads build.py.
_spec = importlib.util.spec_from_file_location("fresh_secrets_build", CORPUS / "fresh_secrets.py")
assert _spec is not None and _spec.loader is not None
fresh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fresh)

from fresh_secret_formats import FORMATS  # noqa: E402
from fresh_secret_values import B58, BASE62, shape_regex  # noqa: E402

COMMITTED = CORPUS / fresh.OUTPUT

SPECIAL = {
    "@discord": r"[A-Za-z0-9+/]+\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{38}",
    "@neptune": r"eyJ[A-Za-z0-9+/]+=*",
    "@sentryorg": r"sntrys_eyJ[A-Za-z0-9+/]+_[A-Za-z0-9]{43}",
    "@grafanacloud": r"glc_eyJ[A-Za-z0-9+/]+=*",
    "@cftunnel": r"eyJ[A-Za-z0-9+/]+=*",
    "@tinybird": r"p\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]{43}",
    "@mapbox": r"sk\.eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]{22}",
    "@convex": r"prod:[a-z]+-[a-z]+-\d{3}\|eyJ[A-Za-z0-9+/]+=*",
    "@wif": r"[KL][1-9A-HJ-NP-Za-km-z]{51}",
    "@sol": r"[1-9A-HJ-NP-Za-km-z]{85,88}",
    "@nsec": r"nsec1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}",
    "@age": r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
    "@django": r"(django-insecure-)?[a-z0-9!@#%^&*(\-_=+)]{50}",
    "@pypi": r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]+",
}
PASSWORD = re.compile(r"[A-Za-z0-9\-_.~!*]{8,}")


def load(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in gzip.decompress(data).decode("utf-8").splitlines()]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return load(COMMITTED.read_bytes())


def b64decode_loose(text: str, urlsafe: bool) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded)


def is_github_style(value: str, prefix: str) -> bool:
    body, check = value[len(prefix) : len(prefix) + 30], value[len(prefix) + 30 :]
    n = 0
    for ch in check:
        n = n * 62 + BASE62.index(ch)
    return value.startswith(prefix) and len(check) == 6 and n == zlib.crc32(body.encode())


def is_jwt(value: str) -> bool:
    parts = value.split(".")
    if len(parts) != 3:
        return False
    header = json.loads(b64decode_loose(parts[0], urlsafe=True))
    payload = json.loads(b64decode_loose(parts[1], urlsafe=True))
    return "alg" in header and isinstance(payload, dict) and len(b64decode_loose(parts[2], urlsafe=True)) >= 32


def is_key_block(value: str) -> bool:
    lines = [line.strip() for line in value.replace("\\n", "\n").split("\n")]
    begin = re.fullmatch(r"-----BEGIN ([A-Z ]+)-----", lines[0])
    return bool(begin) and lines[-1] == f"-----END {begin.group(1)}-----" and "PRIVATE KEY" in begin.group(1)


def is_wif(value: str) -> bool:
    n = 0
    for ch in value:
        n = n * 58 + B58.index(ch)
    raw = n.to_bytes(38, "big")
    return hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


def matches(shape: str, value: str) -> bool:
    """Whether a labelled span is exactly one value of the shape: no quotes, prefix, variable or padding."""
    if shape.startswith("@gh:"):
        return is_github_style(value, shape[4:])
    if shape.startswith("@jwt:"):
        return is_jwt(value)
    if shape.startswith("@pem:"):
        return is_key_block(value)
    if shape in SPECIAL:
        ok = re.fullmatch(SPECIAL[shape], value) is not None
        return ok and (shape != "@wif" or is_wif(value))
    return re.fullmatch(shape_regex(shape), value) is not None


def test_when_rebuilt_then_the_lines_are_the_committed_ones(rows: list[dict[str, Any]]) -> None:
    assert fresh.lines() == gzip.decompress(COMMITTED.read_bytes()).decode("utf-8")


def test_when_built_under_another_hash_seed_then_the_file_is_byte_for_byte_the_same(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    subprocess.run([sys.executable, str(CORPUS / "fresh_secrets.py"), "--out", str(tmp_path)], env=env, check=True)
    assert (tmp_path / fresh.OUTPUT).read_bytes() == COMMITTED.read_bytes()
    assert COMMITTED.stat().st_size < 2 * 1024 * 1024


def test_every_span_is_exactly_a_value_of_its_format(rows: list[dict[str, Any]]) -> None:
    shapes = {fmt: shape.split(" && ") for _, fmt, shape, _ in FORMATS}
    for row in rows:
        if not row["spans"]:
            continue
        assert row["family"] and row["context"] and row["template"] == row["context"]
        covered = [row["text"][s["start"] : s["end"]] for s in row["spans"]]
        assert all(s["type"] == "SECRET" for s in row["spans"])
        if row["family"] == "Password":
            for value, span in zip(covered, row["spans"], strict=True):
                assert PASSWORD.fullmatch(value), f"{row['id']}: a span is not just the password"
                after = row["text"][span["end"] : span["end"] + 1]
                assert not re.fullmatch(r"[A-Za-z0-9\-_~!*]", after), f"{row['id']}: the password goes on"
            continue
        parts = shapes[row["format"]]
        hit = set()
        for value in covered:
            which = [i for i, shape in enumerate(parts) if matches(shape, value)]
            assert which, f"{row['id']}: a span is not exactly a value of {row['format']}"
            hit.update(which)
        assert len(hit) == len(parts), f"{row['id']}: not every part of the credential is labelled"


def test_spans_are_in_order_and_do_not_overlap(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        end = 0
        for span in row["spans"]:
            assert end <= span["start"] < span["end"] <= len(row["text"]), row["id"]
            end = span["end"]


def test_ids_and_texts_are_unique_and_fields_follow_the_format(rows: list[dict[str, Any]]) -> None:
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) == len(rows)
    for row in rows:
        assert row["id"].startswith("fresh-secret-")
        assert row["locale"] == "none"
        assert list(row)[:6] == ["id", "text", "spans", "kind", "locale", "template"]


def test_lookalikes_have_no_spans(rows: list[dict[str, Any]]) -> None:
    looks = [r for r in rows if r["kind"] == "lookalike"]
    assert all(r["spans"] == [] and r["lookalike"] and r["template"] == f"lookalike_{r['lookalike']}" for r in looks)
    assert all(r["spans"] for r in rows if r["kind"] == "secret")


def test_the_corpus_is_big_and_broad_enough(rows: list[dict[str, Any]]) -> None:
    secrets = [r for r in rows if r["kind"] == "secret"]
    looks = [r for r in rows if r["kind"] == "lookalike"]
    assert len(secrets) >= 1000
    assert len(looks) >= 250
    assert len({r["format"] for r in secrets}) >= 150
    assert len({r["family"] for r in secrets}) >= 100
    assert len({r["lookalike"] for r in looks}) >= 15
    assert len({r["context"] for r in secrets}) >= 40


def test_at_least_40_families_are_not_in_the_first_corpus(rows: list[dict[str, Any]]) -> None:
    from secret_formats import FORMATS as FIRST

    first = {family for family, *_ in FIRST}
    fresh_families = {r["family"] for r in rows if r["kind"] == "secret"}
    assert len(fresh_families - first) >= 40
