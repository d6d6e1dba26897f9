"""Benchmark secret detection: recall per family and per context, look-alikes changed, what each part adds, and
the cost per text.

.venv/bin/python benchmarks/bench_secrets.py [--corpus PATH] [--repeats N]

The corpus is JSON lines {id, text, spans: [{start, end, type}]} with optional labels, on the sample or on a
span: `family`, `format`, `context`, and `lookalike` (true on a sample that holds none). A secret counts as
caught when findings cover every character of it (a partly hidden key still leaks the rest).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench_redaction import load_corpus  # reads .jsonl and .jsonl.gz

from jupyter_aigov.redaction.secrets.formats import load_formats
from jupyter_aigov.redaction.secrets.recognizer import PARTS, find_secrets

ROOT = Path(__file__).resolve().parent
DEV_CORPUS = ROOT.parent.parent / "shared" / "pii-corpus" / "dev.jsonl"

# PII-free code a data scientist might paste: what every call pays for when it holds no secret.
CODE_SNIPPET = '''import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score, classification_report

df = pd.read_parquet("data/customers_2024.parquet")
df["tenure_months"] = (df["last_seen"] - df["signup_date"]).dt.days // 30
features = ["tenure_months", "monthly_spend", "support_tickets", "plan_tier", "region_code"]
X = pd.get_dummies(df[features], columns=["plan_tier", "region_code"])
y = df["churned"].astype(int)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)

model = GradientBoostingClassifier(n_estimators=300, learning_rate=0.05, max_depth=3, subsample=0.8)
model.fit(X_train, y_train)
proba = model.predict_proba(X_test)[:, 1]
print("AUC", roc_auc_score(y_test, proba))
print(classification_report(y_test, proba > 0.5))

importances = pd.Series(model.feature_importances_, index=X.columns).sort_values(ascending=False)
for name, value in importances.head(10).items():
    print(f"{name:30s} {value:.4f}")

def evaluate(threshold: float) -> dict:
    """Precision and recall at a threshold."""
    pred = proba > threshold
    tp = int(((pred == 1) & (y_test == 1)).sum())
    fp = int(((pred == 1) & (y_test == 0)).sum())
    fn = int(((pred == 0) & (y_test == 1)).sum())
    return {"precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1)}

results = {t: evaluate(t) for t in np.linspace(0.1, 0.9, 9)}
best = max(results, key=lambda t: results[t]["recall"] if results[t]["precision"] > 0.6 else 0)
print("best threshold", best, results[best])
# Why does recall drop above 0.6? The key column is customer_id; the token budget is 4096 per request.
# Next: compare with a logistic regression baseline, calibrate the scores, and plot the precision/recall
# curve per region_code; the holdout from 2024-05-01 should stay untouched until the final evaluation.
'''[:2048]


def covered(span: dict[str, Any], found: Iterable[tuple[str, int, int, float]]) -> bool:
    """True when the findings cover every character of `span`."""
    chars = set(range(span["start"], span["end"]))
    for _, start, end, _ in found:
        chars -= set(range(start, end))
    return not chars


def label(sample: dict[str, Any], span: dict[str, Any], key: str) -> str:
    return str(span.get(key) or sample.get(key) or "-")


def evaluate(samples: list[dict[str, Any]], parts: Iterable[str] = PARTS) -> dict[str, Any]:
    """Recall per family and context, and the share of look-alike (secret-free) samples changed."""
    chosen = tuple(parts)
    caught: dict[str, dict[str, list[int]]] = {
        "family": defaultdict(lambda: [0, 0]),
        "context": defaultdict(lambda: [0, 0]),
    }
    formats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    total = hit = lookalikes = changed = 0
    missed: list[str] = []
    for sample in samples:
        found = find_secrets(sample["text"], chosen)
        secrets = [s for s in sample.get("spans", []) if s["type"] == "SECRET"]
        if not secrets:
            if sample.get("lookalike", True):
                lookalikes += 1
                changed += bool(found)
            continue
        for span in secrets:
            ok = covered(span, found)
            total += 1
            hit += ok
            for key, table in caught.items():
                table[label(sample, span, key)][0] += ok
                table[label(sample, span, key)][1] += 1
            fmt = label(sample, span, "format")
            formats[fmt][0] += ok
            formats[fmt][1] += 1
            if not ok:
                missed.append(sample["id"])
    return {
        "secrets": total,
        "recall": hit / max(total, 1),
        "lookalikes": lookalikes,
        "lookalikes_changed": changed / max(lookalikes, 1),
        "per_family": {k: v[0] / v[1] for k, v in sorted(caught["family"].items())},
        "per_context": {k: v[0] / v[1] for k, v in sorted(caught["context"].items())},
        "formats": len(formats),
        "formats_at_0.95": sum(v[0] / v[1] >= 0.95 for v in formats.values()),
        "missed": missed,
    }


def cost_us(text: str, repeats: int) -> float:
    """Median microseconds of one find_secrets call on `text`."""
    find_secrets(text)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        find_secrets(text)
        runs.append((time.perf_counter() - start) * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEV_CORPUS)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    table = load_formats()
    samples = load_corpus(args.corpus)
    report: dict[str, Any] = {
        "corpus": str(args.corpus),
        "table": {"formats": len(table.formats), "sections": len(table.families)},
        "all_parts": evaluate(samples),
        "only": {part: evaluate(samples, [part])["recall"] for part in PARTS},
        "without": {part: evaluate(samples, [p for p in PARTS if p != part])["recall"] for part in PARTS},
        "cost_us_2kB_code": round(cost_us(CODE_SNIPPET, args.repeats), 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
