"""Many writers on one log (processes, threads, a forked kernel): no record lost, chain intact."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aigov_core.evidence import iter_records, verify_log
from jupyter_aigov.evidence import EvidenceLog

WRITER = """
import os, sys, time
from pathlib import Path
from jupyter_aigov.evidence import EvidenceLog
path, go, writer, count = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
log = EvidenceLog(path)
(go.parent / f"ready-{writer}").touch()
while not go.exists():
    time.sleep(0.001)
for i in range(count):
    log.append({"event": "ai.call", "writer": writer, "i": i, "pid": os.getpid()})
log.close()
"""


def assert_complete(path: Path, writers: list[str], count: int) -> None:
    """Every writer's records 0..count-1 are present exactly once and the chain verifies."""
    result = verify_log(path)
    assert result.ok, result.fault
    assert result.records == len(writers) * count
    seen = Counter((r["writer"], r["i"]) for r in iter_records(path))
    assert seen == Counter((w, i) for w in writers for i in range(count))


def test_when_processes_append_concurrently_then_no_record_lost_and_chain_intact(tmp_path: Path) -> None:
    path, go = tmp_path / "shared.jsonl", tmp_path / "go"
    writers, count = [f"kernel-{k}" for k in range(4)], 150
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(go), w, str(count)]) for w in writers]
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("ready-*"))) < len(writers) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()  # all start at once, so they really append at the same time
    assert [p.wait(timeout=60) for p in processes] == [0] * len(writers)

    assert_complete(path, writers, count)
    pids = [r["pid"] for r in iter_records(path)]
    switches = sum(a != b for a, b in itertools.pairwise(pids))
    assert switches > len(writers)  # the writers interleaved rather than ran one after another


def test_when_threads_share_and_own_logs_then_no_record_lost_and_chain_intact(tmp_path: Path) -> None:
    path = tmp_path / "shared.jsonl"
    shared = EvidenceLog(path)
    writers, count = [f"thread-{k}" for k in range(6)], 100

    def write(writer: str, own: bool) -> None:
        log = EvidenceLog(path) if own else shared
        for i in range(count):
            log.append({"writer": writer, "i": i}, durable=False)
        if own:
            log.close()

    threads = [threading.Thread(target=write, args=(w, k % 2 == 0)) for k, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shared.close()

    assert_complete(path, writers, count)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_when_kernel_forks_after_opening_then_parent_and_child_both_chain_correctly(tmp_path: Path) -> None:
    path = tmp_path / "shared.jsonl"
    log = EvidenceLog(path)
    log.append({"writer": "parent", "i": -1})

    def write(writer: str) -> None:
        for i in range(100):
            log.append({"writer": writer, "i": i})

    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 0
        try:
            write("child")
        except BaseException:
            code = 1
        os._exit(code)
    write("parent")
    _, status = os.waitpid(pid, 0)
    log.close()

    assert os.waitstatus_to_exitcode(status) == 0
    records: list[dict[str, Any]] = [r for r in iter_records(path) if r["i"] >= 0]
    assert len(records) == 200
    assert verify_log(path).records == 201


def test_when_another_writer_appended_meanwhile_then_cached_tail_is_not_trusted(
    make_log: Callable[..., Path],
) -> None:
    path = make_log(1)
    mine, other = EvidenceLog(path), EvidenceLog(path)
    mine.append({"writer": "mine", "i": 0})
    other.append({"writer": "other", "i": 0})
    record = mine.append({"writer": "mine", "i": 1})
    mine.close()
    other.close()
    assert record["seq"] == 4
    assert verify_log(path).ok
