"""Verifying a log: every kind of tampering is found on the right line; a cut-short tail is named as such."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from aigov_core.errors import EvidenceError
from aigov_core.evidence import LogVerification, iter_records, verify_log
from aigov_core.evidence.canonical import seal

Lines = list[bytes]


def reseal(line: bytes, **changes: object) -> bytes:
    """Rewrite a record with ``changes`` and a correct hash: what a careful forger would write."""
    record = json.loads(line)
    del record["hash"]
    record.update(changes)
    return seal(record)[1]


def edit_value(lines: Lines) -> Lines:
    lines[2] = lines[2].replace(b'"decision":"allow"', b'"decision":"block"')
    return lines


def edit_hash(lines: Lines) -> Lines:
    record = json.loads(lines[2])
    flipped = ("1" if record["hash"][0] == "0" else "0") + record["hash"][1:]
    lines[2] = lines[2].replace(record["hash"].encode(), flipped.encode())
    return lines


def delete_line(lines: Lines) -> Lines:
    del lines[2]
    return lines


def delete_first_line(lines: Lines) -> Lines:
    del lines[0]
    return lines


def insert_copy(lines: Lines) -> Lines:
    lines.insert(4, lines[1])
    return lines


def insert_forged(lines: Lines) -> Lines:
    # A self-consistent record chained onto line 2: the damage shows where the chain resumes.
    lines.insert(2, reseal(lines[1], seq=3, prev=json.loads(lines[1])["hash"], reason="forged"))
    return lines


def insert_garbage(lines: Lines) -> Lines:
    lines.insert(2, b"hello\n")
    return lines


def insert_empty(lines: Lines) -> Lines:
    lines.insert(2, b"\n")
    return lines


def swap_lines(lines: Lines) -> Lines:
    lines[2], lines[3] = lines[3], lines[2]
    return lines


def renumber(lines: Lines) -> Lines:
    lines[2] = reseal(lines[2], seq=7)
    return lines


def duplicate_hash_member(lines: Lines) -> Lines:
    record = json.loads(lines[2])
    lines[2] = b'{"hash":"' + record["hash"].encode() + b'",' + lines[2][1:]
    return lines


def break_json(lines: Lines) -> Lines:
    lines[2] = lines[2].replace(b'"decision":', b'"decision" ')
    return lines


TAMPERING = [
    # (tampering, line reported, words in the fault)
    (edit_value, 3, "does not match its hash"),
    (edit_hash, 3, "does not match its hash"),
    (delete_line, 3, "prev is not the hash of the record before it"),
    (delete_first_line, 1, "prev is not the hash of the record before it"),
    (insert_copy, 5, "prev is not the hash of the record before it"),
    (insert_forged, 4, "prev is not the hash of the record before it"),
    (insert_garbage, 3, 'does not end with a "hash" member'),
    (insert_empty, 3, "is empty"),
    (swap_lines, 3, "prev is not the hash of the record before it"),
    (renumber, 3, "seq is 7 where 3 was expected"),
    (duplicate_hash_member, 3, 'holds the "hash" member twice'),
    (break_json, 3, "is not valid JSON"),
]


@pytest.mark.parametrize(("tamper", "line", "words"), TAMPERING, ids=[t[0].__name__ for t in TAMPERING])
def test_when_log_is_tampered_then_fault_names_the_line_and_what_is_wrong(
    make_log: Callable[..., Path], tamper: Callable[[Lines], Lines], line: int, words: str
) -> None:
    path = make_log(6)
    path.write_bytes(b"".join(tamper(path.read_bytes().splitlines(keepends=True))))

    result = verify_log(path)

    assert not result.ok
    assert result.line == line
    assert result.fault is not None
    assert result.fault.startswith(f"line {line}")
    assert words in result.fault
    assert not result.truncated_tail
    assert "NOT intact" in str(result)


def test_when_intact_then_ok_with_record_count(make_log: Callable[..., Path]) -> None:
    result = verify_log(make_log(6))
    assert result == LogVerification(ok=True, records=6)
    assert str(result) == "intact: 6 records, hash chain unbroken"


@pytest.mark.parametrize("keep", [1, 100, -1], ids=["one-byte", "half", "newline-lost"])
def test_when_last_line_is_cut_short_then_reported_as_truncated_last_record(
    make_log: Callable[..., Path], keep: int
) -> None:
    path = make_log(4)
    data = path.read_bytes()
    last_start = data.rfind(b"\n", 0, len(data) - 1) + 1
    path.write_bytes(data[: last_start + keep] if keep > 0 else data[:keep])

    result = verify_log(path)

    assert (result.ok, result.truncated_tail, result.line, result.records) == (False, True, 4, 3)
    assert result.fault is not None
    assert "line 4 is a truncated last record" in result.fault
    assert "the 3 records before it are intact" in result.fault
    assert [r["seq"] for r in iter_records(path)] == [1, 2, 3]


def test_when_log_is_empty_then_ok_with_no_records(tmp_path: Path) -> None:
    (tmp_path / "nb.jsonl").write_bytes(b"")
    assert verify_log(tmp_path / "nb.jsonl") == LogVerification(ok=True, records=0)


def test_when_log_is_missing_then_evidence_error_says_where_logs_live(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match=r"no evidence log at .*AIGOV_EVIDENCE_DIR"):
        verify_log(tmp_path / "missing.jsonl")


def test_when_body_is_not_canonical_then_only_strict_mode_faults(make_log: Callable[..., Path]) -> None:
    path = make_log(3)
    lines = path.read_bytes().splitlines(keepends=True)
    record = json.loads(lines[2])
    del record["hash"]
    body = json.dumps(dict(reversed(record.items())), separators=(",", ":")).encode()  # keys unsorted
    digest = hashlib.sha256(body).hexdigest()
    lines[2] = body[:-1] + b',"hash":"' + digest.encode() + b'"}\n'
    path.write_bytes(b"".join(lines))

    assert verify_log(path).ok  # the hash covers the exact bytes, so integrity still holds
    strict = verify_log(path, strict=True)
    assert (strict.ok, strict.line) == (False, 3)
    assert strict.fault == "line 3 is not in canonical RFC 8785 form"


def test_when_middle_line_is_unreadable_then_iter_records_raises_naming_verify(
    make_log: Callable[..., Path],
) -> None:
    path = make_log(3)
    path.write_bytes(b"".join(insert_garbage(path.read_bytes().splitlines(keepends=True))))
    with pytest.raises(EvidenceError, match=r"line 3 is not a JSON object.*aigov verify"):
        list(iter_records(path))
