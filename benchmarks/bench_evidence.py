"""Benchmark the evidence log: durable appends per second, and seconds to verify a large log.

    python benchmarks/bench_evidence.py [--records 1000000] [--appends 2000] [--repeats 5]

Prints a table and writes benchmarks/results/evidence.json. The large log is built with a templated
writer (same bytes as EvidenceLog would write, checked on a sample) because a million JCS
canonicalisations would take longer than the verification being measured.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aigov_core.evidence import canonical_json, verify_log
from jupyter_aigov.evidence import EvidenceLog

RESULTS = Path(__file__).parent / "results" / "evidence.json"
_SEQ, _PREV, _TS = 987654321, "P" * 64, "T" * 27


def sample_fields(i: int) -> dict[str, Any]:
    """Return fields shaped like the contract's evidence record (about 400 bytes once written)."""
    return {
        "event": "ai.call",
        "session": "3f2a9c1e-7b7d-4c1e-9a55-0c1f2d3e4a5b",
        "user": "alice",
        "notebook": "churn.ipynb",
        "use_case": "churn-analysis",
        "provider": "openai",
        "model": "gpt-4o-mini",
        "decision": "redact",
        "rules": ["redaction.PERSON"],
        "reason": "1 entity redacted",
        "entities": {"PERSON": 1},
        "usage": {"input_tokens": 1000 + i % 1000, "output_tokens": 200},
    }


def bench_appends(count: int, repeats: int, folder: Path) -> dict[str, Any]:
    """Time ``count`` durable appends, ``repeats`` times, each into a fresh log."""
    rates = []
    for run in range(repeats):
        log = EvidenceLog(folder / f"appends-{run}.jsonl")
        log.append(sample_fields(0))  # file creation and directory fsync are not the steady state
        started = time.perf_counter()
        for i in range(count):
            log.append(sample_fields(i))
        rates.append(count / (time.perf_counter() - started))
        log.close()
    return {
        "appends": count,
        "repeats": repeats,
        "median_per_s": statistics.median(rates),
        "all_per_s": rates,
    }


def build_log(path: Path, records: int) -> int:
    """Write a valid ``records``-long log quickly from a canonical template; return its size in bytes."""
    template = canonical_json({**sample_fields(0), "seq": _SEQ, "prev": _PREV, "ts": _TS}).decode()
    template = template.replace("{", "{{").replace("}", "}}")
    template = template.replace(str(_SEQ), "{seq}").replace(_PREV, "{prev}").replace(_TS, "{ts}")
    template = template.replace('"input_tokens":1000', '"input_tokens":{tokens}')
    with EvidenceLog(path) as log:
        first = log.append(sample_fields(0), durable=False)
    # The template must produce exactly the body EvidenceLog writes.
    expected = canonical_json({k: v for k, v in first.items() if k != "hash"}).decode()
    assert template.format(seq=1, prev="0" * 64, ts=first["ts"], tokens=1000) == expected
    prev = first["hash"]
    with open(path, "ab", buffering=1 << 22) as out:
        for seq in range(2, records + 1):
            ts = f"2026-05-09T07:{seq // 60000 % 60:02d}:{seq // 1000 % 60:02d}.{seq % 1000000:06d}Z"
            body = template.format(seq=seq, prev=prev, ts=ts, tokens=1000 + seq % 1000).encode()
            prev = hashlib.sha256(body).hexdigest()
            out.write(body[:-1] + b',"hash":"' + prev.encode() + b'"}\n')
        return out.tell()


def bench_verify(records: int, folder: Path) -> dict[str, Any]:
    """Build a ``records``-long log and time one full verification of it."""
    path = folder / "verify.jsonl"
    started = time.perf_counter()
    size = build_log(path, records)
    built = time.perf_counter() - started
    started = time.perf_counter()
    result = verify_log(path)
    seconds = time.perf_counter() - started
    if not result.ok or result.records != records:
        raise SystemExit(f"benchmark log did not verify: {result}")
    return {
        "records": records,
        "bytes": size,
        "bytes_per_record": round(size / records),
        "build_s": built,
        "verify_s": seconds,
        "records_per_s": records / seconds,
    }


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks, print a table, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="records in the log to verify")
    parser.add_argument("--appends", type=int, default=2000, help="durable appends per repeat")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the append benchmark")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the logs (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        appends = bench_appends(args.appends, args.repeats, folder)
        verify = bench_verify(args.records, folder)
    results = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "durable_appends": appends,
        "verify": verify,
    }
    print(f"{'measure':<34}{'value':>16}")
    print(f"{'durable appends/s (median)':<34}{appends['median_per_s']:>16,.0f}")
    print(f"{'verify ' + format(args.records, ',') + ' records (s)':<34}{verify['verify_s']:>16.2f}")
    print(f"{'verify records/s':<34}{verify['records_per_s']:>16,.0f}")
    print(f"{'bytes per record':<34}{verify['bytes_per_record']:>16}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
