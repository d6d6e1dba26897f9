"""Build the fresh held-out corpus, broad-fresh.jsonl.gz: personal data and PII-free text in new shapes.

    python benchmarks/corpus/fresh_broad.py                    # rewrites benchmarks/corpus/broad-fresh.jsonl.gz
    python benchmarks/corpus/fresh_broad.py --limit 3 --out /tmp/c --counts

Written apart from build.py's templates and from the detectors; every sample is seeded from its own id, so the
same Faker version gives the same bytes whatever PYTHONHASHSEED.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fresh_clean import CLEAN  # noqa: E402
from fresh_pii import TEMPLATES  # noqa: E402
from fresh_values import BY_CODE, LOCALES, PLACE_LOCALES, FreshLocale, FreshValues  # noqa: E402
from sample import Sample, check, compose  # noqa: E402

OUT_NAME = "broad-fresh.jsonl.gz"
PII_PER_TEMPLATE = 66
CLEAN_PER_TEMPLATE = 47
POOLS: dict[str, tuple[FreshLocale, ...]] = {
    "any": LOCALES,
    "places": PLACE_LOCALES,
    "us": (BY_CODE["en_US"],),
}


def seed_of(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def samples(limit: int | None = None) -> Iterator[Sample]:
    """The personal-data samples, then the PII-free ones; a text that repeats an earlier one is skipped."""
    values: dict[str, FreshValues] = {}
    seen: set[str] = set()
    for name, kind, pool, fn in TEMPLATES:
        locales = POOLS[pool]
        for i in range(limit or PII_PER_TEMPLATE):
            sample_id = f"fresh-{name}-{i:04d}"
            locale = locales[(seed_of("locale:" + sample_id) + i) % len(locales)]
            v = values.get(locale.code)
            if v is None:
                v = values[locale.code] = FreshValues(locale)
            text, spans, _ = compose(fn(v.reseed(seed_of(sample_id))))
            if text not in seen:
                seen.add(text)
                yield Sample(sample_id, text, spans, kind, locale.code, name)
    for name, kind, clean_fn in CLEAN:
        for i in range(limit or CLEAN_PER_TEMPLATE):
            sample_id = f"fresh-{name}-{i:04d}"
            text = clean_fn(random.Random(seed_of(sample_id)))
            if text not in seen:
                seen.add(text)
                yield Sample(sample_id, text, [], kind, "none", name, {"pii_free": True})


def build(out: Path, limit: int | None = None) -> dict[str, dict[str, int]]:
    """Write broad-fresh.jsonl.gz into out; return counts by type, template and locale."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Faker warns that some generated numbers are hypothetical
        chosen = list(samples(limit))
    ids = Counter(s.id for s in chosen)
    if max(ids.values()) > 1:
        raise ValueError("sample ids repeat")
    for s in chosen:
        check(s.text, s.spans)
    lines = "".join(json.dumps(s.as_json(), ensure_ascii=False) + "\n" for s in chosen)
    out.mkdir(parents=True, exist_ok=True)
    with (out / OUT_NAME).open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(lines.encode("utf-8"))
    types = Counter(span["type"] for s in chosen for span in s.spans)
    types["samples"] = len(chosen)
    types["pii_free"] = sum(1 for s in chosen if not s.spans)
    return {
        "types": dict(sorted(types.items())),
        "templates": dict(sorted(Counter(s.template for s in chosen).items())),
        "locales": dict(sorted(Counter(s.locale for s in chosen).items())),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write broad-fresh.jsonl.gz into")
    parser.add_argument("--limit", type=int, default=None, help="samples per template (default: the full corpus)")
    parser.add_argument("--counts", action="store_true", help="print counts by type, template and locale")
    args = parser.parse_args(argv)
    counts = build(args.out, args.limit)
    if args.counts:
        print(json.dumps(counts, indent=1))


if __name__ == "__main__":
    main()
