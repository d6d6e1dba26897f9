"""Appending to the evidence log: record shape, canonical lines, durability and write errors."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import rfc8785

import jupyter_aigov.evidence
import jupyter_aigov.evidence.log as log_module
from aigov_core.errors import EvidenceError
from aigov_core.evidence import ZERO_HASH, LogVerification, iter_records, verify_log
from jupyter_aigov.evidence import EvidenceLog

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
Fields = Callable[[int], dict[str, Any]]


def independent_hash(line: bytes) -> str:
    """Recompute a line's hash the way a third party would: JCS of the parsed record minus "hash"."""
    record = json.loads(line)
    del record["hash"]
    return hashlib.sha256(rfc8785.dumps(record)).hexdigest()


def test_when_package_imported_then_all_lists_exactly_the_public_names() -> None:
    public = {name for name in dir(jupyter_aigov.evidence) if not name.startswith("_")}
    modules = {"locking", "log", "recorder", "tail"}
    assert set(jupyter_aigov.evidence.__all__) == public - modules


def test_when_records_appended_then_chain_round_trips(tmp_path: Path, fields: Fields) -> None:
    path = tmp_path / "nb.jsonl"
    with EvidenceLog(path) as log:
        written = [log.append(fields(i)) for i in range(5)]

    assert [r["seq"] for r in written] == [1, 2, 3, 4, 5]
    assert written[0]["prev"] == ZERO_HASH
    assert all(later["prev"] == earlier["hash"] for earlier, later in itertools.pairwise(written))
    assert all(RFC3339_UTC.match(r["ts"]) for r in written)
    assert list(iter_records(path)) == written
    assert verify_log(path) == LogVerification(ok=True, records=5)


@pytest.mark.parametrize(
    "fields",
    [
        {"event": "plain"},
        {"nested": {"b": [1, 2.5, None, True, False], "a": {"z": "", "y": -0.0}}},
        {"unicode": 'Zoë \u2028 \U0001f600 \x00 "quoted" \\', "\u00e9": 1},
        {"floats": [1e21, 1e-7, 0.1, 123456789.125, -3.0], "big": 2**53 - 1},
        {"empty": {}, "list": [], "none": None},
    ],
    ids=["plain", "nested", "unicode", "numbers", "empties"],
)
def test_when_record_written_then_line_is_canonical_and_hash_recomputable_independently(
    tmp_path: Path, fields: dict[str, Any]
) -> None:
    path = tmp_path / "nb.jsonl"
    with EvidenceLog(path) as log:
        log.append({"event": "first"})
        record = log.append(fields)
    line = path.read_bytes().splitlines()[-1]
    body = rfc8785.dumps({k: v for k, v in json.loads(line).items() if k != "hash"})

    assert line == body[:-1] + b',"hash":"' + record["hash"].encode() + b'"}'
    assert independent_hash(line) == record["hash"] == hashlib.sha256(line[:-75] + b"}").hexdigest()
    assert json.loads(line) == record
    assert verify_log(path, strict=True).ok


def test_when_caller_supplies_ts_then_it_is_kept(tmp_path: Path) -> None:
    with EvidenceLog(tmp_path / "nb.jsonl") as log:
        record = log.append({"event": "x", "ts": "2026-01-02T03:04:05.000006Z"})
    assert record["ts"] == "2026-01-02T03:04:05.000006Z"


def test_when_log_reopened_then_seq_and_chain_continue(make_log: Callable[..., Path]) -> None:
    path = make_log(3)
    with EvidenceLog(path) as log:
        record = log.append({"event": "later"})
    assert record["seq"] == 4
    assert record["prev"] == json.loads(path.read_bytes().splitlines()[2])["hash"]
    assert verify_log(path).records == 4


def test_when_two_writers_in_one_process_alternate_then_each_chains_onto_the_other(
    tmp_path: Path, fields: Fields
) -> None:
    path = tmp_path / "nb.jsonl"
    first, second = EvidenceLog(path), EvidenceLog(path)
    for i in range(6):
        (first if i % 2 else second).append(fields(i), durable=False)
    first.close()
    second.close()
    assert verify_log(path) == LogVerification(ok=True, records=6)


