"""Check an evidence log's hash chain line by line, and stream its records."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from aigov_core.errors import EvidenceError
from aigov_core.evidence.canonical import RECOVERY_EVENT, ZERO_HASH, LineError, is_canonical, lost_span, parse_line

_READ_BUFFER = 1 << 20


@dataclass(frozen=True)
class LogVerification:
    """What :func:`verify_log` found: ``ok``, how many records, and the first fault and its line."""

    ok: bool
    records: int
    fault: str | None = None
    line: int | None = None
    truncated_tail: bool = False
    recovered: tuple[int, ...] = ()  # lines cut short by a crash and accounted for by a recovery record
    # the hash of the last intact record, which the log's whole history hashes to (not part of the verdict)
    head: str = field(default=ZERO_HASH, compare=False)

    def __str__(self) -> str:
        if not self.ok:
            return f"NOT intact: {self.fault}"
        text = f"intact: {self.records} records, hash chain unbroken"
        if self.recovered:
            lines = ", ".join(str(line) for line in self.recovered)
            text += f" (record cut short by a crash kept and accounted for on line {lines})"
        return text


@dataclass
class _Damaged:
    """A line that is not a record; a recovery record right after it may account for it."""

    line: int
    offset: int
    data: bytes
    fault: str


def verify_log(path: str | os.PathLike[str], *, strict: bool = False) -> LogVerification:
    """Check each line of the log at ``path``: JSON, hash, ``prev`` chain, ``seq``; stop at the first fault.

    ``strict=True`` also checks that every body is canonical RFC 8785 JSON (slower: it re-canonicalises).
    """
    with _open(path) as stream:
        return verify_lines(stream, strict=strict)


def verify_lines(
    lines: Iterable[bytes],
    *,
    strict: bool = False,
    on_record: Callable[[dict[str, Any], bytes], None] | None = None,
) -> LogVerification:
    """Check a log given as its lines (each ending in a line feed), e.g. a member of a bundle read as a stream.

    ``on_record(record, line)`` is called for each record once it is known to chain to the ones before it.
    """
    prev = ZERO_HASH
    seq = 0
    line = 0
    offset = 0
    damaged: _Damaged | None = None
    recovered: list[int] = []
    for raw in lines:
        line += 1
        if raw[-1:] != b"\n":
            if damaged is not None:
                break
            return LogVerification(
                ok=False,
                records=seq,
                fault=f"line {line} is a truncated last record: the log ends mid-record "
                f"({len(raw)} bytes and no line end), as a crash during a write leaves it; the {seq} "
                "records before it are intact",
                line=line,
                truncated_tail=True,
                recovered=tuple(recovered),
            )
        try:
            record = parse_line(raw)
        except LineError as exc:
            if damaged is not None:
                break
            damaged = _Damaged(line, offset, raw[:-1], f"line {line} {exc}")
            offset += len(raw)
            continue
        if damaged is not None:
            if not _accounts_for(record, damaged):
                break
            recovered.append(damaged.line)
            damaged = None
        broken = chain_fault(record, prev, seq, line)
        if broken is not None:
            return _fault(seq, line, broken)
        if strict and not is_canonical(record, raw):
            return _fault(seq, line, f"line {line} is not in canonical RFC 8785 form")
        prev = record["hash"]
        seq += 1
        offset += len(raw)
        if on_record is not None:
            on_record(record, raw)
    if damaged is not None:
        return _fault(seq, damaged.line, damaged.fault)
    return LogVerification(ok=True, records=seq, recovered=tuple(recovered), head=prev)


def chain_fault(record: dict[str, Any], prev: str, seq: int, line: int) -> str | None:
    """Why ``record`` on ``line`` does not follow the record hashing to ``prev`` numbered ``seq``; None if it does."""
    if record.get("prev") != prev:
        return (
            f"line {line}: its prev is not the hash of the record before it, so a record was deleted, inserted "
            "or moved here"
        )
    if type(record.get("seq")) is not int or record["seq"] != seq + 1:
        return (
            f"line {line}: seq is {record.get('seq')!r} where {seq + 1} was expected, so a record was deleted, "
            "inserted or moved here"
        )
    return None


def iter_records(path: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Yield the log's records in order without checking the chain (use :func:`verify_log` for that).

    A last line without a line end (being written now, or cut short by a crash) is not yielded, nor is
    a cut-short line that a recovery record accounts for; any other unreadable line raises EvidenceError.
    """
    line = 0
    offset = 0
    damaged: _Damaged | None = None
    with _open(path) as stream:
        for raw in stream:
            line += 1
            if raw[-1:] != b"\n":
                break
            try:
                record = json.loads(raw)
                if type(record) is not dict:
                    raise ValueError("not a JSON object")
            except ValueError:
                if damaged is not None:
                    break
                damaged = _Damaged(line, offset, raw[:-1], f"line {line} is not a JSON object")
                offset += len(raw)
                continue
            if damaged is not None:
                if not _accounts_for(record, damaged):
                    break
                damaged = None
            offset += len(raw)
            yield record
    if damaged is not None:
        raise EvidenceError(
            f"The evidence log {path} cannot be read: {damaged.fault}. Run `aigov verify {path}` for details."
        )


def _accounts_for(record: dict[str, Any], damaged: _Damaged) -> bool:
    """Tell whether ``record`` is the recovery record written for exactly this damaged line."""
    return record.get("event") == RECOVERY_EVENT and record.get("lost") == lost_span(damaged.offset, damaged.data)


def _fault(records: int, line: int, fault: str) -> LogVerification:
    return LogVerification(ok=False, records=records, fault=fault, line=line)


def _open(path: str | os.PathLike[str]) -> IO[bytes]:
    try:
        return open(path, "rb", buffering=_READ_BUFFER)
    except FileNotFoundError:
        raise EvidenceError(
            f"There is no evidence log at {path}. Logs are kept in .aigov/evidence/<notebook>.jsonl beside "
            "the notebook, or under AIGOV_EVIDENCE_DIR when that is set."
        ) from None
    except OSError as exc:
        raise EvidenceError(f"Cannot read the evidence log {path}: {exc.strerror}.") from exc
