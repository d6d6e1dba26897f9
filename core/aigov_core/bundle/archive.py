"""The zip that carries a bundle, read safely: one BagIt bag under one top-level folder, every hostile shape refused.

``BundleArchive`` treats every zip as hostile: its whole central directory is checked (names, types, flags,
declared sizes, overlaps) before a single member is read, and members are only ever streamed, never extracted.
Writing a bundle is ``archive_writer.BundleWriter``'s job; the rules for names are in ``bag_names``.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, Self

from aigov_core.bundle.bag_names import NameRegistry, name_problem
from aigov_core.errors import BundleError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_GIB = 1 << 30
_CHUNK = 1 << 20
# signature, flags, file name length, extra field length: all a local header tells us that the central directory
# does not (zipfile trusts the central directory for sizes, so we do too).
_LOCAL_HEADER = struct.Struct("<4s2xH18xHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_UTF8_NAME = 0x800
_ENCRYPTED = 0x1 | 0x40  # traditional and strong encryption
_PATCHED = 0x20
_METHODS = {9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstandard", 95: "xz", 99: "AES encryption"}
_SPECIAL_KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, struct.error)
_RESEND = "ask whoever made it to export it again with jupyter-aigov"


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an untrusted bundle may declare before it is refused unread."""

    max_entries: int = 100_000
    max_entry_bytes: int = 64 * _GIB
    max_total_bytes: int = 256 * _GIB
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1 << 20


DEFAULT_LIMITS = ArchiveLimits()


class _MemberReader(io.RawIOBase):
    """A member's bytes as zipfile inflates them; a CRC failure, bad data or a wrong length raise BundleError."""

    def __init__(self, member: IO[bytes], declared: int, damaged: Callable[[str], BundleError]) -> None:
        super().__init__()
        self._member = member
        self._declared = declared
        self._damaged = damaged
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        try:
            # zipfile never yields more than the declared size and checks the CRC once it reaches it.
            data = self._member.read(len(view))
        except _READ_ERRORS as exc:
            raise self._damaged(f"cannot be read ({exc})") from exc
        view[: len(data)] = data
        self._count += len(data)
        if self._count > self._declared or (not data and len(view) > 0 and self._count != self._declared):
            raise self._damaged(f"inflates to {self._count:,} bytes but declares {self._declared:,}")
        return len(data)

    def close(self) -> None:
        self._member.close()
        super().close()


