"""Copying a log into a bundle: whole and byte for byte, or as an excerpt whose chain still verifies."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from aigov_core.bundle.log_copy import copy_log, elision_line, excerpt_name, is_excerpt, verify_excerpt
from aigov_core.errors import EvidenceError
from aigov_core.evidence import verify_lines, verify_log
from jupyter_aigov.bundle.selection import record_filter
from jupyter_aigov.evidence import EvidenceLog


def write_log(path: Path, records: list[dict]) -> Path:
    with EvidenceLog(path) as log:
        log.append_all(records)
    return path


def calls(count: int) -> list[dict]:
    models = ["gpt-4o-mini", "claude-sonnet-4-6", "gpt-4o"]
    return [
        {
            "event": "ai.call",
            "ts": f"2026-11-{10 + index % 10:02d}T09:00:00.000000Z",
            "provider": "openai",
            "model": models[index % 3],
            "use_case": "churn" if index % 2 else "triage",
            "decision": "allow",
        }
        for index in range(count)
    ]


def lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def test_when_no_filter_then_copy_is_byte_for_byte_and_verifies(tmp_path: Path) -> None:
    source = write_log(tmp_path / "a.jsonl", calls(30))
    sink = io.BytesIO()
    seen: list[int] = []
    copied = copy_log(source, sink, on_record=lambda record: seen.append(record["seq"]))
    assert sink.getvalue() == source.read_bytes()
    assert (copied.kind, copied.records, copied.included) == ("full", 30, 30)
    assert copied.head == json.loads(source.read_bytes().splitlines()[-1])["hash"]
    assert seen == list(range(1, 31))


def test_when_filtered_then_excerpt_keeps_matching_records_and_chain_verifies(tmp_path: Path) -> None:
    source = write_log(tmp_path / "a.jsonl", calls(30))
    sink = io.BytesIO()
    selection = record_filter(model="gpt-4o-mini")
    copied = copy_log(source, sink, keep=selection.matches)
    kept = [line for line in lines(sink.getvalue()) if not line.startswith(b'{"elided"')]
    originals = set(lines(source.read_bytes()))
    assert len(kept) == copied.included == 10
    assert all(line in originals for line in kept)  # records are copied byte for byte
    assert all(json.loads(line)["model"] == "gpt-4o-mini" for line in kept)
    verification = verify_excerpt(lines(sink.getvalue()))
    assert verification.ok, verification.fault
    assert verification.records == 10
    assert verification.head == copied.head == verify_log(source).head  # the excerpt ends at the log's head


def test_when_nothing_matches_then_excerpt_is_one_run_left_out(tmp_path: Path) -> None:
    source = write_log(tmp_path / "a.jsonl", calls(5))
    sink = io.BytesIO()
    copied = copy_log(source, sink, keep=record_filter(use_case="nobody").matches)
    assert copied.included == 0
    assert lines(sink.getvalue()) == [elision_line(1, 5, copied.head)]
    assert verify_excerpt(lines(sink.getvalue())).ok


def test_when_log_is_being_written_then_unfinished_last_line_is_left_out(tmp_path: Path) -> None:
    source = write_log(tmp_path / "a.jsonl", calls(3))
    with open(source, "ab") as stream:
        stream.write(b'{"event":"ai.call","half')
    sink = io.BytesIO()
    copied = copy_log(source, sink)
    assert copied.records == 3
    assert copied.unfinished_tail == len(b'{"event":"ai.call","half')
    assert verify_lines(lines(sink.getvalue())).ok


def test_when_source_chain_is_broken_then_copy_refuses_naming_the_fault(tmp_path: Path) -> None:
    source = write_log(tmp_path / "a.jsonl", calls(4))
    data = lines(source.read_bytes())
    source.write_bytes(b"".join([data[0], data[2], data[3]]))  # record 2 deleted
    with pytest.raises(EvidenceError, match=r"line 2.*deleted, inserted or moved"):
        copy_log(source, io.BytesIO())
    with pytest.raises(EvidenceError, match="aigov verify"):
        copy_log(source, io.BytesIO(), keep=lambda record: True)


def test_when_progress_asked_then_every_byte_is_reported(tmp_path: Path) -> None:
    source = write_log(tmp_path / "a.jsonl", calls(50))
    reported: list[int] = []
    copy_log(source, io.BytesIO(), on_progress=reported.append)
    assert sum(reported) == source.stat().st_size


def test_when_log_missing_then_error_names_it(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="no evidence log"):
        copy_log(tmp_path / "missing.jsonl", io.BytesIO())


@pytest.fixture
def excerpt(tmp_path: Path) -> list[bytes]:
    source = write_log(tmp_path / "a.jsonl", calls(12))
    sink = io.BytesIO()
    copy_log(source, sink, keep=record_filter(model="gpt-4o-mini").matches)
    return lines(sink.getvalue())


def test_when_excerpt_line_removed_or_moved_then_caught(excerpt: list[bytes]) -> None:
    for index in range(len(excerpt) - 1):  # the head run at the end: removing it leaves a shorter, valid excerpt
        shortened = excerpt[:index] + excerpt[index + 1 :]
        assert not verify_excerpt(shortened).ok, f"removing line {index + 1} went unnoticed"
    swapped = [excerpt[1], excerpt[0], *excerpt[2:]]
    assert not verify_excerpt(swapped).ok


def test_when_any_byte_of_excerpt_flipped_then_caught(excerpt: list[bytes]) -> None:
    data = b"".join(excerpt)
    caught = 0
    for position in range(len(data)):
        changed = bytearray(data)
        changed[position] ^= 0x01
        if not verify_excerpt(lines(bytes(changed))).ok:
            caught += 1
    # a flip in the hash of the last run is only caught against the head recorded elsewhere (bundle.json)
    last_run_hash = len(data) - len(excerpt[-1]) + excerpt[-1].index(b'"hash":"') + len(b'"hash":"')
    assert caught >= len(data) - 64, f"{len(data) - caught} of {len(data)} flips went unnoticed"
    for position in range(last_run_hash, last_run_hash + 64):
        changed = bytearray(data)
        changed[position] ^= 0x01
        assert verify_excerpt(lines(bytes(changed))).head != verify_excerpt(excerpt).head


def test_when_runs_are_malformed_then_named() -> None:
    digest = "a" * 64
    assert "well-formed" in str(verify_excerpt([b'{"elided":[1,2],"hash":"' + digest.encode() + b'","x":1}\n']).fault)
    assert "run from 2" in str(verify_excerpt([elision_line(2, 3, digest)]).fault)
    assert "run from 3" in str(verify_excerpt([elision_line(3, 2, digest)]).fault)


@pytest.mark.parametrize(
    ("name", "excerpt_of"), [("data/evidence/a.jsonl", "data/evidence/a.excerpt.jsonl"), ("x.jsonl", "x.excerpt.jsonl")]
)
def test_excerpt_names(name: str, excerpt_of: str) -> None:
    assert excerpt_name(name) == excerpt_of
    assert is_excerpt(excerpt_of) and not is_excerpt(name)
