"""Read the end of a log file: its last complete line and any bytes after it."""

from __future__ import annotations

import os
from pathlib import Path

from aigov_core.errors import EvidenceError

_CHUNK = 64 * 1024
_MAX_LINE = 16 * 1024 * 1024  # far beyond any record: past this the file is not an evidence log


def last_line(fd: int, size: int, path: Path) -> tuple[bytes | None, bytes]:
    """Return the last newline-terminated line (without ``\\n``, None if none) and any bytes after it."""
    chunk = _CHUNK
    while True:
        start = max(0, size - chunk)
        data = _read_at(fd, start, size - start)
        end = data.rfind(b"\n")
        begin = data.rfind(b"\n", 0, end) if end != -1 else -1
        if begin == -1 and start > 0:
            # Not yet back to where the last line starts: read further back.
            if chunk >= _MAX_LINE:
                raise EvidenceError(
                    f"The evidence log {path} ends in a line longer than {_MAX_LINE} bytes, which is not an "
                    f"evidence record. Run `aigov verify {path}` to inspect it, then move the file aside so "
                    "that a new log starts."
                )
            chunk *= 4
            continue
        if end == -1:
            return None, data
        return data[begin + 1 : end], data[end + 1 :]


def _read_at(fd: int, offset: int, length: int) -> bytes:
    """Read exactly ``length`` bytes at ``offset`` (shorter only at end of file)."""
    parts = []
    while length > 0:
        if hasattr(os, "pread"):
            part = os.pread(fd, length, offset)
        else:
            os.lseek(fd, offset, os.SEEK_SET)
            part = os.read(fd, length)
        if not part:
            break
        parts.append(part)
        offset += len(part)
        length -= len(part)
    return b"".join(parts)
