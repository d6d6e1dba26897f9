"""Benchmark what the JupyterLab extension's polling costs the Jupyter server (the aigov server extension).

    python benchmarks/bench_lab.py [--records 10000 100000] [--polls 200]

A folder gets one notebook per size, each with an evidence log of that many records written by the real
EvidenceLog (ai.call / ai.response pairs: allow, redact, block). A real ``jupyter server`` (with the aigov
server extension, enabled as on install) serves it on loopback; a client asks, the way the status bar does:

- baseline: ``GET /api/contents/<notebook>?content=0``, Jupyter's own cheapest request about a notebook (the
  file browser makes it all the time), median over ``--polls``;
- first read: ``GET /aigov/notebook?path=`` on a server that has not read the log yet (the whole log is
  parsed once); one per size, on a fresh server;
- unchanged: the same with ``If-None-Match`` -> 304, what a poll costs when nothing ran (median);
- after a call: one record appended with the real EvidenceLog, then the poll -> 200 with the new state
  (the log is read from where it stopped), median over ``--polls // 4`` rounds.

Client-side wall time per request over loopback, ratios against the baseline of the same run. Prints a table
and writes benchmarks/results/lab.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nbformat
import requests
from synthetic_evidence import call_records, write_log

from jupyter_aigov.evidence import EvidenceLog
from jupyter_aigov.testing.processes import free_port, stop, wait_until_serving

RESULTS = Path(__file__).parent / "results" / "lab.json"
START = datetime(2026, 10, 1, tzinfo=UTC)
DECISIONS = ("allow", "allow", "redact", "block")
JUPYTER = str(Path(sys.executable).parent / "jupyter")


def lab_records(count: int, first: int = 0) -> Iterator[dict[str, Any]]:
    """``count`` records of one notebook's calls (allow, allow, redact, block), a second apart."""
    return call_records(
        count, start=START, step=timedelta(seconds=1), models=("gpt-4o-mini",), users=("ana",), use_cases=(None,),
        decisions=DECISIONS, notebook="analysis.ipynb", first=first,
    )  # fmt: skip


def notebook_with_log(root: Path, name: str, records: int) -> Path:
    """``<root>/<name>.ipynb`` and its evidence log of ``records`` records; the log's path."""
    nbformat.write(nbformat.v4.new_notebook(), root / f"{name}.ipynb")
    log_path = root / ".aigov" / "evidence" / f"{name}.jsonl"
    write_log(log_path, lab_records(records))
    return log_path


@contextmanager
def jupyter_server(root: Path) -> Iterator[tuple[str, requests.Session]]:
    """A real ``jupyter server`` on ``root``: its URL and a session carrying the token."""
    port, token = free_port(), secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIGOV_", "JUPYTER_RUNTIME"))}
    command = [JUPYTER, "server", "--no-browser", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]  # fmt: skip
    log = tempfile.TemporaryFile()  # noqa: SIM115 (the server writes to it while it runs)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.headers["Authorization"] = f"token {token}"
    try:
        if not wait_until_serving(f"{url}/api/status", process, timeout_s=60):
            log.seek(0)
            raise SystemExit(f"jupyter server did not start:\n{log.read().decode(errors='replace')}")
        yield url, session
    finally:
        stop(process)
        log.close()


def poll(session: requests.Session, url: str, path: str, etag: str) -> tuple[float, requests.Response]:
    """Milliseconds one status-bar poll took (with the ETag it holds), and its answer."""
    return timed(lambda: session.get(url, params={"path": path}, headers={"If-None-Match": etag}, timeout=300))


def timed(request: Any) -> tuple[float, requests.Response]:
    """Milliseconds one request took, and its answer."""
    started = time.perf_counter()
    answer = request()
    return (time.perf_counter() - started) * 1000, answer


def measure(root: Path, name: str, log_path: Path, polls: int) -> dict[str, Any]:
    """The four figures for one notebook, on a fresh server."""
    with jupyter_server(root) as (url, session):
        state_url, params = f"{url}/aigov/notebook", {"path": f"{name}.ipynb"}
        contents = f"{url}/api/contents/{name}.ipynb"
        for _ in range(10):  # warm the connection and the contents handler
            session.get(contents, params={"content": "0"}, timeout=30)
        baseline = [timed(lambda: session.get(contents, params={"content": "0"}, timeout=30))[0] for _ in range(polls)]
        first_ms, first = timed(lambda: session.get(state_url, params=params, timeout=300))
        assert first.status_code == 200, first.text
        etag = first.headers["ETag"]
        unchanged = []
        for _ in range(polls):
            ms, answer = poll(session, state_url, params["path"], etag)
            assert answer.status_code == 304, answer.status_code
            unchanged.append(ms)
        after_call = []
        records = first.json()["evidence"]["records"]
        with EvidenceLog(log_path) as log:
            for round_ in range(max(polls // 4, 1)):
                log.append_all(list(lab_records(1, first=records + round_)), durable=False)
                ms, answer = poll(session, state_url, params["path"], etag)
                assert answer.status_code == 200, answer.status_code
                etag = answer.headers["ETag"]
                after_call.append(ms)
        assert answer.json()["evidence"]["records"] == records + max(polls // 4, 1)
    base = statistics.median(baseline)
    return {
        "records": records,
        "log_mb": round(log_path.stat().st_size / 1e6, 1),
        "baseline_contents_ms": round(base, 2),
        "first_read_ms": round(first_ms, 1),
        "unchanged_304_ms": round(statistics.median(unchanged), 2),
        "after_call_ms": round(statistics.median(after_call), 2),
        "unchanged_x_baseline": round(statistics.median(unchanged) / base, 2),
        "after_call_x_baseline": round(statistics.median(after_call) / base, 2),
        "first_read_x_baseline": round(first_ms / base, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--polls", type=int, default=200)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="aigov-bench-lab-") as folder:
        root = Path(folder)
        for records in args.records:
            name = f"notebook-{records}"
            rows.append(measure(root, name, notebook_with_log(root, name, records), args.polls))
    print(f"{'records':>9} {'log MB':>7} {'contents':>9} {'first read':>11} {'304 poll':>9} {'after call':>11}")
    for row in rows:
        print(
            f"{row['records']:>9,} {row['log_mb']:>7} {row['baseline_contents_ms']:>7} ms "
            f"{row['first_read_ms']:>8} ms {row['unchanged_304_ms']:>6} ms {row['after_call_ms']:>8} ms"
            f"   (x baseline: 304 {row['unchanged_x_baseline']}, after call {row['after_call_x_baseline']})"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"machine": platform.platform(), "cpus": os.cpu_count(), "polls": args.polls, "results": rows}, indent=2
        )
    )
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
