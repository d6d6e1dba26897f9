"""Stored bundles, content-addressed: ``<data dir>/bundles/<2 hex>/<sha256>.zip``, placed by an atomic rename."""

from __future__ import annotations

import os
from pathlib import Path


class BundleStore:
    """The folder bundles are kept in, and the folder uploads arrive in (one file system, so renames are atomic)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming = root / "incoming"

    @staticmethod
    def relative_path(sha256: str) -> str:
        """Where the bundle with this SHA-256 lives, relative to the store's root."""
        return f"bundles/{sha256[:2]}/{sha256}.zip"

    def place(self, upload: Path, sha256: str) -> str:
        """Move a verified upload to its place; the same bytes may already be there (another team sent them)."""
        relative = self.relative_path(sha256)
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(upload, "rb") as stream:
            os.fsync(stream.fileno())  # the bytes are on disk before the database says they are stored
        os.replace(upload, target)
        return relative

    def discard(self, relative: str) -> None:
        """Remove a stored bundle no row refers to."""
        (self.root / relative).unlink(missing_ok=True)

    def exists(self, relative: str) -> bool:
        """Whether the stored file is there."""
        return (self.root / relative).is_file()