class BundleArchive:
    """A bundle zip opened for reading, its whole central directory checked before any member is read.

    Example::

        with BundleArchive(path) as bundle:
            bagit = bundle.read("bagit.txt")
            with bundle.open("data/evidence.jsonl") as member:
                for line in member:
                    ...
    """

    def __init__(self, path: str | os.PathLike[str], limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
        self._path = Path(path)
        self._limits = limits
        self._zip: zipfile.ZipFile | None = None
        try:
            self._file: BinaryIO = open(self._path, "rb")  # noqa: SIM115 (held open until close())
        except OSError as exc:
            raise BundleError(f"Cannot open bundle {self._path}: {exc.strerror or exc}.") from exc
        try:
            self._zip = self._open_zip()
            self._root, self._members = self._check_entries(self._zip.infolist())
            self._check_layout(self._zip)
        except BaseException:
            self.close()
            raise

    @property
    def root(self) -> str:
        """The bag's folder: the one top-level folder everything in the bundle lies under."""
        return self._root

    @property
    def files(self) -> list[str]:
        """Every file in the bag, as a path relative to ``root``, in archive order."""
        return list(self._members)

    def size(self, name: str) -> int:
        """The uncompressed size ``name`` declares (reading it never yields more)."""
        return self._member(name).file_size

    def open(self, name: str) -> BinaryIO:
        """A streaming reader of ``name``; damage shows up as BundleError while reading, never as wrong bytes."""
        info = self._member(name)
        assert self._zip is not None
        try:
            member = self._zip.open(info)
        except _READ_ERRORS as exc:
            raise self._damaged(info.orig_filename, f"cannot be opened ({exc})") from exc
        return io.BufferedReader(
            _MemberReader(member, info.file_size, lambda problem: self._damaged(info.orig_filename, problem)),
            buffer_size=_CHUNK,
        )

    def read(self, name: str, max_bytes: int = 16 << 20) -> bytes:
        """The whole of a small member such as a tag file; larger ones are refused (stream them with ``open``)."""
        size = self.size(name)
        if size > max_bytes:
            raise BundleError(
                f"Bundle {self._path}: {name!r} declares {size:,} bytes, more than the {max_bytes:,} read at once; "
                "stream it with open() instead."
            )
        with self.open(name) as member:
            return member.read()

    def close(self) -> None:
        """Release the file; safe to call twice."""
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _open_zip(self) -> zipfile.ZipFile:
        try:
            return zipfile.ZipFile(self._file)
        except (*_READ_ERRORS, UnicodeDecodeError, ValueError, zipfile.LargeZipFile) as exc:
            self._file.seek(0)
            if self._file.read(len(_LOCAL_SIGNATURE)) == _LOCAL_SIGNATURE:
                raise BundleError(
                    f"Bundle {self._path} is damaged or truncated: it starts like a zip file but its table of "
                    f"contents cannot be read ({exc}). Copy or download it again."
                ) from exc
            raise BundleError(
                f"{self._path} is not a zip file ({exc}); a bundle is the .zip file an export writes."
            ) from exc

    def _check_entries(self, infos: list[zipfile.ZipInfo]) -> tuple[str, dict[str, zipfile.ZipInfo]]:
        """Refuse any unsafe entry; return the bag's folder and its files by bag-relative path."""
        limits = self._limits
        if not infos:
            raise BundleError(f"Refusing bundle {self._path}: the zip is empty; {_RESEND}.")
        if len(infos) > limits.max_entries:
            raise BundleError(
                f"Refusing bundle {self._path}: it has {len(infos):,} entries, more than the {limits.max_entries:,} "
                "allowed. If you trust it, open it with a larger ArchiveLimits(max_entries=...)."
            )
        names = NameRegistry()
        root: str | None = None
        total = 0
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.orig_filename  # zipfile's own .filename is cut at a NUL, hiding it
            folder = name.endswith("/")
            path = name[:-1] if folder else name
            problem = name_problem(path) or self._entry_problem(info, folder)
            if problem is not None:
                raise self._unsafe(name, problem)
            if info.file_size > limits.max_entry_bytes:
                raise self._unsafe(
                    name,
                    f"declares {info.file_size:,} bytes, more than the {limits.max_entry_bytes:,} allowed",
                    "if you trust this bundle, open it with a larger ArchiveLimits(max_entry_bytes=...)",
                )
            if info.file_size > limits.ratio_floor_bytes and (
                info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio
            ):
                raise self._unsafe(
                    name,
                    f"inflates {info.compress_size:,} bytes to {info.file_size:,}, more than the "
                    f"{limits.max_ratio:g}-fold allowed (the shape of a zip bomb)",
                    "if you trust this bundle, open it with a larger ArchiveLimits(max_ratio=...)",
                )
            total += info.file_size
            if total > limits.max_total_bytes:
                raise BundleError(
                    f"Refusing bundle {self._path}: its entries declare more than the {limits.max_total_bytes:,} "
                    f"bytes allowed in all (passed at entry {name!r}). If you trust it, open it with a larger "
                    "ArchiveLimits(max_total_bytes=...)."
                )
            collision = names.add(path, folder=folder)
            if collision is not None:
                raise self._unsafe(name, collision)
            top, _, rest = path.partition("/")
            if not folder and not rest:
                raise self._unsafe(name, "lies outside the bag's folder; a bundle holds everything under one folder")
            if root is None:
                root = top
            elif top != root:
                raise self._unsafe(
                    name, f"lies under {top!r} but the bag is {root!r}; a bundle holds exactly one top-level folder"
                )
            if not folder:
                members[rest] = info
        if root is None or not members:
            raise BundleError(f"Refusing bundle {self._path}: it holds folders but no files; {_RESEND}.")
        return root, members

    @staticmethod
    def _entry_problem(info: zipfile.ZipInfo, folder: bool) -> str | None:
        """Why an entry's type, flags or compression make it unsafe or unreadable, or None."""
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind in _SPECIAL_KINDS:
            return f"is {_SPECIAL_KINDS[kind]}; a bundle holds only regular files and folders"
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            return f"has an unknown file type ({kind:#o}); a bundle holds only regular files and folders"
        if kind == stat.S_IFDIR and not folder:
            return "is marked as a folder but its name does not end in '/'"
        if kind == stat.S_IFREG and folder:
            return "ends in '/' but is marked as a regular file"
        if folder and info.file_size:
            return "is a folder entry with content"
        if info.flag_bits & _ENCRYPTED:
            return "is encrypted; bundles are signed, never encrypted"
        if info.flag_bits & _PATCHED:
            return "holds compressed patch data (flag bit 5), which is not supported"
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = _METHODS.get(info.compress_type, "unknown")
            return f"uses compression method {info.compress_type} ({method}); only stored and deflated are accepted"
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            return f"is stored uncompressed yet declares {info.compress_size:,} bytes for {info.file_size:,}"
        return None

    def _check_layout(self, archive: zipfile.ZipFile) -> None:
        """Refuse entries whose bytes overlap another's (the overlapping-files zip bomb) or run past the data."""
        end_of_data = min(archive.start_dir, os.fstat(self._file.fileno()).st_size)
        previous: zipfile.ZipInfo | None = None
        previous_end = 0
        # Data descriptors are not counted in an entry's span: they hold no member data, so sharing them inflates
        # nothing.
        for info in sorted(archive.infolist(), key=lambda entry: entry.header_offset):
            name = info.orig_filename
            offset = info.header_offset
            if previous is not None and offset < previous_end:
                raise self._unsafe(
                    name, f"shares bytes with entry {previous.orig_filename!r} (overlapping entries, a zip bomb shape)"
                )
            header = b""
            if 0 <= offset <= end_of_data - _LOCAL_HEADER.size:
                self._file.seek(offset)
                header = self._file.read(_LOCAL_HEADER.size)
            if len(header) != _LOCAL_HEADER.size or not header.startswith(_LOCAL_SIGNATURE):
                raise self._unsafe(name, "has no local header where the table of contents says it starts")
            _, flags, name_length, extra_length = _LOCAL_HEADER.unpack(header)
            raw_name = self._file.read(name_length)
            try:
                local_name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437")
            except UnicodeDecodeError:
                local_name = repr(raw_name)
            if local_name != name:
                raise self._unsafe(name, f"is named {local_name!r} in its local header; the two names must agree")
            end = offset + _LOCAL_HEADER.size + name_length + extra_length + info.compress_size
            if end > end_of_data:
                raise self._unsafe(name, "runs past the end of the archive's data; the file is truncated or damaged")
            previous, previous_end = info, end

    def _member(self, name: str) -> zipfile.ZipInfo:
        try:
            return self._members[name]
        except KeyError:
            raise BundleError(f"Bundle {self._path} has no file {name!r} in its bag {self._root!r}.") from None

    def _unsafe(self, entry: str, reason: str, hint: str = _RESEND) -> BundleError:
        return BundleError(f"Refusing bundle {self._path}: entry {entry!r} {reason}. Nothing was read; {hint}.")

    def _damaged(self, entry: str, problem: str) -> BundleError:
        return BundleError(
            f"Bundle {self._path} is damaged: entry {entry!r} {problem}. Do not trust its content; "
            "copy or download the bundle again."
        )
