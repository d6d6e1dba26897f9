"""A project with 1,000,000 evidence records exports and verifies in a separate process under 300 MB.

Memory, not time: the peak (VmHWM) of the process doing the work is read from /proc when it ends.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from aigov_core.evidence import ZERO_HASH
from aigov_core.evidence.canonical import canonical_json

RECORDS = 1_000_000
LIMIT_MB = 300
# The canonical body of an ai.call record, keys in RFC 8785 order, with its varying fields as slots.
BODY = (
    b'{"call_id":"%016x","decision":"%s","entities":{},"event":"ai.call","model":"gpt-4o-mini",'
    b'"notebook":"/srv/project/churn.ipynb","prev":"%s","provider":"openai",'
    b'"reason":"Model \'gpt-4o-mini\' is allowed by the pattern \'gpt-4o-*\'.","rules":["models.allowed"],'
    b'"seq":%d,"session":"0123456789abcdef","ts":"2026-11-%02dT%02d:%02d:%02d.000000Z","usage":null,'
    b'"use_case":"%s","user":"ada"}'
)
PEAK = "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) // 1024)"


def write_log(path: Path, records: int) -> None:
    """A valid hash-chained log of ``records`` records, written straight from the canonical template."""
    prev = ZERO_HASH.encode()
    path.parent.mkdir(parents=True)
    with open(path, "wb", buffering=1 << 22) as out:
        for seq in range(1, records + 1):
            second = seq % 86400
            body = BODY % (
                seq, b"block" if seq % 10 == 0 else b"allow", prev, seq, 1 + seq % 28, second // 3600,
                second // 60 % 60, second % 60, b"churn" if seq % 3 else b"triage",
            )  # fmt: skip
            digest = hashlib.sha256(body).hexdigest().encode()
            out.write(body[:-1] + b',"hash":"' + digest + b'"}\n')
            prev = digest
    first = json.loads(path.open("rb").readline())
    assert canonical_json({k: v for k, v in first.items() if k != "hash"}) == BODY % (
        1,
        b"allow",
        ZERO_HASH.encode(),
        1,
        2,
        0,
        0,
        1,
        b"churn",
    )  # the template is the canonical form


def run_measured(code: str) -> tuple[str, int]:
    done = subprocess.run([sys.executable, "-c", code + "\n" + PEAK], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    *output, peak = done.stdout.strip().splitlines()
    return "\n".join(output), int(peak)


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("million")
    write_log(project / ".aigov" / "evidence" / "churn.jsonl", RECORDS)
    (project / "aigov.yaml").write_text("version: 1\n")
    return project


def test_when_a_million_records_are_exported_and_verified_then_memory_stays_under_300_mb(
    million: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "million.zip"
    keys = tmp_path / "keys"
    output, export_peak = run_measured(
        f"import os; os.environ['AIGOV_KEY_DIR'] = {str(keys)!r}\n"
        "from jupyter_aigov.bundle.api import export\n"
        f"print(export({str(bundle)!r}, source={str(million)!r}, progress=False).records)"
    )
    assert output == str(RECORDS)
    assert export_peak < LIMIT_MB, f"export peaked at {export_peak} MB"
    output, verify_peak = run_measured(
        "from aigov_core.bundle.verify import verify_bundle\n"
        f"result = verify_bundle({str(bundle)!r})\n"
        "print(result.ok, sum(result.logs.values()))"
    )
    assert output == f"True {RECORDS}"
    assert verify_peak < LIMIT_MB, f"verify peaked at {verify_peak} MB"
    print(f"\n{RECORDS} records: export peaked at {export_peak} MB, verify at {verify_peak} MB")
