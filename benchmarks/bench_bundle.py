"""Benchmark evidence bundles: export and verify time and peak memory for 10,000 and 1,000,000 records.

    python benchmarks/bench_bundle.py [--records 10000 1000000] [--repeats 3] [--dir .]

For each size a project folder (under ``--dir``, a temporary folder on the disk a project would use) gets a
notebook and its evidence log of that many records (ai.call / ai.response pairs shaped like the gateway's,
spread over 30 days, a third of them for another use case), written with the real EvidenceLog. Then, each
in a fresh process so peak memory is the operation's own, medians over ``--repeats``:

- ``verify_log`` of the source log alone: the baseline, the cost of reading and checking the chain once;
- ``aigov export FOLDER`` (the whole log), and an export filtered to one use case (an excerpt);
- ``aigov verify BUNDLE`` of the whole-log bundle.

Peak memory is the process's high-water mark (VmHWM), compared with a process that only imports the same
modules; time is wall time inside the process. Prints a table and writes benchmarks/results/bundle.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from jupyter_aigov.evidence import EvidenceLog

RESULTS = Path(__file__).parent / "results" / "bundle.json"
BATCH = 20_000

# Runs in a fresh interpreter: the operation, then its wall time and the process's peak memory.
CHILD = r"""
import json, sys, time
from pathlib import Path
operation, target, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
from jupyter_aigov.bundle.api import export
from aigov_core.bundle.verify import verify_bundle
from aigov_core.evidence import verify_log
start = time.perf_counter()
if operation == "baseline":
    result = verify_log(target)
    assert result.ok, result.fault
elif operation == "export":
    export(out, source=target, progress=False, redact_notebooks=False)
elif operation == "export-excerpt":
    export(out, source=target, progress=False, redact_notebooks=False, use_case="churn")
elif operation == "verify":
    result = verify_bundle(target)
    assert result.ok, result.fault
elapsed = time.perf_counter() - start
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"seconds": elapsed, "peak_mb": peak / 1024}))
"""


def fill_project(folder: Path, records: int) -> Path:
    """A notebook and its evidence log of ``records`` records; returns the log."""
    folder.mkdir(parents=True)
    notebook = new_notebook()
    notebook.cells = [new_code_cell("client.chat.completions.create(model='gpt-4o-mini', messages=[...])")]
    (folder / "churn.ipynb").write_text(nbformat.writes(notebook))
    (folder / "aigov.yaml").write_text("version: 1\n")
    path = folder / ".aigov" / "evidence" / "churn.jsonl"
    log = EvidenceLog(path)
    batch: list[dict[str, Any]] = []
    for number in range(records // 2):
        day, second = divmod(number * 2, max(records // 30, 1))
        ts = f"2026-10-{1 + day % 30:02d}T{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}.000000Z"
        use_case = "churn" if number % 3 else "triage"
        call_id = f"{number:016x}"
        decision = ("allow", "allow", "redact", "block")[number % 4]
        common = {
            "ts": ts, "session": "0123456789abcdef", "user": "ada", "notebook": str(folder / "churn.ipynb"),
            "use_case": use_case, "provider": "openai", "model": "gpt-4o-mini", "call_id": call_id, "api": "openai",
        }  # fmt: skip
        batch.append({
            **common, "event": "ai.call", "decision": decision, "library": "httpx2", "host": "api.openai.com",
            "operation": "chat.completions", "stream": False, "tools": [], "tools_stripped": [],
            "rules": ["models.allowed"] + (["redaction.redact"] if decision == "redact" else []),
            "reason": "Model 'gpt-4o-mini' is allowed by the pattern 'gpt-4o-mini'.",
            "entities": {"PERSON": 1, "EMAIL_ADDRESS": 1} if decision == "redact" else {}, "usage": None,
        })  # fmt: skip
        if decision != "block":
            batch.append({
                **common, "event": "ai.response", "decision": "allow", "rules": [], "reason": "", "entities": {},
                "status": 200, "duration_ms": 412.5, "error": None, "cost_usd": 0.0000421,
                "usage": {"input_tokens": 180, "output_tokens": 42},
            })  # fmt: skip
        else:
            batch.append({**common, "event": "tool.call", "decision": "allow", "tool": "search_docs", "rules": []})
        if len(batch) >= BATCH:
            log.append_all(batch, durable=False)
            batch = []
    if batch:
        log.append_all(batch, durable=False)
    log.close()
    return path


def run(operation: str, target: Path, out: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, operation, str(target), str(out)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{operation} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def idle_peak_mb() -> float:
    code = (
        "import jupyter_aigov.bundle.api, jupyter_aigov.bundle.export, aigov_core.bundle.verify\n"
        "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def measure(records: int, repeats: int, base: Path) -> dict[str, Any]:
    folder = base / f"project-{records}"
    started = time.perf_counter()
    log = fill_project(folder, records)
    written_s = time.perf_counter() - started
    row: dict[str, Any] = {"records": records, "log_mb": log.stat().st_size / 2**20, "write_log_s": written_s}
    bundle = base / f"bundle-{records}.zip"
    for operation, target in (
        ("baseline", log), ("export", folder), ("export-excerpt", folder), ("verify", bundle)
    ):  # fmt: skip
        runs = []
        for _ in range(repeats):
            out = base / f"out-{records}.zip"
            out.unlink(missing_ok=True)
            runs.append(run(operation, target, out))
            if operation == "export" and not bundle.exists():
                out.rename(bundle)
            out.unlink(missing_ok=True)
        row[operation] = {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs),
        }
    row["bundle_mb"] = bundle.stat().st_size / 2**20
    row["export_vs_baseline"] = row["export"]["seconds"] / row["baseline"]["seconds"]
    row["verify_vs_baseline"] = row["verify"]["seconds"] / row["baseline"]["seconds"]
    shutil.rmtree(folder)
    bundle.unlink()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default=".")
    args = parser.parse_args()
    idle = idle_peak_mb()
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir, prefix=".bench-bundle-") as base:
        for records in args.records:
            rows.append(measure(records, args.repeats, Path(base)))
    print(f"peak memory of a process that only imports the modules: {idle:.0f} MB")
    print(f"{'records':>9} {'log MB':>7} {'operation':>15} {'seconds':>8} {'peak MB':>8} {'vs verify_log':>13}")
    for row in rows:
        for operation in ("baseline", "export", "export-excerpt", "verify"):
            ratio = row[operation]["seconds"] / row["baseline"]["seconds"]
            print(
                f"{row['records']:>9} {row['log_mb']:>7.0f} {operation:>15} {row[operation]['seconds']:>8.2f} "
                f"{row[operation]['peak_mb']:>8.0f} {ratio:>12.2f}x"
            )
        print(f"{'':>9} bundle: {row['bundle_mb']:.1f} MB")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"python": platform.python_version(), "repeats": args.repeats, "idle_peak_mb": idle, "rows": rows},
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
