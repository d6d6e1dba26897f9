"""Benchmark redaction: quality on the labelled corpus, throughput, and a resent 20-turn chat; aigov vs plain Presidio.

.venv/bin/python benchmarks/bench_redaction.py [--corpus PATH] [--repeats N] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer import AnalyzerEngine

from jupyter_aigov.redaction import DEFAULT_DETECTED, DetectionEngine, Finding
from jupyter_aigov.redaction.nlp import PreloadedSpacyNlpEngine, resolve_model

Analyze = Callable[[Sequence[str]], list[list[Finding]]]
ROOT = Path(__file__).resolve().parent
TURN_TEXT = (
    "In cell {n} I loaded churn_{n}.parquet with pandas (48,000 rows, 37 columns) and fitted a gradient boosting "
    "model; AUC is 0.8{n} on the 2024-05-01 holdout. The feature importances put tenure_months, plan_tier and "
    "support_tickets first. Why does recall drop for the smallest segment, and should I try class weights or "
    "SMOTE? Also suggest a cleaner way to write the groupby/agg step in this snippet: df.groupby('segment')"
)


def load_corpus(path: Path) -> list[dict[str, Any]]:
    """The labelled samples: text and spans [{start, end, type}]."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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


def quality(samples: list[dict[str, Any]], found: list[list[Finding]]) -> dict[str, Any]:
    """Recall per entity (a span is caught when detected spans cover all its characters) and PII-free changed rate."""
    total: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    clean = changed = 0
    for sample, findings in zip(samples, found, strict=True):
        covered = set()
        for f in findings:
            covered.update(range(f.start, f.end))
        if not sample["spans"]:
            clean += 1
            changed += bool(findings)
        for span in sample["spans"]:
            total[span["type"]] += 1
            caught[span["type"]] += set(range(span["start"], span["end"])) <= covered
    return {
        "recall": {k: round(caught[k] / total[k], 4) for k in sorted(total)},
        "overall_recall": round(sum(caught.values()) / sum(total.values()), 4),
        "pii_free_changed": round(changed / clean, 4) if clean else 0.0,
        "spans": sum(total.values()),
        "pii_free_samples": clean,
    }


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


def table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    """Print one column per system."""
    print(f"\n{title}")
    keys = sorted({k for r in rows.values() for k in r})
    print(f"{'':24}" + "".join(f"{name:>22}" for name in rows))
    for key in keys:
        print(f"{key:24}" + "".join(f"{rows[n].get(key, '-')!s:>22}" for n in rows))


def main() -> None:
    """Run the three benchmarks and write benchmarks/results/redaction.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/pii-corpus/dev.jsonl"))
    parser.add_argument("--model", default="en_core_web_sm")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "redaction.json")
    args = parser.parse_args()

    # Plain Presidio's email recognizer tries to fetch the public suffix list; offline it logs a traceback.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    samples = load_corpus(args.corpus)
    texts = [s["text"] for s in samples]
    engine = DetectionEngine(args.model, deadline_ms=600_000)
    assert engine.wait_ready(120), engine.status()
    presidio = plain_presidio(args.model, DEFAULT_DETECTED)
    presidio_all = plain_presidio(args.model, None)

    def ours(batch: Sequence[str]) -> list[list[Finding]]:
        return engine.analyze_many(batch, DEFAULT_DETECTED)

    engine.cache.clear()
    results: dict[str, Any] = {
        "quality": {
            "aigov": quality(samples, ours(texts)),
            "presidio_same_entities": quality(samples, presidio(texts)),
            "presidio_all_entities": quality(samples, presidio_all(texts)),
        }
    }
    chars = sum(map(len, texts))
    cold = median_seconds(lambda: ours(texts), args.repeats, engine.cache.clear)
    warm = median_seconds(lambda: ours(texts), args.repeats)
    base = median_seconds(lambda: presidio(texts), args.repeats)
    results["throughput"] = {
        "chars": chars,
        "aigov_cold_chars_per_s": round(chars / cold),
        "aigov_warm_chars_per_s": round(chars / warm),
        "presidio_chars_per_s": round(chars / base),
        "ratio_cold": round(base / cold, 2),
        "compared": "aigov cold (cache cleared before every repeat) vs presidio, same entities, medians",
    }
    results["chat"] = chat_turns(engine, presidio)
    results["model"] = engine.status()

    table(
        "Quality (recall per entity)",
        {
            k: {**v["recall"], "OVERALL": v["overall_recall"], "pii_free_changed": v["pii_free_changed"]}
            for k, v in results["quality"].items()
        },
    )
    table("Throughput", {"": results["throughput"]})
    table("20-turn chat, whole history resent each turn", {"": results["chat"]})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
