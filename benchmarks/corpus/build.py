"""Build the broad and secrets corpora and split each into a design part and a held-out part.

    python benchmarks/corpus/build.py            # rewrites benchmarks/corpus/*.jsonl.gz
    python benchmarks/corpus/build.py --limit 3 --out /tmp/c   # a few samples per template, elsewhere

The same Faker version gives the same bytes: every sample is seeded from its own id.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from clean_templates import CLEAN_TEMPLATES  # noqa: E402
from locales import LOCALES, Locale  # noqa: E402
from pii_templates import TEMPLATES, Template  # noqa: E402
from sample import Sample, check, compose  # noqa: E402
from secret_formats import FORMATS, GENERIC, HELDOUT_FAMILIES  # noqa: E402
from secret_samples import (  # noqa: E402
    CONNECTION_CONTEXTS,
    CONTEXTS,
    HELDOUT_CONTEXTS,
    HELDOUT_LOOKALIKES,
    LOOKALIKE_KINDS,
    PASSWORD_CONTEXTS,
    aws_credentials,
    azure_storage,
    connection,
    lookalike,
    pem_contexts,
    service_account_json,
    url_password,
)
from secret_values import make  # noqa: E402
from values import NoLatinPlaces, Values  # noqa: E402

PII_PER_TEMPLATE = 100
CLEAN_PER_TEMPLATE = 70
SECRETS_PER_FORMAT = 5
SECRETS_PER_GENERIC = 24
KEY_BLOCKS_PER_FORMAT = 12
PASSWORDS_PER_CONNECTION = 30
AZURE_CONNECTION_STRINGS = 20
AWS_PAIRS = 20
LOOKALIKES_PER_KIND = 16
DESIGN_SHARE = 72  # percent of the hash-split samples that go to design; held-out shapes fill the other side

# Shapes only the held-out part has, so it measures generalisation, not fit.
HELDOUT_TEMPLATES = frozenset(
    {
        "email_forwarded",
        "tsv_crm_export",
        "json_support_ticket",
        "chat_travel_places",
        "letter_formal_surname",
        "python_repr_records",
        "xml_customer",
        "sms_short",
        "spark_code",
        "regex_help",
        "metrics_report",
        "git_diff",
        "notebook_json",
        "markdown_headings",
    }
)
HELDOUT_LOCALES = frozenset({"hu_HU", "ro_RO", "sk_SK", "en_NZ", "es_CO"})


def seed_of(sample_id: str) -> int:
    return int.from_bytes(hashlib.sha256(sample_id.encode()).digest()[:8], "big")


def compose_in_a_locale(fn: Template, seed: int, values: dict[str, Values]) -> tuple[str, list[dict[str, Any]], Locale]:
    """Compose a template in the locale the seed picks, or the next one whose places Faker writes in Latin script."""
    start = seed % len(LOCALES)
    for step in range(len(LOCALES)):
        locale = LOCALES[(start + step * 7) % len(LOCALES)]  # 7 and the locale count are coprime: every one is tried
        v = values.setdefault(locale.code, Values(locale)).reseed(seed)
        try:
            text, spans, _ = compose(fn(v))
        except NoLatinPlaces:
            continue
        return text, spans, locale
    raise RuntimeError("no locale could fill the template")


def broad_samples(limit: int | None) -> Iterator[Sample]:
    """The personal-data samples, then the PII-free ones."""
    values: dict[str, Values] = {}
    for name, kind, fn in TEMPLATES:
        for i in range(limit or PII_PER_TEMPLATE):
            sample_id = f"broad-{name}-{i:04d}"
            seed = seed_of(sample_id)
            text, spans, locale = compose_in_a_locale(fn, seed, values)
            yield Sample(sample_id, text, spans, kind, locale.code, name)
    for name, kind, clean_fn in CLEAN_TEMPLATES:
        for i in range(limit or CLEAN_PER_TEMPLATE):
            sample_id = f"broad-{name}-{i:04d}"
            text = clean_fn(random.Random(seed_of(sample_id)))
            yield Sample(sample_id, text, [], kind, "none", name, {"pii_free": True})


def secret_sample(sample_id: str, family: str, fmt: str, shape: str, env: str) -> Sample:
    """One secret of a format, in a context drawn for it."""
    rng = random.Random(seed_of(sample_id))
    value = make(shape, rng)
    if shape.startswith("@pem:") and family == "Google Cloud":
        context, parts = "gcp_service_account_json", service_account_json(rng, value)
    elif shape.startswith("@pem:"):
        context, parts = pem_contexts(rng, value, shape[5:])
    elif fmt == "azure-storage-account-key" and rng.random() < 0.5:
        context, parts = "azure_connection_string", azure_storage(rng, value)
    elif shape in ("@password", "@memorable") and rng.random() < 0.6:
        context = rng.choice(CONNECTION_CONTEXTS)
        pw = url_password(rng) if context in ("url_userinfo", "sqlalchemy_url") else value
        parts = connection(rng, context, pw)
    else:
        context = rng.choice(PASSWORD_CONTEXTS if shape in ("@password", "@memorable") else sorted(CONTEXTS))
        parts = CONTEXTS[context](rng, family, env, value, value.startswith("https://"))
    text, spans, _ = compose(parts)
    return Sample(
        sample_id, text, spans, "secret", "none", context, {"family": family, "format": fmt, "context": context}
    )


def secrets_samples(limit: int | None) -> Iterator[Sample]:
    """Secrets of every format and generic ones, AWS credential files, then look-alikes."""
    for family, fmt, shape, env in FORMATS:
        for i in range(limit or (KEY_BLOCKS_PER_FORMAT if shape.startswith("@pem:") else SECRETS_PER_FORMAT)):
            yield secret_sample(f"secret-{fmt}-{i:02d}", family, fmt, shape, env)
    for family, fmt, shape, env in GENERIC:
        for i in range(limit or SECRETS_PER_GENERIC):
            yield secret_sample(f"secret-{fmt}-{i:02d}", family, fmt, shape, env)
    for context in CONNECTION_CONTEXTS:
        for i in range(limit or PASSWORDS_PER_CONNECTION):
            sample_id = f"secret-connection-{context}-{i:02d}"
            rng = random.Random(seed_of(sample_id))
            pw = url_password(rng) if context in ("url_userinfo", "sqlalchemy_url") else make("@password", rng)
            text, spans, _ = compose(connection(rng, context, pw))
            extra = {"family": "Database", "format": f"password-in-{context}", "context": context}
            yield Sample(sample_id, text, spans, "secret", "none", context, extra)
    for i in range(limit or AZURE_CONNECTION_STRINGS):
        sample_id = f"secret-azure-connection-string-{i:02d}"
        rng = random.Random(seed_of(sample_id))
        text, spans, _ = compose(azure_storage(rng, make("{b:86}==", rng)))
        extra = {"family": "Azure", "format": "azure-storage-connection-string", "context": "azure_connection_string"}
        yield Sample(sample_id, text, spans, "secret", "none", "azure_connection_string", extra)
    for i in range(limit or AWS_PAIRS):
        sample_id = f"secret-aws-credentials-file-{i:02d}"
        text, spans, _ = compose(aws_credentials(random.Random(seed_of(sample_id))))
        extra = {"family": "AWS", "format": "aws-credentials-file", "context": "aws_credentials_file"}
        yield Sample(sample_id, text, spans, "secret", "none", "aws_credentials_file", extra)
    for kind in LOOKALIKE_KINDS:
        for i in range(limit or LOOKALIKES_PER_KIND):
            sample_id = f"lookalike-{kind}-{i:02d}"
            text = lookalike(kind, random.Random(seed_of(sample_id)))
            yield Sample(sample_id, text, [], "lookalike", "none", f"lookalike_{kind}", {"lookalike": kind})


def is_heldout(sample: Sample) -> bool:
    extra = sample.extra
    if sample.template in HELDOUT_TEMPLATES or sample.locale in HELDOUT_LOCALES:
        return True
    if extra.get("context") in HELDOUT_CONTEXTS or extra.get("family") in HELDOUT_FAMILIES:
        return True
    if extra.get("lookalike") in HELDOUT_LOOKALIKES:
        return True
    return seed_of("split:" + sample.id) % 100 >= DESIGN_SHARE


def write(path: Path, samples: Iterable[Sample]) -> None:
    """JSON lines, gzipped with no name or time in the header, so the same samples give the same bytes."""
    lines = "".join(json.dumps(s.as_json(), ensure_ascii=False, sort_keys=False) + "\n" for s in samples)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(lines.encode("utf-8"))


def distinct(samples: Iterable[Sample]) -> list[Sample]:
    """Drop a sample whose text came earlier, so no text is in both parts (short PII-free shapes repeat)."""
    seen: set[str] = set()
    kept = []
    for s in samples:
        if s.text not in seen:
            seen.add(s.text)
            kept.append(s)
    return kept


def verify(samples: list[Sample]) -> None:
    """Raise if ids repeat or a span is out of place."""
    ids = Counter(s.id for s in samples)
    repeated = [i for i, n in ids.items() if n > 1]
    if repeated:
        raise ValueError(f"{len(repeated)} sample ids repeat, e.g. {repeated[0]}")
    for s in samples:
        check(s.text, s.spans)


def build(out: Path, limit: int | None) -> dict[str, dict[str, int]]:
    """Write the corpora into out; return span counts per type per file."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, dict[str, int]] = {}
    for corpus, samples in (("broad", distinct(broad_samples(limit))), ("secrets", distinct(secrets_samples(limit)))):
        verify(samples)
        parts = {"design": [s for s in samples if not is_heldout(s)], "heldout": [s for s in samples if is_heldout(s)]}
        for split, chosen in parts.items():
            write(out / f"{corpus}-{split}.jsonl.gz", chosen)
            tally = Counter(span["type"] for s in chosen for span in s.spans)
            tally["samples"] = len(chosen)
            tally["samples_without_spans"] = sum(1 for s in chosen if not s.spans)
            if corpus == "secrets":
                with_secret = [s for s in chosen if s.spans]
                tally["formats"] = len({s.extra["format"] for s in with_secret})
                tally["families"] = len({s.extra["family"] for s in with_secret})
            counts[f"{corpus}-{split}"] = dict(sorted(tally.items()))
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write the .jsonl.gz files into")
    parser.add_argument("--limit", type=int, default=None, help="samples per template (default: the full corpus)")
    parser.add_argument("--counts", action="store_true", help="print span counts per type per file")
    args = parser.parse_args(argv)
    counts = build(args.out, args.limit)
    if args.counts:
        print(json.dumps(counts, indent=1))


if __name__ == "__main__":
    main()
