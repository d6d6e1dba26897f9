"""Copy an evidence log into a bundle, whole or as an excerpt, checking its hash chain on the way.

An export without filters copies the log byte for byte: ``aigov verify`` checks the copy like the original.
With filters the copy is an *excerpt*: the records kept are copied byte for byte, and each run of records
left out becomes one line that gives the run's first and last ``seq`` and the hash of its last record::

    {"elided":[4,9],"hash":"<hash of record 9>"}

so the chain still verifies from the first record to the last: every kept record's own hash is checked
against its bytes, and its ``prev`` against the record (or the run) before it. An auditor sees how many
records were left out and where, never what they held. The last line is the log's head at export time.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from aigov_core.errors import EvidenceError
from aigov_core.evidence import ZERO_HASH, LogVerification, verify_lines
from aigov_core.evidence.canonical import LineError, parse_line
from aigov_core.evidence.verify import chain_fault

ELIDED = "elided"
_ELISION_LINE = re.compile(rb'\{"elided":\[([1-9][0-9]{0,15}),([1-9][0-9]{0,15})\],"hash":"([0-9a-f]{64})"\}\n\Z')
_READ_CHUNK = 1 << 20
_PROGRESS_EVERY = 4 << 20  # bytes between progress reports: a tqdm update per line would cost more than the line


@dataclass(frozen=True)
class CopiedLog:
    """What was copied: ``records`` in the source, ``included`` of them, and the chain's ``head``."""

    kind: Literal["full", "excerpt"]
    records: int
    included: int
    head: str
    bytes_read: int
    unfinished_tail: int  # bytes after the last line end: a record being written (or cut short), left out


def copy_log(
    source: Path,
    sink: IO[bytes],
    *,
    keep: Callable[[dict[str, Any]], bool] | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> CopiedLog:
    """Copy the log at ``source`` to ``sink``: whole when ``keep`` is None, else the records it keeps.

    Raises EvidenceError naming the first fault when the source's chain is broken: broken evidence is never
    bundled as if it were intact. ``on_record`` sees every record that goes into the copy.
    """
    size = _size(source)
    with open(source, "rb") as stream:
        lines = _Lines(stream, size, on_progress)
        if keep is None:
            seen = None if on_record is None else (lambda record, raw: on_record(record))
            verification = verify_lines(_written(lines, sink), on_record=seen)
            included = verification.records
        else:
            excerpt = _Excerpt(sink, keep, on_record)
            verification = verify_lines(lines, on_record=excerpt.add)
            excerpt.finish()
            included = excerpt.included
    if not verification.ok:
        raise EvidenceError(
            f"The evidence log {source} is not intact, so it cannot go into a bundle: {verification.fault}. "
            f"Run `aigov verify {source}` for details."
        )
    return CopiedLog(
        "full" if keep is None else "excerpt",
        verification.records,
        included,
        verification.head,
        lines.read,
        size - lines.read,
    )


def verify_excerpt(lines: Iterable[bytes]) -> LogVerification:
    """Check an excerpt: every kept record's hash, and the chain through the runs left out."""
    prev = ZERO_HASH
    seq = 0
    number = 0
    kept = 0
    for raw in lines:
        number += 1
        if raw.startswith(b'{"elided":'):
            match = _ELISION_LINE.match(raw)
            if match is None:
                return _fault(kept, number, f"line {number} is not a well-formed line for records left out")
            first, last = int(match[1]), int(match[2])
            if first != seq + 1 or last < first:
                return _fault(
                    kept,
                    number,
                    f"line {number}: the records left out run from {first} to {last} where {seq + 1} was next, "
                    "so a record was deleted, inserted or moved here",
                )
            seq, prev = last, match[3].decode("ascii")
            continue
        if raw[-1:] != b"\n":
            return _fault(kept, number, f"line {number} is cut short: it has no line end")
        try:
            record = parse_line(raw)
        except LineError as exc:
            return _fault(kept, number, f"line {number} {exc}")
        broken = chain_fault(record, prev, seq, number)
        if broken is not None:
            return _fault(kept, number, broken)
        seq, prev = record["seq"], record["hash"]
        kept += 1
    return LogVerification(ok=True, records=kept, head=prev)


def excerpt_name(name: str) -> str:
    """The bundle name of an excerpt of the log named ``name`` (``x.jsonl`` -> ``x.excerpt.jsonl``)."""
    return name.removesuffix(".jsonl") + ".excerpt.jsonl"


def is_excerpt(name: str) -> bool:
    """Whether a bundle's log file is an excerpt (and so is checked with :func:`verify_excerpt`)."""
    return name.endswith(".excerpt.jsonl")


class _Lines:
    """The complete lines of the first ``size`` bytes of a stream; counts what it read, reports progress."""

    def __init__(self, stream: IO[bytes], size: int, on_progress: Callable[[int], None] | None) -> None:
        self._stream = stream
        self._left = size
        self._on_progress = on_progress
        self.read = 0  # bytes of complete lines handed out

    def __iter__(self) -> Iterator[bytes]:
        pending = b""
        unreported = 0
        while self._left > 0:
            chunk = self._stream.read(min(_READ_CHUNK, self._left))
            if not chunk:
                break
            self._left -= len(chunk)
            data = pending + chunk
            end = data.rfind(b"\n") + 1
            pending = data[end:]
            if not end:
                continue
            for line in data[: end - 1].split(b"\n"):  # only a line feed ends a record, as in verify_log
                yield line + b"\n"
            self.read += end
            unreported += end
            if self._on_progress is not None and unreported >= _PROGRESS_EVERY:
                self._on_progress(unreported)
                unreported = 0
        if self._on_progress is not None and unreported:
            self._on_progress(unreported)


def _written(lines: Iterable[bytes], sink: IO[bytes]) -> Iterator[bytes]:
    for line in lines:
        sink.write(line)
        yield line


class _Excerpt:
    """Writes the kept records, and one line per run of records left out."""

    def __init__(
        self,
        sink: IO[bytes],
        keep: Callable[[dict[str, Any]], bool],
        on_record: Callable[[dict[str, Any]], None] | None,
    ) -> None:
        self._sink = sink
        self._keep = keep
        self._on_record = on_record
        self._run: tuple[int, int, str] | None = None  # first seq, last seq, last hash of records left out
        self.included = 0

    def add(self, record: dict[str, Any], raw: bytes) -> None:
        if self._keep(record):
            self._close_run()
            self._sink.write(raw)
            self.included += 1
            if self._on_record is not None:
                self._on_record(record)
        elif self._run is None:
            self._run = (record["seq"], record["seq"], record["hash"])
        else:
            self._run = (self._run[0], record["seq"], record["hash"])

    def finish(self) -> None:
        self._close_run()

    def _close_run(self) -> None:
        if self._run is not None:
            first, last, digest = self._run
            self._sink.write(elision_line(first, last, digest))
            self._run = None


def elision_line(first: int, last: int, digest: str) -> bytes:
    """The line standing for records ``first``..``last`` left out of an excerpt, the last hashing to ``digest``."""
    return json.dumps({ELIDED: [first, last], "hash": digest}, separators=(",", ":")).encode("ascii") + b"\n"


def _fault(records: int, line: int, fault: str) -> LogVerification:
    return LogVerification(ok=False, records=records, fault=fault, line=line)


def _size(source: Path) -> int:
    try:
        return source.stat().st_size
    except FileNotFoundError:
        raise EvidenceError(f"There is no evidence log at {source}.") from None
    except OSError as exc:
        raise EvidenceError(f"Cannot read the evidence log {source}: {exc.strerror}.") from exc


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
