"""Build the fresh secrets corpus, a held-out split written independently of the detectors and of the first corpus.

    python benchmarks/corpus/fresh_secrets.py            # rewrites benchmarks/corpus/secrets-fresh.jsonl.gz
    python benchmarks/corpus/fresh_secrets.py --out /tmp/c --counts

Every sample is seeded from a SHA-256 of its id, so the output is the same bytes on every run and hash seed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fresh_secret_contexts import PASSWORD_CONTEXTS, Spec, password_sample, pick_context  # noqa: E402
from fresh_secret_formats import FORMATS, PASSWORD_FORMATS  # noqa: E402
from fresh_secret_lookalikes import LOOKALIKES  # noqa: E402
from fresh_secret_values import make  # noqa: E402
from sample import Sample, check, compose  # noqa: E402

OUTPUT = "secrets-fresh.jsonl.gz"
PER_FORMAT = 4
PER_KEY_BLOCK = 8
PER_PASSWORD_FORMAT = 10
PER_LOOKALIKE = 12


def seed_of(sample_id: str) -> int:
    return int.from_bytes(hashlib.sha256(sample_id.encode()).digest()[:8], "big")


def kind_of(shape: str) -> str:
    if shape.startswith("@pem:"):
        return "pem"
    if shape.startswith("https://"):
        return "url"
    return "token"


def secret_sample(sample_id: str, index: int, family: str, fmt: str, shape: str, env: str) -> Sample:
    rng = random.Random(seed_of(sample_id))
    values = [make(part, rng) for part in shape.split(" && ")]
    spec = Spec(family, fmt, list(zip(env.split(","), values, strict=True)), kind_of(shape))
    context, fn = pick_context(rng, spec, index)
    text, spans, _ = compose(fn(rng, spec))
    extra = {"family": family, "format": fmt, "context": context}
    return Sample(sample_id, text, spans, "secret", "none", context, extra)


def password_sample_of(sample_id: str, index: int, fmt: str) -> Sample:
    context, parts = password_sample(fmt, random.Random(seed_of(sample_id)), index)
    text, spans, _ = compose(parts)
    extra = {"family": "Password", "format": fmt, "context": context}
    return Sample(sample_id, text, spans, "secret", "none", context, extra)


def lookalike_sample(sample_id: str, kind: str) -> Sample:
    text = LOOKALIKES[kind](random.Random(seed_of(sample_id)))
    return Sample(sample_id, text, [], "lookalike", "none", f"lookalike_{kind}", {"lookalike": kind})


def distinct(make_one, count: int, seen: set[str]) -> Iterator[Sample]:
    """`count` samples whose texts are new, from indices 0, 1, ... (a repeat is skipped, not rerolled)."""
    made, i = 0, 0
    while made < count:
        sample = make_one(i)
        i += 1
        if sample.text in seen:
            continue
        seen.add(sample.text)
        made += 1
        yield sample
        if i > count * 20:
            raise ValueError(f"too many repeated texts for {sample.id}")


def samples() -> Iterator[Sample]:
    seen: set[str] = set()
    for family, fmt, shape, env in FORMATS:
        n = PER_KEY_BLOCK if shape.startswith("@pem:") else PER_FORMAT
        yield from distinct(
            lambda i, f=family, m=fmt, s=shape, e=env: secret_sample(f"fresh-secret-{m}-{i:02d}", i, f, m, s, e),
            n,
            seen,
        )
    for fmt in PASSWORD_FORMATS:
        assert fmt in PASSWORD_CONTEXTS
        yield from distinct(
            lambda i, m=fmt: password_sample_of(f"fresh-secret-{m}-{i:02d}", i, m), PER_PASSWORD_FORMAT, seen
        )
    for kind in LOOKALIKES:
        yield from distinct(
            lambda i, k=kind: lookalike_sample(f"fresh-secret-lookalike-{k}-{i:02d}", k), PER_LOOKALIKE, seen
        )


def lines() -> str:
    """The corpus as JSON lines, after checking ids are unique and every span lies in its text."""
    out = []
    ids: set[str] = set()
    for s in samples():
        if s.id in ids:
            raise ValueError(f"sample id {s.id} repeats")
        ids.add(s.id)
        check(s.text, s.spans)
        out.append(json.dumps(s.as_json(), ensure_ascii=False) + "\n")
    return "".join(out)


def write(path: Path, text: str) -> None:
    """Gzipped with no name or time in the header, so the same lines give the same bytes."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(text.encode("utf-8"))


def counts(text: str) -> dict[str, int]:
    rows = [json.loads(line) for line in text.splitlines()]
    secrets = [r for r in rows if r["spans"]]
    tally = Counter(
        {
            "samples": len(rows),
            "secret_samples": len(secrets),
            "lookalikes": len(rows) - len(secrets),
            "spans": sum(len(r["spans"]) for r in rows),
            "formats": len({r["format"] for r in secrets}),
            "families": len({r["family"] for r in secrets}),
            "contexts": len({r["context"] for r in secrets}),
            "lookalike_kinds": len({r["lookalike"] for r in rows if "lookalike" in r}),
        }
    )
    return dict(tally)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write secrets-fresh.jsonl.gz into")
    parser.add_argument("--counts", action="store_true", help="print the counts")
    args = parser.parse_args(argv)
    text = lines()
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / OUTPUT, text)
    if args.counts:
        print(json.dumps(counts(text), indent=1))


if __name__ == "__main__":
    main()
