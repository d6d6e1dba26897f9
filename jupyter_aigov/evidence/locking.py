"""An exclusive lock on an open file, shared by every process that appends to the same log."""

from __future__ import annotations

import os
import sys

if sys.platform == "win32":
    import msvcrt

    # Lock one byte far past any real log: a lock on byte 0 would also block readers on Windows.
    _LOCK_OFFSET = 2**31 - 2

    def lock(fd: int) -> None:
        """Block until this process holds the exclusive lock on ``fd``."""
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                # LK_LOCK gives up after ~10 s; a busy log is worth waiting for, not failing on.
                continue

    def unlock(fd: int) -> None:
        """Release the lock taken by :func:`lock`."""
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def lock(fd: int) -> None:
        """Block until this process holds the exclusive lock on ``fd``."""
        fcntl.flock(fd, fcntl.LOCK_EX)

    def unlock(fd: int) -> None:
        """Release the lock taken by :func:`lock`."""
        fcntl.flock(fd, fcntl.LOCK_UN)


def sync(fd: int) -> None:
    """Flush the file's data to stable storage (fdatasync where the platform has it)."""
    fdatasync = getattr(os, "fdatasync", None)
    if fdatasync is not None:
        fdatasync(fd)
    else:
        os.fsync(fd)


def sync_directory(path: str) -> None:
    """Make a new directory entry durable; a no-op where directories cannot be opened (Windows)."""
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
