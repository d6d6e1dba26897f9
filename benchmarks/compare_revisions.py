"""Before and after, in one run: a benchmark run on two revisions of the code, alternately, on the same machine.

Each revision is checked out into a temporary git worktree; each round runs every named benchmark once per
revision, in ABBA order across rounds so that drift on a shared machine cancels, with the revision's own code
first on PYTHONPATH (the same .venv, so the same library versions). Every benchmark already measures against
its own baseline in the same process (aigov off vs on); this compares those figures between revisions.

    .venv/bin/python benchmarks/compare_revisions.py --before 9abc06b          # after: the working tree
    .venv/bin/python benchmarks/compare_revisions.py --before main~5 --after main --rounds 4

Prints a table of medians over rounds and writes benchmarks/results/compare_revisions.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "compare_revisions.json"

Figures = Callable[[dict[str, Any]], dict[str, float]]


def _overhead(result: dict[str, Any]) -> dict[str, float]:
    figures = {f"non-AI {name}: on/off ratio": r["ratio"] for name, r in result["non_ai"]["loopback"].items()}
    figures.update({f"AI {name}: added µs": r["added_us"] for name, r in result["ai"].items()})
    return figures


def _stream_chunks(result: dict[str, Any]) -> dict[str, float]:
    return {"stream: added ms per chunk (median)": result["median_added_ms_per_chunk"]}


BENCHES: dict[str, tuple[str, list[str], Figures]] = {
    "overhead": ("bench_overhead.py", ["--rounds", "20", "--ai-rounds", "6", "--profile-calls", "20"], _overhead),
    "stream_chunks": ("bench_stream_chunks.py", [], _stream_chunks),
}


def checkout(revision: str, into: Path) -> Path:
    """A worktree of `revision` (a commit, branch or tag) in a new folder under `into`."""
    folder = into / revision.replace("/", "_").replace("~", "-")
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(folder), revision], check=True)
    return folder


def run_bench(tree: Path, bench: str) -> dict[str, float]:
    """Run one benchmark of `tree` with that tree's code; its figures."""
    script, args, figures = BENCHES[bench]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, str(tree / "benchmarks" / script), *args], check=True, env=env, cwd=tree)
    result = json.loads((tree / "benchmarks" / "results" / f"{bench}.json").read_text())
    return figures(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the revision measured as before (commit, branch, tag)")
    parser.add_argument("--after", default=None, help="the revision measured as after (default: the working tree)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of one run per revision (ABBA order)")
    parser.add_argument("--bench", nargs="+", default=list(BENCHES), choices=list(BENCHES))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aigov-compare-") as scratch:
        trees = {"before": checkout(options.before, Path(scratch))}
        trees["after"] = checkout(options.after, Path(scratch)) if options.after else ROOT
        runs: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
        try:
            for round_number in range(options.rounds):
                order = ["before", "after"] if round_number % 2 == 0 else ["after", "before"]
                for side in order:
                    for bench in options.bench:
                        for name, value in run_bench(trees[side], bench).items():
                            runs[side].setdefault(name, []).append(value)
        finally:
            for tree in trees.values():
                if tree != ROOT:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    table = {
        name: {
            "before": statistics.median(runs["before"][name]),
            "after": statistics.median(runs["after"].get(name, [float("nan")])),
        }
        for name in runs["before"]
    }
    print(f"\n{'figure (median over rounds)':60} {'before':>10} {'after':>10}")
    for name, row in table.items():
        print(f"{name:60} {row['before']:10.3f} {row['after']:10.3f}")
    RESULTS.parent.mkdir(exist_ok=True)
    summary = {"before": options.before, "after": options.after or "working tree", "rounds": options.rounds}
    RESULTS.write_text(json.dumps({**summary, "figures": table, "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
