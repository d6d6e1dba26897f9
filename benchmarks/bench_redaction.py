"""Benchmark redaction: quality on three labelled corpora, throughput, a resent 20-turn chat; aigov vs plain Presidio.

.venv/bin/python benchmarks/bench_redaction.py [--split fresh|heldout|design] [--corpus NAME=PATH ...] [--repeats N]

By default the corpora are the never-read split, `fresh` (benchmarks/corpus/*-fresh.jsonl.gz, written apart from
the recognizers), and ../shared/pii-corpus/dev.jsonl. `--split heldout` measures the first held-out split, which
has been read since it was measured; `--split design` the part the recognizers were designed on.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import logging
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine

from jupyter_aigov.redaction import DEFAULT_DETECTED, DetectionEngine, Finding
from jupyter_aigov.redaction.nlp import PreloadedSpacyNlpEngine, resolve_model

Analyze = Callable[[Sequence[str]], list[list[Finding]]]
SPLITS = ("fresh-heldout", "fresh-design", "fresh", "heldout", "design")
ROOT = Path(__file__).resolve().parent
CORPUS_DIR = ROOT / "corpus"
DEV_CORPUS = ROOT.parent.parent / "shared" / "pii-corpus" / "dev.jsonl"
STRUCTURED = ("EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN", "IBAN_CODE", "IP_ADDRESS")
TURN_TEXT = (
    "In cell {n} I loaded churn_{n}.parquet with pandas (48,000 rows, 37 columns) and fitted a gradient boosting "
    "model; AUC is 0.8{n} on the 2024-05-01 holdout. The feature importances put tenure_months, plan_tier and "
    "support_tickets first. Why does recall drop for the smallest segment, and should I try class weights or "
    "SMOTE? Also suggest a cleaner way to write the groupby/agg step in this snippet: df.groupby('segment')"
)


def load_corpus(path: Path) -> list[dict[str, Any]]:
    """The labelled samples: text and spans [{start, end, type}] (and, in the secrets corpus, format and family)."""
    data = path.read_bytes()
    text = gzip.decompress(data).decode("utf-8") if path.suffix == ".gz" else data.decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def default_corpora(split: str) -> dict[str, Path]:
    """The three corpora the issue names: broad and secrets (the given split), and the shared dev corpus."""
    stem = split.split("-")[0]  # fresh-design and fresh-heldout are halves of the fresh files
    return {
        f"broad-{split}": CORPUS_DIR / f"broad-{stem}.jsonl.gz",
        f"secrets-{split}": CORPUS_DIR / f"secrets-{stem}.jsonl.gz",
        "dev": DEV_CORPUS,
    }


def fresh_half(template: str) -> str:
    """Which half of the fresh corpora a template belongs to: templates sorted by a hash, alternately design and
    held-out, so each half has whole templates (and a reader of one half never sees the other's shapes)."""
    return "design" if _fresh_order().get(template, 0) % 2 == 0 else "heldout"


@functools.cache
def _fresh_order() -> dict[str, int]:
    paths = (CORPUS_DIR / "broad-fresh.jsonl.gz", CORPUS_DIR / "secrets-fresh.jsonl.gz")
    templates = {s["template"] for path in paths if path.exists() for s in load_corpus(path)}
    ranked = sorted(templates, key=lambda t: hashlib.sha256(("fresh-split:" + t).encode()).hexdigest())
    return {template: index for index, template in enumerate(ranked)}


def in_split(samples: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """The samples of `split`: all of them, or one half of a fresh corpus (`fresh-design`, `fresh-heldout`)."""
    if not split.startswith("fresh-"):
        return samples
    return [s for s in samples if fresh_half(s["template"]) == split.removeprefix("fresh-")]


def plain_presidio(model: str, entities: Sequence[str] | None) -> Analyze:
    """Presidio as shipped: default recognizers, the whole spaCy pipeline, one analyze() per text."""
    target = resolve_model(model)
    assert target is not None, f"spaCy model {model} is not installed"
    engine = AnalyzerEngine(nlp_engine=PreloadedSpacyNlpEngine(spacy.load(target)), supported_languages=["en"])
    wanted = list(entities) if entities else None

    def analyze(texts: Sequence[str]) -> list[list[Finding]]:
        return [
            [Finding(r.entity_type, r.start, r.end, r.score) for r in engine.analyze(t, "en", entities=wanted)]
            for t in texts
        ]

    return analyze


def _covered(findings: Sequence[Finding], entity: str | None = None) -> set[int]:
    chars: set[int] = set()
    for f in findings:
        if entity is None or f.entity == entity:
            chars.update(range(f.start, f.end))
    return chars


def quality(samples: list[dict[str, Any]], found: list[list[Finding]]) -> dict[str, Any]:
    """Recall per entity, PII-free samples changed, and precision of findings.

    A labelled span is *protected* when findings of any type cover all its characters (redaction hides it
    whatever it is called), and *caught* when findings of its own type do. A finding is a false positive
    when it touches no labelled span.
    """
    total: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    protected: Counter[str] = Counter()
    per_group: dict[str, Counter[str]] = defaultdict(Counter)
    findings_total = false_positives = 0
    fp_types: Counter[str] = Counter()
    clean = changed = 0
    lookalike_kinds: Counter[str] = Counter()
    lookalike_changed: Counter[str] = Counter()
    for sample, findings in zip(samples, found, strict=True):
        anywhere = _covered(findings)
        labelled: set[int] = set()
        for span in sample["spans"]:
            labelled.update(range(span["start"], span["end"]))
        findings_total += len(findings)
        for f in findings:
            if not labelled & set(range(f.start, f.end)):
                false_positives += 1
                fp_types[f.entity] += 1
        if not sample["spans"]:
            clean += 1
            changed += bool(findings)
            if kind := sample.get("lookalike"):
                lookalike_kinds[kind] += 1
                lookalike_changed[kind] += bool(findings)
        for span in sample["spans"]:
            chars = set(range(span["start"], span["end"]))
            kind = span["type"]
            total[kind] += 1
            hit = chars <= _covered(findings, kind)
            caught[kind] += hit
            protected[kind] += chars <= anywhere
            if kind == "SECRET" and sample.get("format"):
                per_group[f"format:{sample['format']}"]["total"] += 1
                per_group[f"format:{sample['format']}"]["caught"] += hit
                per_group[f"family:{sample.get('family')}"]["total"] += 1
                per_group[f"family:{sample.get('family')}"]["caught"] += hit
                per_group[f"context:{sample.get('context')}"]["total"] += 1
                per_group[f"context:{sample.get('context')}"]["caught"] += hit
    spans = sum(total.values())
    result: dict[str, Any] = {
        "recall": {k: round(caught[k] / total[k], 4) for k in sorted(total)},
        "recall_any_type": {k: round(protected[k] / total[k], 4) for k in sorted(total)},
        "overall_recall": round(sum(caught.values()) / spans, 4) if spans else None,
        "overall_recall_any_type": round(sum(protected.values()) / spans, 4) if spans else None,
        "spans": dict(sorted(total.items())),
        "pii_free_changed": round(changed / clean, 4) if clean else None,
        "pii_free_samples": clean,
        "finding_precision": round(1 - false_positives / findings_total, 4) if findings_total else None,
        "false_positives_by_type": dict(fp_types.most_common()),
    }
    if lookalike_kinds:
        result["lookalikes_changed"] = round(sum(lookalike_changed.values()) / sum(lookalike_kinds.values()), 4)
        result["lookalikes_changed_by_kind"] = {
            k: f"{lookalike_changed[k]}/{n}" for k, n in sorted(lookalike_kinds.items()) if lookalike_changed[k]
        }
    if per_group:
        formats = {k[7:]: v for k, v in per_group.items() if k.startswith("format:")}
        families = {k[7:]: v for k, v in per_group.items() if k.startswith("family:")}
        contexts = {k[8:]: v for k, v in per_group.items() if k.startswith("context:")}
        result["secret_formats"] = len(formats)
        result["secret_families"] = len(families)
        result["secret_formats_fully_caught"] = sum(v["caught"] == v["total"] for v in formats.values())
        result["secret_recall_by_context"] = {
            k: round(v["caught"] / v["total"], 4) for k, v in sorted(contexts.items())
        }
        result["secret_formats_missed"] = sorted(
            f"{k} {v['caught']}/{v['total']}" for k, v in formats.items() if v["caught"] < v["total"]
        )
    return result


def median_seconds(run: Callable[[], object], repeats: int, before: Callable[[], object] = lambda: None) -> float:
    """Median wall time of `run` over `repeats`, calling `before` (untimed) each time."""
    times = []
    for _ in range(repeats):
        before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def chat_turns(engine: DetectionEngine, baseline: Analyze, turns: int = 20) -> dict[str, Any]:
    """Per-turn time when each turn resends the whole history (turns 11..20 reported)."""
    engine.cache.clear()
    history: list[str] = []
    ours, theirs = [], []
    for n in range(1, turns + 1):
        history.append(TURN_TEXT.format(n=n)[:400])
        start = time.perf_counter()
        engine.analyze_many(history, DEFAULT_DETECTED)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        baseline(history)
        theirs.append(time.perf_counter() - start)
    ours_ms = statistics.median(ours[10:]) * 1000
    theirs_ms = statistics.median(theirs[10:]) * 1000
    return {
        "aigov_ms_per_turn": round(ours_ms, 3),
        "presidio_ms_per_turn": round(theirs_ms, 3),
        "ratio": round(theirs_ms / ours_ms, 1),
        "turns": turns,
        "reported_turns": "11-20 (median)",
    }


def targets(results: dict[str, Any], split: str) -> dict[str, Any]:
    """The issue's targets, each with the measured figure and whether it holds."""
    checks: dict[str, Any] = {}
    broad = results["quality"].get(f"broad-{split}")
    secrets = results["quality"].get(f"secrets-{split}")

    def check(name: str, value: float | None, ok: bool) -> None:
        checks[name] = {"value": value, "met": bool(ok)}

    if broad:
        ours, theirs = broad["aigov"], broad["presidio_all_entities"]
        check("broad overall recall >= 0.95", ours["overall_recall"], ours["overall_recall"] >= 0.95)
        for kind in ("PERSON", "LOCATION", "PHONE_NUMBER"):
            value = ours["recall"].get(kind)
            check(f"broad {kind} >= 0.93", value, value is not None and value >= 0.93)
        for kind in STRUCTURED:
            value = ours["recall"].get(kind)
            check(f"broad {kind} = 1.0", value, value == 1.0)
        check("broad PII-free changed <= 3%", ours["pii_free_changed"], ours["pii_free_changed"] <= 0.03)
        worse = [k for k, v in ours["recall_any_type"].items() if v < theirs["recall_any_type"].get(k, 0.0)]
        check("broad: better than plain Presidio on every entity", ", ".join(worse) or "none worse", not worse)
    if secrets:
        ours = secrets["aigov"]
        value = ours["recall"].get("SECRET")
        check("secrets SECRET recall >= 0.99 (our corpus)", value, value is not None and value >= 0.99)
        check("secrets formats >= 200", ours.get("secret_formats"), ours.get("secret_formats", 0) >= 200)
        changed = ours.get("lookalikes_changed")
        check("secrets look-alikes changed <= 3%", changed, changed is not None and changed <= 0.03)
    return checks


def table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    """Print one column per system."""
    print(f"\n{title}")
    keys = sorted({k for r in rows.values() for k in r})
    print(f"{'':28}" + "".join(f"{name:>24}" for name in rows))
    for key in keys:
        print(f"{key:28}" + "".join(f"{rows[n].get(key, '-')!s:>24}" for n in rows))


def main() -> None:
    """Measure every corpus, throughput and the chat, and write benchmarks/results/redaction.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default="fresh-heldout")
    parser.add_argument("--corpus", action="append", default=[], metavar="NAME=PATH", help="instead of the defaults")
    parser.add_argument("--model", default="en_core_web_sm")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "redaction.json")
    args = parser.parse_args()

    # Plain Presidio's email recognizer tries to fetch the public suffix list; offline it logs a traceback.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    corpora = dict(item.split("=", 1) for item in args.corpus) if args.corpus else default_corpora(args.split)
    loaded = {
        name: in_split(load_corpus(Path(path)), args.split if name != "dev" else "all")
        for name, path in corpora.items()
        if Path(path).exists()
    }
    for name, path in corpora.items():
        if name not in loaded:
            print(f"skipped {name}: {path} does not exist")
    engine = DetectionEngine(args.model, deadline_ms=600_000)
    assert engine.wait_ready(120), engine.status()
    presidio = plain_presidio(args.model, DEFAULT_DETECTED)
    presidio_all = plain_presidio(args.model, None)

    def ours(batch: Sequence[str]) -> list[list[Finding]]:
        return engine.analyze_many(batch, DEFAULT_DETECTED)

    results: dict[str, Any] = {"split": args.split, "quality": {}}
    for name, samples in loaded.items():
        texts = [s["text"] for s in samples]
        engine.cache.clear()
        results["quality"][name] = {
            "aigov": quality(samples, ours(texts)),
            "presidio_same_entities": quality(samples, presidio(texts)),
            "presidio_all_entities": quality(samples, presidio_all(texts)),
        }
    # Throughput on the broad corpus's texts (the first 1,000), cache cleared before every repeat.
    broad = next((s for n, s in loaded.items() if n.startswith("broad")), next(iter(loaded.values())))
    texts = [s["text"] for s in broad[:1000]]
    chars = sum(map(len, texts))
    cold = median_seconds(lambda: ours(texts), args.repeats, engine.cache.clear)
    warm = median_seconds(lambda: ours(texts), args.repeats)
    base = median_seconds(lambda: presidio(texts), args.repeats)
    results["throughput"] = {
        "texts": len(texts),
        "chars": chars,
        "aigov_cold_chars_per_s": round(chars / cold),
        "aigov_warm_chars_per_s": round(chars / warm),
        "presidio_chars_per_s": round(chars / base),
        "ratio_cold": round(base / cold, 2),
        "compared": "aigov cold (cache cleared before every repeat) vs presidio, same entities, medians",
    }
    results["chat"] = chat_turns(engine, presidio)
    results["model"] = engine.status()
    results["targets"] = targets(results, args.split)

    for name, systems in results["quality"].items():
        table(
            f"{name}: recall per entity (own type; any type in the JSON)",
            {
                k: {
                    **v["recall"],
                    "OVERALL": v["overall_recall"],
                    "OVERALL any type": v["overall_recall_any_type"],
                    "PII-free changed": v["pii_free_changed"],
                    "finding precision": v["finding_precision"],
                    **({"look-alikes changed": v["lookalikes_changed"]} if "lookalikes_changed" in v else {}),
                    **({"secret formats": v["secret_formats"]} if "secret_formats" in v else {}),
                }
                for k, v in systems.items()
            },
        )
    table("Throughput", {"": results["throughput"]})
    table("20-turn chat, whole history resent each turn", {"": results["chat"]})
    print("\nTargets")
    for name, check in results["targets"].items():
        print(f"  {'met ' if check['met'] else 'MISS'}  {name}: {check['value']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
