"""The zip that carries a bundle, written atomically: built in a hidden temporary file, renamed into place whole.

``BundleWriter`` records each entry's SHA-256 and size as it streams it, refuses unsafe or colliding names (the
rules are in ``bag_names``), and leaves nothing behind when an export fails. Reading a bundle is ``archive``'s job.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import stat
import tempfile
import weakref
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, BinaryIO, Self

from aigov_core.bundle.bag_names import NameRegistry, name_problem
from aigov_core.errors import BundleError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

_CHUNK = 1 << 20


def _read_umask() -> int:
    """The process's umask; reading it means setting it, so it is set back at once, and only here, at import."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_read_umask()  # the mode open() gives a file it creates


class _DigestingSink(io.RawIOBase):
    """Passes bytes on to a zip member while counting and hashing them."""

    def __init__(self, member: IO[bytes]) -> None:
        super().__init__()
        self._member = member
        self.sha256 = hashlib.sha256()
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        view = memoryview(data).cast("B")
        self._member.write(view)
        self.sha256.update(view)
        self.count += len(view)
        return len(view)


class BundleWriter:
    """A bundle zip built in a hidden temporary file beside ``target`` and renamed into place whole by ``commit``.

    Example::

        with BundleWriter(Path("audit.zip"), "audit-2024-05") as bundle:
            bundle.add_bytes("bagit.txt", b"BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n")
            with bundle.open_entry("data/evidence.jsonl") as out:
                out.write(b"...")
    """

    def __init__(self, target: str | os.PathLike[str], root: str, *, overwrite: bool = False) -> None:
        self._target = Path(target)
        self._root = root
        self._overwrite = overwrite
        problem = name_problem(root) or ("contains '/'; it must be one folder name" if "/" in root else None)
        if problem is not None:
            raise BundleError(f"Cannot write bundle {self._target}: the bag's folder name {root!r} {problem}.")
        if self._target.is_dir():
            raise BundleError(f"Cannot write bundle {self._target}: it is a folder; give a file path ending in .zip.")
        if not overwrite and self._target.exists():
            raise self._exists()
        try:
            self._target.parent.mkdir(parents=True, exist_ok=True)
            # mkstemp makes the file readable by its owner only, so a half-written bundle stays private.
            handle, temp = tempfile.mkstemp(prefix=f".{self._target.name}.", suffix=".partial", dir=self._target.parent)
        except OSError as exc:
            raise BundleError(f"Cannot write bundle {self._target}: {exc.strerror or exc}.") from exc
        self._temp = Path(temp)
        self._file = os.fdopen(handle, "wb")
        self._zip = zipfile.ZipFile(self._file, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        # A writer dropped without commit or abort still removes its temporary file.
        self._discard = weakref.finalize(self, _discard, self._zip, self._file, self._temp)
        now = datetime.now(UTC)
        # One timestamp for every entry: an entry's time says when the bundle was made, not when it was added.
        self._date_time = (max(now.year, 1980), now.month, now.day, now.hour, now.minute, now.second)
        self._names = NameRegistry()
        self._digests: dict[str, str] = {}
        self._sizes: dict[str, int] = {}
        self._writing: str | None = None
        self._failed: str | None = None
        self._finished: str | None = None

    @property
    def target(self) -> Path:
        """Where the bundle lands on ``commit``."""
        return self._target

    @property
    def root(self) -> str:
        """The bag's folder inside the zip."""
        return self._root

    @property
    def digests(self) -> dict[str, str]:
        """SHA-256 (hex) of every entry written so far, by bag-relative path."""
        return dict(self._digests)

    @property
    def sizes(self) -> dict[str, int]:
        """Byte count of every entry written so far, by bag-relative path."""
        return dict(self._sizes)

    @contextlib.contextmanager
    def open_entry(self, name: str) -> Iterator[BinaryIO]:
        """Stream the content of entry ``name`` (a bag-relative POSIX path); its digest and size are kept at the end."""
        self._check_open(f"add {name!r}")
        problem = name_problem(name) or self._names.add(name)
        if problem is not None:
            raise BundleError(
                f"Cannot add {name!r} to bundle {self._target}: the name {problem}. "
                "Use a unique relative POSIX path such as 'data/evidence.jsonl'."
            )
        info = zipfile.ZipInfo(f"{self._root}/{name}", self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED  # at zlib's default level, 6
        info.create_system = 3  # Unix, so readers take the mode below
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        self._writing = name
        sink: _DigestingSink | None = None
        try:
            member = self._zip.open(info, "w", force_zip64=True)
            try:
                sink = _DigestingSink(member)
                with io.BufferedWriter(sink, buffer_size=_CHUNK) as stream:
                    yield stream
            finally:
                member.close()
        except BaseException:
            # zipfile keeps whatever part of the entry reached the file, so the archive can no longer be committed.
            self._failed = name
            raise
        finally:
            self._writing = None
        assert sink is not None
        self._digests[name] = sink.sha256.hexdigest()
        self._sizes[name] = sink.count

    def add_bytes(self, name: str, data: bytes) -> None:
        """Write entry ``name`` holding ``data``."""
        with self.open_entry(name) as out:
            out.write(data)

    def add_file(self, name: str, path: str | os.PathLike[str]) -> None:
        """Write entry ``name`` holding the file at ``path``, streamed in chunks."""
        try:
            source = open(path, "rb")  # noqa: SIM115 (closed below; opened first so a missing file costs nothing)
        except OSError as exc:
            raise BundleError(f"Cannot add {path} to bundle {self._target}: {exc.strerror or exc}.") from exc
        with source, self.open_entry(name) as out:
            shutil.copyfileobj(source, out, _CHUNK)

    def commit(self) -> Path:
        """Finish the zip, flush it to disk and rename it to ``target``; return ``target``."""
        self._check_open("commit")
        if self._failed is not None:
            self.abort()
            raise BundleError(
                f"Bundle {self._target} was not written: entry {self._failed!r} failed part-way, so the archive "
                "would be incomplete. Export the bundle again."
            )
        try:
            self._zip.close()
            self._file.flush()
            # The finished bundle is a file the user made to hand on, not a private temporary: give it the mode any
            # file they create gets, so their umask (not mkstemp's 0600) decides who may read it. Set before the
            # fsync so the mode is as durable as the content.
            os.chmod(self._temp, _NEW_FILE_MODE)
            os.fsync(self._file.fileno())
            self._file.close()
            self._place()
        except BaseException as exc:
            self.abort()
            if isinstance(exc, OSError):
                raise BundleError(f"Cannot write bundle {self._target}: {exc.strerror or exc}.") from exc
            raise
        self._finished = "committed"
        self._discard.detach()
        return self._target

    def abort(self) -> None:
        """Discard everything written; ``target`` is left as it was. Safe to call twice."""
        if self._finished is not None:
            return
        self._finished = "aborted"
        self._discard()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()

    def _place(self) -> None:
        if self._overwrite:
            os.replace(self._temp, self._target)
        else:
            try:
                # A hard link fails, atomically, if the target appeared since the writer was made.
                os.link(self._temp, self._target)
            except FileExistsError:
                raise self._exists() from None
            except OSError:
                # File systems without hard links: the check and the rename are two steps there.
                if self._target.exists():
                    raise self._exists() from None
                os.replace(self._temp, self._target)
            else:
                # The bundle is in place; a leftover link to it is untidy, not a failure.
                with contextlib.suppress(OSError):
                    self._temp.unlink()
        _fsync_folder(self._target.parent)

    def _check_open(self, action: str) -> None:
        if self._finished is not None:
            raise BundleError(f"Cannot {action}: the writer for bundle {self._target} is already {self._finished}.")
        if self._writing is not None:
            raise BundleError(f"Cannot {action} while entry {self._writing!r} is still open; close it first.")

    def _exists(self) -> BundleError:
        return BundleError(
            f"Bundle {self._target} already exists; choose another path or pass overwrite=True to replace it."
        )


def _discard(archive: zipfile.ZipFile, file: IO[bytes], temp: Path) -> None:
    """Drop an unfinished bundle: close its file, release the zip, remove the temporary file."""
    with contextlib.suppress(OSError):
        file.close()
    # With its file closed the zip cannot write its table of contents; closing it only releases it.
    with contextlib.suppress(ValueError, OSError):
        archive.close()
    temp.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable where the platform allows opening a folder (not on Windows)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)