@pytest.mark.parametrize("name", ["seq", "prev", "hash"])
def test_when_fields_hold_a_reserved_name_then_evidence_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(EvidenceError, match="the log assigns them"):
        EvidenceLog(tmp_path / "nb.jsonl").append({name: 1})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {1, 2}, 2**60, b"bytes", {1: "int key"}, "\ud800"])
def test_when_fields_are_not_json_then_evidence_error_and_nothing_written(
    make_log: Callable[..., Path], value: object
) -> None:
    path = make_log(2)
    before = path.read_bytes()
    with pytest.raises(EvidenceError, match="only JSON values"):
        EvidenceLog(path).append({"value": value})
    assert path.read_bytes() == before


def test_when_parent_folders_are_missing_then_they_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / ".aigov" / "evidence" / "nb.jsonl"
    with EvidenceLog(path) as log:
        log.append({"event": "x"})
    assert verify_log(path).records == 1


def test_when_durable_then_each_append_syncs_and_when_not_then_flush_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(log_module, "sync", lambda fd: synced.append(fd))
    path = tmp_path / "nb.jsonl"
    log = EvidenceLog(path)

    log.append({"event": "durable"})
    assert len(synced) == 1
    log.append({"event": "fast"}, durable=False)
    assert len(synced) == 1
    assert len(path.read_bytes().splitlines()) == 2  # written, just not synced
    log.flush()
    log.flush()
    assert len(synced) == 2
    log.append({"event": "fast"}, durable=False)
    log.close()
    assert len(synced) == 3


def test_when_file_moved_aside_then_a_new_log_starts_at_seq_one(make_log: Callable[..., Path]) -> None:
    path = make_log(2)
    log = EvidenceLog(path)
    log.append({"event": "before"})
    path.rename(path.with_suffix(".old"))
    record = log.append({"event": "after"})
    log.close()
    assert (record["seq"], record["prev"]) == (1, ZERO_HASH)
    assert verify_log(path).records == 1
    assert verify_log(path.with_suffix(".old")).records == 3


def _append_unprivileged(path: str) -> dict[str, Any]:
    """Append as an unprivileged user: root ignores folder permissions, so drop it first."""
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)
    return EvidenceLog(path).append({"event": "x"})


@pytest.fixture
def read_only_folder() -> Any:
    """A folder nobody may write to, reachable by the unprivileged user the child becomes."""
    folder = Path(tempfile.mkdtemp(prefix="aigov-ro-"))
    (folder / "existing").mkdir()
    folder.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    (folder / "existing").chmod(0o555)
    yield folder
    (folder / "existing").chmod(0o755)
    shutil.rmtree(folder)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("relative", ["existing/nb.jsonl", "existing/.aigov/evidence/nb.jsonl"])
def test_when_folder_is_read_only_then_actionable_error_and_nothing_written(
    read_only_folder: Path, relative: str, in_child: Callable[..., tuple[str, Any]]
) -> None:
    outcome, message = in_child(_append_unprivileged, str(read_only_folder / relative))

    assert outcome == "raised"
    assert message.startswith("EvidenceError: Cannot write evidence to ")
    assert str(read_only_folder / "existing") in message
    assert "permission denied" in message
    assert "AIGOV_EVIDENCE_DIR" in message
    assert list((read_only_folder / "existing").iterdir()) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_when_disk_is_full_then_actionable_error() -> None:
    with pytest.raises(EvidenceError, match=r"/dev/full: the disk is full.*AIGOV_EVIDENCE_DIR"):
        EvidenceLog("/dev/full").append({"event": "x"})


def _append_with_file_size_limit(path: str, limit: int) -> int:
    """Append under RLIMIT_FSIZE so the kernel cuts the write short, as a filling disk does."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    EvidenceLog(path).append({"event": "x", "padding": "p" * 500})
    return 0


@pytest.mark.skipif(os.name != "posix", reason="needs RLIMIT_FSIZE")
def test_when_write_is_cut_short_then_error_and_file_unchanged(
    make_log: Callable[..., Path], in_child: Callable[..., tuple[str, Any]]
) -> None:
    path = make_log(2)
    before = path.read_bytes()

    outcome, message = in_child(_append_with_file_size_limit, str(path), len(before) + 100)

    assert outcome == "raised"
    assert "EvidenceError" in message
    assert "could be written" in message
    assert path.read_bytes() == before
    assert verify_log(path).ok
