"""Benchmark the inventory: what `require_registered_model` adds to an AI call, and what writes cost.

    python benchmarks/bench_inventory.py [--models 200] [--calls 2000] [--repeats 7] [--dir .]

Prints a table and writes benchmarks/results/inventory.json. The inventory lives in a temporary folder under
``--dir`` (default: the current folder, so it is measured on the disk a project would use). It holds
``--models`` registrations, each with an approved assessment. Measured, medians over ``--repeats`` runs:

- the registration check of one call when the inventory has not changed (the index is reused: three
  ``stat`` calls and two dictionary lookups), for a registered and an unregistered model;
- the check right after a change (the whole inventory is read again and re-indexed);
- one registration update and one assessment update (lock, validation, synced change record, rename).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from jupyter_aigov.inventory.assessment import assess
from jupyter_aigov.inventory.enforcement import RegistrationCheck
from jupyter_aigov.inventory.registration import register_model
from jupyter_aigov.inventory.store import Inventory

RESULTS = Path(__file__).parent / "results" / "inventory.json"
TODAY = date(2026, 11, 24)


def fill(inventory: Inventory, models: int) -> None:
    """`models` registrations, each approved under the NIST AI RMF."""
    for number in range(models):
        model = register_model(
            inventory,
            {
                "name": f"model-{number}",
                "provider": "openai",
                "aliases": [f"alias-{number}"],
                "owner": "bench",
                "intended_purpose": "Benchmark.",
                "risk_tier": "limited",
            },
            "bench",
        )
        approved = {"framework": "nist-ai-rmf", "assessor": "a", "status": "approved", "approver": "b"}
        assess(inventory, model.id, approved, "bench", TODAY)


def per_call_us(check: RegistrationCheck, model: str, calls: int, repeats: int) -> float:
    """Median µs per verdict on an unchanged inventory."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            check.verdict("openai", model, None, TODAY)
        runs.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(runs)


def after_change_ms(inventory: Inventory, check: RegistrationCheck, repeats: int) -> tuple[float, float]:
    """Median ms of a registration update, and of the first verdict after it (which re-indexes)."""
    writes, checks = [], []
    for number in range(repeats):
        start = time.perf_counter()
        register_model(inventory, {"id": "openai-model-0", "limitations": f"run {number}"}, "bench")
        writes.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        check.verdict("openai", "model-0", None, TODAY)
        checks.append((time.perf_counter() - start) * 1000)
    return statistics.median(writes), statistics.median(checks)


def assessment_write_ms(inventory: Inventory, repeats: int) -> float:
    """Median ms of an assessment update (one answer changed)."""
    runs = []
    for number in range(repeats):
        answers = {"MAP 1.1": {"remarks": f"run {number}"}}
        start = time.perf_counter()
        assess(inventory, "openai-model-1", {"framework": "nist-ai-rmf", "answers": answers}, "bench", TODAY)
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--dir", default=".")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-inventory-") as folder:
        inventory = Inventory(Path(folder) / "inventory")
        start = time.perf_counter()
        fill(inventory, args.models)
        fill_s = time.perf_counter() - start
        check = RegistrationCheck(inventory)
        start = time.perf_counter()
        first = check.verdict("openai", "model-0", None, TODAY)
        first_ms = (time.perf_counter() - start) * 1000
        assert first.allowed, first.reason
        results: dict[str, Any] = {
            "models": args.models,
            "fill_s": round(fill_s, 2),
            "first_check_ms": round(first_ms, 2),
            "check_registered_us": round(per_call_us(check, "model-7", args.calls, args.repeats), 2),
            "check_alias_us": round(per_call_us(check, "alias-7", args.calls, args.repeats), 2),
            "check_unregistered_us": round(per_call_us(check, "gpt-5", args.calls, args.repeats), 2),
        }
        write_ms, reindex_ms = after_change_ms(inventory, check, args.repeats)
        results["registration_write_ms"] = round(write_ms, 2)
        results["check_after_change_ms"] = round(reindex_ms, 2)
        results["assessment_write_ms"] = round(assessment_write_ms(inventory, args.repeats), 2)
        inventory.close()
    results["machine"] = f"{platform.machine()} {platform.system()} python {platform.python_version()}"
    for key, value in results.items():
        print(f"{key:24} {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
