"""Receive an upload's body into a private temporary file, hashing it and stopping at the size limit."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from anyio import to_thread

from aigov_registry.errors import UploadTooLarge

_WRITE_EVERY = 1 << 20  # gather the body's small chunks and write (and hash) them off the event loop


@dataclass(frozen=True)
class Upload:
    """A body received whole: where it is, its SHA-256 and size."""

    path: Path
    sha256: str
    size: int


def too_large(limit: int) -> UploadTooLarge:
    """The refusal of a body over ``limit`` bytes."""
    return UploadTooLarge(
        f"The bundle is larger than this registry accepts ({limit // (1 << 20):,} MiB). Export a smaller one "
        "(with --since/--until), or ask the registry's operator to raise --max-upload-mib."
    )


async def receive(body: AsyncIterator[bytes], folder: Path, limit: int) -> Upload:
    """Write ``body`` to a new file in ``folder``; UploadTooLarge (and nothing kept) once it passes ``limit``."""
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=folder, prefix="upload-", suffix=".zip.part")
    path = Path(name)
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as sink:
            pending = bytearray()
            async for chunk in body:
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                pending += chunk
                if len(pending) >= _WRITE_EVERY:
                    await to_thread.run_sync(_write, sink, digest, bytes(pending))
                    pending.clear()
            await to_thread.run_sync(_write, sink, digest, bytes(pending))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Upload(path=path, sha256=digest.hexdigest(), size=size)


def _write(sink: IO[bytes], digest: hashlib._Hash, data: bytes) -> None:
    digest.update(data)
    sink.write(data)
