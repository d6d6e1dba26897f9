"""How long `%load_ext aigov` takes in a fresh kernel (target: under 300 ms), and which imports dominate it.

    python benchmarks/bench_load.py [--repeats 5] [--kernel-repeats 5] [--importtime-runs 3] [--top 12]

Every repeat is a fresh process, so nothing is cached in memory (the OS file cache is warm after the
first, as it is on any kernel start but the first). Measured three ways:

- shell: `python -c` creates IPython's InteractiveShell, then times `run_line_magic('load_ext', 'aigov')`;
- kernel: a real ipykernel started through jupyter_client runs the same timed magic in a cell;
- importtime: `python -X importtime -c "import aigov"`, medians over runs, top modules by own and by
  cumulative time, and own time summed per top-level package.

AIGOV_POLICY names a minimal `version: 1` file (or, with --default-policy, none: the built-in default)
and AIGOV_EVIDENCE_DIR a temp folder. Prints tables and writes benchmarks/results/load.json.
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
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "load.json"
TARGET_MS = 300.0
TIMED_MAGIC = (
    "import time; t = time.perf_counter(); get_ipython().run_line_magic('load_ext', 'aigov'); "
    "print('load_ext_seconds', time.perf_counter() - t)"
)
SHELL_SCRIPT = f"""
import time
from IPython.core.interactiveshell import InteractiveShell
get_ipython = InteractiveShell.instance
get_ipython()
{TIMED_MAGIC}
import aigov
assert aigov.status()["enabled"], "aigov did not enable"
"""


def load_seconds(printed: str) -> float:
    """The timed figure from what the cell printed (the extension's own load line comes first)."""
    return float(printed.split("load_ext_seconds", 1)[1].split()[0])


def bench_shell(repeats: int, env: dict[str, str], cwd: Path) -> list[float]:
    """Seconds of `%load_ext aigov` in a fresh InteractiveShell, one process per repeat."""
    seconds = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", SHELL_SCRIPT], env=env, cwd=cwd, capture_output=True, text=True, check=True
        )
        seconds.append(load_seconds(out.stdout))
    return seconds


def bench_kernel(repeats: int, env: dict[str, str], cwd: Path) -> dict[str, list[float]]:
    """Seconds of `%load_ext aigov` in a fresh ipykernel, and of starting that kernel, per repeat."""
    from jupyter_client.manager import start_new_kernel

    load, start = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        manager, client = start_new_kernel(
            kernel_name="python3",
            env=env,
            cwd=str(cwd),
            stderr=subprocess.DEVNULL,  # its TCP warning
        )
        start.append(time.perf_counter() - started)
        try:
            printed: list[str] = []

            def collect(message: dict[str, Any], printed: list[str] = printed) -> None:
                if message["header"]["msg_type"] == "stream":
                    printed.append(message["content"]["text"])
                elif message["header"]["msg_type"] == "error":
                    printed.append("\n".join(message["content"]["traceback"]))

            reply = client.execute_interactive(TIMED_MAGIC, timeout=60, output_hook=collect)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"%load_ext aigov failed in the kernel:\n{''.join(printed)}")
            load.append(load_seconds("".join(printed)))
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    return {"load_ext_s": load, "kernel_start_s": start}


def parse_importtime(stderr: str) -> dict[str, tuple[int, int]]:
    """{module: (own us, cumulative us)} from `-X importtime` output (the first import of each)."""
    found: dict[str, tuple[int, int]] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        found.setdefault(name.strip(), (int(own), int(cumulative)))
    return found


def bench_importtime(runs: int, env: dict[str, str], cwd: Path, top: int) -> dict[str, Any]:
    """Median own and cumulative import time per module of `import aigov`, the top offenders of each."""
    samples: dict[str, list[tuple[int, int]]] = {}
    totals = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import aigov"],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )
        parsed = parse_importtime(out.stderr)
        totals.append(parsed["aigov"][1])
        for name, times in parsed.items():
            samples.setdefault(name, []).append(times)
    own = {name: statistics.median(t[0] for t in times) for name, times in samples.items()}
    cumulative = {name: statistics.median(t[1] for t in times) for name, times in samples.items()}
    packages: dict[str, float] = {}
    for name, us in own.items():
        packages[name.split(".")[0]] = packages.get(name.split(".")[0], 0) + us
    return {
        "import_aigov_ms": statistics.median(totals) / 1000,
        "top_own_ms": _top(own, top),
        "top_cumulative_ms": _top(cumulative, top),
        "own_by_package_ms": _top(packages, top),
    }


def _top(values: dict[str, float], count: int) -> dict[str, float]:
    return {name: us / 1000 for name, us in sorted(values.items(), key=lambda item: -item[1])[:count]}


def summary(seconds: list[float]) -> dict[str, Any]:
    """Median, min and max in ms, and every value."""
    ms = [s * 1000 for s in seconds]
    return {"median_ms": statistics.median(ms), "min_ms": min(ms), "max_ms": max(ms), "all_ms": ms}


def print_tables(results: dict[str, Any]) -> None:
    print(f"\n%load_ext aigov in a fresh process (target: median < {TARGET_MS:.0f} ms)")
    print(f"{'where':<34}{'median ms':>10}{'min':>8}{'max':>8}  met")
    for label, key in (("IPython InteractiveShell", "shell"), ("ipykernel via jupyter_client", "kernel")):
        if key in results:
            r = results[key]
            met = "yes" if r["median_ms"] < TARGET_MS else "NO"
            print(f"{label:<34}{r['median_ms']:>10.1f}{r['min_ms']:>8.1f}{r['max_ms']:>8.1f}  {met}")
    if "kernel_start" in results:
        print(f"{'(kernel start, for scale)':<34}{results['kernel_start']['median_ms']:>10.1f}")
    if "importtime" in results:
        imports = results["importtime"]
        print(f"\n`import aigov` alone (python -X importtime, median): {imports['import_aigov_ms']:.1f} ms")
        for title, key in (
            ("own time by top-level package", "own_by_package_ms"),
            ("modules by own time", "top_own_ms"),
            ("modules by cumulative time", "top_cumulative_ms"),
        ):
            print(f"  {title}:")
            for name, ms in imports[key].items():
                print(f"    {ms:8.1f} ms  {name}")


def main(argv: list[str] | None = None) -> int:
    """Run the three load measurements, print them, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh InteractiveShell processes")
    parser.add_argument("--kernel-repeats", type=int, default=5, help="fresh ipykernels (0 to skip)")
    parser.add_argument("--importtime-runs", type=int, default=3, help="`-X importtime` runs (0 to skip)")
    parser.add_argument("--top", type=int, default=12, help="offenders listed per importtime table")
    parser.add_argument(
        "--default-policy", action="store_true", help="leave AIGOV_POLICY unset: the built-in default policy"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aigov-load-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_")}
        env["AIGOV_EVIDENCE_DIR"] = str(folder / "evidence")
        if not args.default_policy:
            (folder / "aigov.yaml").write_text("version: 1\n")
            env["AIGOV_POLICY"] = str(folder / "aigov.yaml")
        results: dict[str, Any] = {
            "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
            "settings": vars(args),
        }
        if args.repeats:
            results["shell"] = summary(bench_shell(args.repeats, env, folder))
        if args.kernel_repeats:
            kernel = bench_kernel(args.kernel_repeats, env, folder)
            results["kernel"] = summary(kernel["load_ext_s"])
            results["kernel_start"] = summary(kernel["kernel_start_s"])
        if args.importtime_runs:
            results["importtime"] = bench_importtime(args.importtime_runs, env, folder, args.top)
    print_tables(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
