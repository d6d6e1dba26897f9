"""A log cut short by a crash: appends account for the lost bytes in the chain, never rewrite them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from aigov_core.errors import EvidenceError
from aigov_core.evidence import RECOVERY_EVENT, ZERO_HASH, iter_records, verify_log
from jupyter_aigov.evidence import EvidenceLog


def cut_last_line(path: Path, keep: int) -> bytes:
    """Cut the file inside its last line, keeping ``keep`` bytes of it; return the fragment."""
    data = path.read_bytes()
    start = data.rfind(b"\n", 0, len(data) - 1) + 1
    path.write_bytes(data[: start + keep])
    return data[start : start + keep]


def test_when_log_ends_in_a_cut_record_then_append_adds_a_recovery_record_and_verifies(
    make_log: Callable[..., Path],
) -> None:
    path = make_log(4)
    fragment = cut_last_line(path, 50)
    before = path.read_bytes()

    with EvidenceLog(path) as log:
        record = log.append({"event": "after the crash"})

    assert path.read_bytes().startswith(before + b"\n")  # the cut bytes stay exactly as they were
    recovery = json.loads(path.read_bytes().splitlines()[4])
    assert recovery["event"] == RECOVERY_EVENT
    assert recovery["lost"] == {
        "offset": len(before) - len(fragment),
        "bytes": 50,
        "sha256": hashlib.sha256(fragment).hexdigest(),
    }
    assert (recovery["seq"], recovery["prev"]) == (4, json.loads(before.splitlines()[2])["hash"])
    assert (record["seq"], record["prev"]) == (5, recovery["hash"])
    result = verify_log(path)
    assert (result.ok, result.records, result.recovered) == (True, 5, (4,))
    assert "kept and accounted for on line 4" in str(result)
    assert [r["seq"] for r in iter_records(path)] == [1, 2, 3, 4, 5]


def test_when_only_the_newline_was_lost_then_append_completes_the_line(make_log: Callable[..., Path]) -> None:
    path = make_log(3)
    path.write_bytes(path.read_bytes()[:-1])

    with EvidenceLog(path) as log:
        record = log.append({"event": "next"})

    assert record["seq"] == 4
    assert verify_log(path) == verify_log(path).__class__(ok=True, records=4)


def test_when_the_very_first_write_was_cut_then_recovery_starts_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "nb.jsonl"
    path.write_bytes(b'{"decision":"al')

    with EvidenceLog(path) as log:
        record = log.append({"event": "first whole record"})

    first = json.loads(path.read_bytes().splitlines()[1])
    assert (first["event"], first["seq"], first["prev"]) == (RECOVERY_EVENT, 1, ZERO_HASH)
    assert record["seq"] == 2
    assert verify_log(path).recovered == (1,)


def test_when_last_record_is_long_then_the_tail_is_still_found(tmp_path: Path) -> None:
    path = tmp_path / "nb.jsonl"
    with EvidenceLog(path) as log:
        log.append({"event": "long", "padding": "x" * 300_000}, durable=False)
        log.append({"event": "long", "padding": "y" * 300_000}, durable=False)
    cut_last_line(path, 200_000)

    with EvidenceLog(path) as log:
        assert log.append({"event": "next"})["seq"] == 3
    assert verify_log(path).recovered == (2,)


def test_when_last_complete_record_is_damaged_then_append_refuses_and_names_verify(
    make_log: Callable[..., Path],
) -> None:
    path = make_log(3)
    path.write_bytes(path.read_bytes().replace(b'"call 2 allowed"', b'"call 2 changed"'))
    before = path.read_bytes()

    with pytest.raises(EvidenceError, match=rf"is damaged: .*Run `aigov verify {path}`.*move the file aside"):
        EvidenceLog(path).append({"event": "x"})
    assert path.read_bytes() == before


def test_when_cut_bytes_are_edited_after_recovery_then_verify_faults_on_that_line(
    make_log: Callable[..., Path],
) -> None:
    path = make_log(3)
    cut_last_line(path, 40)
    with EvidenceLog(path) as log:
        log.append({"event": "next"})
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b'"', b"'", 1)
    path.write_bytes(b"".join(lines))

    result = verify_log(path)

    assert (result.ok, result.line) == (False, 3)


def test_when_unreadable_line_has_no_recovery_record_then_verify_faults_on_it(
    make_log: Callable[..., Path],
) -> None:
    path = make_log(3)
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(1, lines[1][:30] + b"\n")
    path.write_bytes(b"".join(lines))

    result = verify_log(path)

    assert (result.ok, result.line, result.truncated_tail) == (False, 2, False)
    assert result.fault is not None
    assert result.fault.startswith("line 2 ")
