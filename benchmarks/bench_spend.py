"""Benchmark spending: µs per cost_of() call, and per reserve+settle on the budget ledger.

    python benchmarks/bench_spend.py [--calls 2000] [--prefill 20000] [--dir .]

Prints a table and writes benchmarks/results/spend.json. The ledger lives in a temporary folder under
``--dir`` (default: the current folder), so that it is measured on the disk evidence would use, not on a
tmpfs. Every limit is set, so each reserve runs every check; one run is on an empty ledger and one on a
ledger already holding ``--prefill`` calls of the same user and session made earlier (0.1 s apart), to
show that a check does not grow with the calls already made. requests_per_minute is 600, so each run
makes at most 599 calls in its minute, and the fresh ledger has a minute to itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

from aigov_core.policy.document import BudgetsSection
from jupyter_aigov.providers.base import Usage
from jupyter_aigov.spend import BudgetLedger, cost_of, warm_up

RESULTS = Path(__file__).parent / "results" / "spend.json"
MODELS = [
    ("openai", "gpt-4o-mini"),
    ("anthropic", "claude-3-5-sonnet-20241022"),
    ("bedrock", "us.anthropic.claude-3-5-sonnet-20240620-v1:0"),
    ("gemini", "gemini-2.5-pro"),  # tiered prices
    ("openai-compatible", "openai/gpt-4o-mini"),  # matched by model alone, after the provider prefix
]
LIMITS = BudgetsSection(
    tokens_per_session=10**12, usd_per_day=1e9, usd_per_day_per_use_case=1e9, requests_per_minute=600
)
FIRST_USE = (
    "import time; t = time.perf_counter(); from jupyter_aigov.spend import warm_up; warm_up(); "
    "print((time.perf_counter() - t) * 1000)"
)


def bench_first_use() -> float:
    """Milliseconds to load the price list in a fresh process (what warm_up() spends)."""
    done = subprocess.run([sys.executable, "-c", FIRST_USE], capture_output=True, text=True, check=True)
    return float(done.stdout)


def bench_cost_of(number: int, repeats: int) -> dict[str, Any]:
    """Median µs per cost_of() call after warm-up, per model; genai-prices' own calc_price beside it."""
    import genai_prices

    warm_up()
    usage = Usage(input_tokens=1200, output_tokens=300)
    figures: dict[str, Any] = {}
    for provider, model in MODELS:
        started = time.perf_counter()
        cost_of(provider, model, usage)  # first call: match the model, read its tariff
        cold = (time.perf_counter() - started) * 1e6
        runs = timeit.repeat(lambda: cost_of(provider, model, usage), number=number, repeat=repeats)  # noqa: B023
        figures[f"{provider}/{model}"] = {"first_us": cold, "median_us": statistics.median(runs) / number * 1e6}
    theirs = genai_prices.Usage(input_tokens=1200, output_tokens=300)
    runs = timeit.repeat(
        lambda: genai_prices.calc_price(theirs, "gpt-4o-mini", provider_id="openai"), number=200, repeat=repeats
    )
    figures["genai_prices.calc_price (for scale)"] = {
        "first_us": None,
        "median_us": statistics.median(runs) / 200 * 1e6,
    }
    return figures


def time_reserve_settle(ledger: BudgetLedger, calls: int, since: float | None = None) -> list[float]:
    """µs of each of ``calls`` reserve+settle pairs, every limit set; from ``since`` 0.1 s apart, else now.

    Calls made now stay under requests_per_minute (600 in each sliding minute; a breach ends the run).
    """
    took = []
    for i in range(calls):
        started = time.perf_counter()
        held = ledger.reserve(
            limits=LIMITS,
            session="bench",
            user="ada",
            use_case="churn",
            estimated_tokens=1200,
            estimated_usd=0.0002,
            now=None if since is None else since + i * 0.1,
        )
        ledger.settle(held, 1180, 300 + i % 50, 0.00036)
        took.append((time.perf_counter() - started) * 1e6)
    return took


def summary(took: list[float]) -> dict[str, float]:
    quantiles = statistics.quantiles(took, n=100)
    return {"median_us": statistics.median(took), "p90_us": quantiles[89], "p99_us": quantiles[98]}


def bench_ledger(calls: int, prefill: int, folder: Path) -> dict[str, Any]:
    """reserve+settle on a fresh ledger, then on one already holding ``prefill`` calls."""
    fresh = BudgetLedger(folder / "fresh.sqlite3")
    time_reserve_settle(fresh, 50, since=time.time() - 3600)  # creation and pruning are not the steady state
    empty = summary(time_reserve_settle(fresh, calls))
    full = BudgetLedger(folder / "full.sqlite3")
    time_reserve_settle(full, prefill, since=time.time() - 60 - prefill * 0.1)  # earlier today, mostly
    loaded = summary(time_reserve_settle(full, calls))
    size = (folder / "full.sqlite3").stat().st_size + (folder / "full.sqlite3-wal").stat().st_size
    return {"calls": calls, "empty": empty, "prefilled": {"calls_before": prefill, "bytes": size, **loaded}}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print a table, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="timed reserve+settle pairs per run (at most 599)")
    parser.add_argument("--prefill", type=int, default=20000, help="calls in the ledger before the second run")
    parser.add_argument("--number", type=int, default=20000, help="cost_of calls per timing")
    parser.add_argument("--repeats", type=int, default=5, help="timings per model, the median is kept")
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="folder for the ledgers (default: here)")
    args = parser.parse_args(argv)
    if not 0 < args.calls < LIMITS.requests_per_minute:
        parser.error(f"--calls must be between 1 and {LIMITS.requests_per_minute - 1}")
    first_use = bench_first_use()
    prices = bench_cost_of(args.number, args.repeats)
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-spend-") as tmp:
        ledger = bench_ledger(args.calls, args.prefill, Path(tmp))
        filesystem = subprocess.run(["df", "-T", tmp], capture_output=True, text=True).stdout.splitlines()[-1:]
    results = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        "filesystem": filesystem[0].split()[1] if filesystem else "unknown",
        "price_list_load_ms": first_use,
        "cost_of": prices,
        "reserve_settle": ledger,
    }
    print(f"{'cost_of()':<58}{'first µs':>10}{'median µs':>11}")
    for name, figures in prices.items():
        first = f"{figures['first_us']:.0f}" if figures["first_us"] is not None else "-"
        print(f"  {name:<56}{first:>10}{figures['median_us']:>11.2f}")
    print(f"price list load in a fresh process: {first_use:.0f} ms")
    print(
        f"\n{'reserve + settle, every limit set (' + results['filesystem'] + ')':<46}{'median':>8}{'p90':>8}{'p99':>8}"
    )
    for label, figures in [("empty ledger", ledger["empty"]), (f"after {args.prefill:,} calls", ledger["prefilled"])]:
        row = f"  {label:<44}{figures['median_us']:>8.1f}{figures['p90_us']:>8.1f}{figures['p99_us']:>8.1f}"
        print(row + "  µs")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
