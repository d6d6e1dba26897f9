"""The append-only, hash-chained evidence log: one JSON record per line (format in ``canonical.py``).

Several processes (several kernels) may append to one file: each append takes an exclusive lock
(``flock``), reads the file's last record only if the file changed since this object last wrote, and
writes its line with a single ``os.write`` on an ``O_APPEND`` descriptor. If an append fails (disk
full, permission denied, failed fsync) the bytes it wrote are cut off again, so the file is left as it
was: an append either lands whole or not at all.

A record cut short by a crash. If the file does not end in ``\\n``, the bytes after its last newline are
what is left of a write interrupted by a crash. They are never rewritten or removed. The next append
writes ``\\n`` to close that line, then a *recovery record*, then the caller's record::

    {"event": "evidence.recovered", "lost": {"offset": O, "bytes": N, "sha256": H}, "reason": ..., ...}

chained to the last complete record (``prev``/``seq`` skip the broken line). ``verify_log`` accepts an
unreadable line only when the record right after it is a recovery record whose ``lost`` matches that
line's byte offset, length and SHA-256, and lists it in ``LogVerification.recovered``. If the lost bytes
are in fact a whole record that chains (only the newline was lost), the newline is added and nothing
is reported lost. If the last *complete* line is not a valid record, ``append`` refuses: that is damage
or tampering, not a crash, and new evidence must not be chained onto it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any

from aigov_core.errors import EvidenceError
from aigov_core.evidence.canonical import RECOVERY_EVENT, ZERO_HASH, LineError, lost_span, parse_line, seal
from aigov_core.evidence.timestamps import utc_now
from jupyter_aigov.evidence.locking import lock, sync, sync_directory, unlock
from jupyter_aigov.evidence.tail import last_line

RESERVED_FIELDS = frozenset({"seq", "prev", "hash"})
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate "\n" to "\r\n"
_open_logs: weakref.WeakSet[EvidenceLog] = weakref.WeakSet()


class EvidenceLog:
    """An append-only evidence log at ``path``; safe to share between threads and processes.

    >>> log = EvidenceLog(".aigov/evidence/churn.jsonl")
    >>> log.append({"event": "call", "decision": "allow"})["seq"]
    1
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._guard = threading.Lock()  # flock is per open file, so threads of one process need this too
        self._fd: int | None = None
        self._pid = 0
        self._size = -1  # file size right after this object's last write; -1 = unknown, re-read the tail
        self._last_hash = ZERO_HASH
        self._last_seq = 0
        self._dirty = False
        _open_logs.add(self)

    def append(self, fields: dict[str, Any], *, durable: bool = True) -> dict[str, Any]:
        """Chain ``fields`` (adding seq, ts unless given, prev, hash), write it, return the full record."""
        return self.append_all([fields], durable=durable)[0]

    def append_all(self, batch: list[dict[str, Any]], *, durable: bool = True) -> list[dict[str, Any]]:
        """Chain several records in order and write them with one write (and one sync when durable)."""
        for fields in batch:
            reserved = sorted(RESERVED_FIELDS & fields.keys())
            if reserved:
                raise EvidenceError(f"Evidence fields must not include {reserved}: the log assigns them.")
        with self._guard:
            fd = self._locked_fd()
            try:
                return self._append_locked(fd, batch, durable)
            finally:
                unlock(fd)

    def flush(self) -> None:
        """Sync appends made with ``durable=False`` to stable storage."""
        with self._guard:
            if self._fd is not None and self._dirty and self._pid == os.getpid():
                try:
                    sync(self._fd)
                except OSError as exc:
                    raise self._unwritable(exc) from exc
                self._dirty = False

    def close(self) -> None:
        """Sync pending appends and close the file; a later append opens it again."""
        try:
            self.flush()
        finally:
            with self._guard:
                self._close_fd()

    def __enter__(self) -> EvidenceLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EvidenceLog({str(self.path)!r})"

    def _append_locked(self, fd: int, batch: list[dict[str, Any]], durable: bool) -> list[dict[str, Any]]:
        size = os.fstat(fd).st_size
        if size == self._size:
            last_hash, last_seq, prefix = self._last_hash, self._last_seq, b""
        else:
            last_hash, last_seq, prefix = self._read_tail(fd, size)
        records: list[dict[str, Any]] = []
        lines = [prefix]
        now = utc_now()
        for fields in batch:
            last_seq += 1
            record = {"ts": now, **fields, "seq": last_seq, "prev": last_hash}
            last_hash, line = seal(record)
            record["hash"] = last_hash
            records.append(record)
            lines.append(line)
        data = b"".join(lines)
        self._write(fd, size, data, durable)
        self._size, self._last_hash, self._last_seq = size + len(data), last_hash, last_seq
        return records

    def _write(self, fd: int, size: int, data: bytes, durable: bool) -> None:
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, f"only {written} of {len(data)} bytes could be written")
            if durable:
                sync(fd)
        except OSError as exc:
            self._size = -1
            # Safe: we hold the lock, so the bytes past `size` are ours alone. If cutting them off fails,
            # what is left is a cut-short line, which the next append accounts for.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise self._unwritable(exc) from exc
        self._dirty = not durable

    def _read_tail(self, fd: int, size: int) -> tuple[str, int, bytes]:
        """Return the last hash and seq to chain onto, and bytes to write first to account for a cut line."""
        last, fragment = last_line(fd, size, self.path)
        last_hash, last_seq = ZERO_HASH, 0
        if last is not None:
            try:
                record = parse_line(last + b"\n")
            except LineError as exc:
                raise self._damaged(f"its last record {exc}") from None
            if type(record.get("seq")) is not int or not isinstance(record.get("prev"), str):
                raise self._damaged("its last record has no valid seq or prev")
            last_hash, last_seq = record["hash"], record["seq"]
        if not fragment:
            return last_hash, last_seq, b""
        try:
            whole = parse_line(fragment + b"\n")
            chains = whole.get("prev") == last_hash and type(whole.get("seq")) is int
            if chains and whole["seq"] == last_seq + 1:
                return whole["hash"], last_seq + 1, b"\n"
        except LineError:
            pass
        recovery = {
            "ts": utc_now(),
            "event": RECOVERY_EVENT,
            "reason": "The log ended in a record cut short (a crash mid-write); its bytes are kept as they "
            "were on the line before this one and fingerprinted in 'lost'.",
            "lost": lost_span(size - len(fragment), fragment),
            "seq": last_seq + 1,
            "prev": last_hash,
        }
        digest, line = seal(recovery)
        return digest, last_seq + 1, b"\n" + line

    def _locked_fd(self) -> int:
        while True:
            fd = self._open()
            try:
                lock(fd)
            except OSError as exc:  # e.g. ENOLCK on a network file system without lock support
                raise self._unwritable(exc) from exc
            try:
                on_disk = os.stat(self.path)
                mine = os.fstat(fd)
                same = (on_disk.st_ino, on_disk.st_dev) == (mine.st_ino, mine.st_dev)
            except OSError:
                same = False
            if same:
                return fd
            # The file was moved aside or replaced since we opened it: append to the one at `path`.
            unlock(fd)
            self._close_fd()

    def _open(self) -> int:
        if self._fd is not None and self._pid == os.getpid():
            return self._fd
        if self._fd is not None:
            # Inherited through fork: never unlock through it (that would drop the parent's lock).
            self._close_fd()
        try:
            created_dirs = _make_dirs(self.path.parent)
            flags = os.O_RDWR | os.O_APPEND | _O_BINARY
            try:
                fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, 0o644)
                created = True
            except FileExistsError:
                fd = os.open(self.path, flags)
                created = False
            if created:
                # A new file is only durable once its directory entry (and any new parent) is.
                for directory in [self.path.parent, *(d.parent for d in created_dirs)]:
                    sync_directory(str(directory))
        except OSError as exc:
            raise self._unwritable(exc) from exc
        self._fd, self._pid, self._size = fd, os.getpid(), -1
        return fd

    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd, self._size, self._dirty = None, -1, False

    def _unwritable(self, exc: OSError) -> EvidenceError:
        where = exc.filename or self.path
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            why = f"the disk is full or the quota is spent ({exc.strerror})"
            todo = "free some space, or set AIGOV_EVIDENCE_DIR to a folder on a disk with room"
        elif exc.errno == errno.EROFS:
            why = "the file system is read-only"
            todo = "set AIGOV_EVIDENCE_DIR to a writable folder"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            why = "permission denied"
            todo = "make that folder writable for you, or set AIGOV_EVIDENCE_DIR to a writable folder"
        else:
            why = exc.strerror or str(exc)
            todo = "set AIGOV_EVIDENCE_DIR to a writable folder on a local disk"
        return EvidenceError(
            f"Cannot write evidence to {where}: {why}. Nothing was written. To proceed, {todo} "
            f"(e.g. AIGOV_EVIDENCE_DIR=$HOME/aigov-evidence)."
        )

    def _damaged(self, what: str) -> EvidenceError:
        return EvidenceError(
            f"The evidence log {self.path} is damaged: {what}. New evidence is not chained onto it. "
            f"Run `aigov verify {self.path}` to see the fault, then move the file aside (aigov never "
            f"rewrites evidence) so that a new log starts."
        )


def _make_dirs(directory: Path) -> list[Path]:
    """Create ``directory`` and its missing parents; return the ones created, deepest first."""
    missing = []
    probe = directory
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    directory.mkdir(parents=True, exist_ok=True)
    return missing


def _reset_after_fork() -> None:
    for log in list(_open_logs):
        # A lock held by another thread at fork time would never be released in the child.
        log._guard = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
