"""Reading bundle zips: every hostile shape refused before a byte is read, damaged members caught."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pytest

from aigov_core.bundle.archive import ArchiveLimits, BundleArchive
from aigov_core.errors import BundleError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

Entry = tuple[str | zipfile.ZipInfo, bytes]

# Field offsets in the local file header and the central directory record (APPNOTE 4.3.7 and 4.3.12).
LOCAL_FIELDS = {
    "flags": (6, "<H"),
    "method": (8, "<H"),
    "crc": (14, "<I"),
    "compressed": (18, "<I"),
    "size": (22, "<I"),
}
CENTRAL_FIELDS = {
    "flags": (8, "<H"),
    "method": (10, "<H"),
    "crc": (16, "<I"),
    "compressed": (20, "<I"),
    "size": (24, "<I"),
    "offset": (42, "<I"),
}
CONTENT = bytes(range(256)) * 40  # 10,240 bytes that deflate a little


def make_zip(folder: Path, entries: list[Entry], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip holding ``entries`` in a folder of its own, so a test can see that nothing else appears there."""
    folder.mkdir(exist_ok=True)
    path = folder / "bundle.zip"
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def file_info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def central_records(data: bytes | bytearray) -> list[int]:
    """Where each central directory record starts."""
    end = data.rindex(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", data, end + 10)
    records = []
    for _ in range(count):
        records.append(start)
        names, extras, comment = struct.unpack_from("<HHH", data, start + 28)
        start += 46 + names + extras + comment
    return records


def patch_entry(path: Path, index: int, fields: dict[str, int], *, local: bool = True) -> None:
    """Rewrite header fields of entry ``index`` in the central directory and (unless told not) its local header."""
    data = bytearray(path.read_bytes())
    central = central_records(data)[index]
    header = struct.unpack_from("<I", data, central + 42)[0]
    for field, value in fields.items():
        offset, layout = CENTRAL_FIELDS[field]
        struct.pack_into(layout, data, central + offset, value)
        if local and field in LOCAL_FIELDS:
            offset, layout = LOCAL_FIELDS[field]
            struct.pack_into(layout, data, header + offset, value)
    path.write_bytes(bytes(data))


def entry_field(path: Path, index: int, field: str) -> int:
    data = path.read_bytes()
    offset, layout = CENTRAL_FIELDS[field]
    value: int = struct.unpack_from(layout, data, central_records(data)[index] + offset)[0]
    return value


def replace_bytes(path: Path, old: bytes, new: bytes) -> None:
    """Replace ``old`` (in both headers) with ``new`` of the same length: for names zipfile will not write."""
    assert len(old) == len(new)
    data = path.read_bytes()
    assert data.count(old) == 2
    path.write_bytes(data.replace(old, new))


def forbidden_read(*_: object, **__: object) -> None:
    raise AssertionError("a member was read before the archive was checked")


def refused(path: Path, limits: ArchiveLimits | None = None) -> str:
    """Open ``path``, expect the constructor to refuse it from the central directory alone (no member read, nothing
    written beside it); return the message."""
    before = sorted(os.listdir(path.parent))
    with pytest.MonkeyPatch.context() as patch, pytest.raises(BundleError) as caught:
        patch.setattr(zipfile.ZipFile, "open", forbidden_read)
        BundleArchive(path, limits or ArchiveLimits())
    assert sorted(os.listdir(path.parent)) == before
    return str(caught.value)


def good_entries() -> list[Entry]:
    return [("bag/bagit.txt", b"BagIt-Version: 1.0\n"), ("bag/data/a.txt", b"alpha")]


# Reading: refusals in the constructor ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.txt", "'..' component"),
        ("bag/../../evil.txt", "'..' component"),
        ("/bag/evil.txt", "absolute path"),
        ("\\bag\\evil.txt", "absolute path"),
        ("bag\\..\\evil.txt", "backslash"),
        ("C:/bag/evil.txt", "drive letter"),
        ("c:bag/evil.txt", "drive letter"),
        ("bag//evil.txt", "empty path component"),
        ("bag/./evil.txt", "'.' component"),
        ("bag/evil\x01.txt", "control character U+0001"),
        ("bag/evil\n.txt", "control character U+000A"),
        ("bag/evil\x7f.txt", "control character U+007F"),
        ("bag/evil\x85.txt", "control character U+0085"),
    ],
)
def test_when_an_entry_name_is_unsafe_then_the_bundle_is_refused_unread(tmp_path: Path, name: str, reason: str) -> None:
    path = make_zip(tmp_path / "in", [*good_entries(), (name, b"owned")])
    message = refused(path)
    assert repr(name) in message
    assert reason in message


def test_when_an_entry_name_holds_a_nul_then_the_bundle_is_refused_unread(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [*good_entries(), ("bag/evil_.txt", b"owned")])
    replace_bytes(path, b"bag/evil_.txt", b"bag/evil\x00.txt")
    message = refused(path)
    assert "'bag/evil\\x00.txt'" in message
    assert "control character U+0000" in message


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        (stat.S_IFLNK | 0o777, "is a symbolic link"),
        (stat.S_IFIFO | 0o644, "is a named pipe"),
        (stat.S_IFCHR | 0o644, "is a character device"),
        (stat.S_IFBLK | 0o644, "is a block device"),
        (stat.S_IFSOCK | 0o644, "is a socket"),
        (0o170000 | 0o644, "unknown file type"),
        (stat.S_IFDIR | 0o755, "marked as a folder"),
    ],
)
def test_when_an_entry_is_not_a_regular_file_then_the_bundle_is_refused_unread(
    tmp_path: Path, mode: int, reason: str
) -> None:
    path = make_zip(tmp_path / "in", [*good_entries(), (file_info("bag/data/link", mode), b"/etc/passwd")])
    message = refused(path)
    assert "'bag/data/link'" in message
    assert reason in message


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        ("bag/data/a.txt", "bag/data/a.txt", "appears twice"),
        ("bag/data/README.txt", "bag/data/readme.txt", "collides with 'bag/data/README.txt'"),
        ("bag/data/\u00e9t\u00e9.txt", "bag/data/e\u0301te\u0301.txt", "collides with"),
        ("bag/DATA/x.txt", "bag/data/x.txt", "collides with"),
        ("bag/data/x", "bag/data/x/y.txt", "lies under 'bag/data/x', which is a file"),
        ("bag/data/x/y.txt", "bag/data/x", "is a file, but 'bag/data/x' is also a folder"),
        ("bag/data/x", "bag/data/X/", "is a folder, but 'bag/data/x' is a file"),
    ],
)
def test_when_two_entries_would_land_on_the_same_file_then_the_bundle_is_refused_unread(
    tmp_path: Path, first: str, second: str, reason: str
) -> None:
    path = make_zip(
        tmp_path / "in", [("bag/bagit.txt", b"x"), (first, b"one"), (second, b"" if second.endswith("/") else b"two")]
    )
    message = refused(path)
    assert repr(second) in message
    assert reason in message


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"flags": 0x1}, "is encrypted"),
        ({"flags": 0x41}, "is encrypted"),
        ({"flags": 0x20}, "compressed patch data"),
        ({"method": 99}, "compression method 99 (AES encryption)"),
        ({"method": 9}, "compression method 9 (deflate64)"),
    ],
)
def test_when_an_entry_has_flags_or_a_method_we_do_not_read_then_the_bundle_is_refused_unread(
    tmp_path: Path, fields: dict[str, int], reason: str
) -> None:
    path = make_zip(tmp_path / "in", [*good_entries(), ("bag/data/b.txt", b"beta")])
    patch_entry(path, 2, fields)
    message = refused(path)
    assert "'bag/data/b.txt'" in message
    assert reason in message


@pytest.mark.parametrize(
    ("compression", "reason"),
    [(zipfile.ZIP_BZIP2, "(bzip2)"), (zipfile.ZIP_LZMA, "(lzma)")],
)
def test_when_an_entry_is_compressed_other_than_deflate_then_the_bundle_is_refused_unread(
    tmp_path: Path, compression: int, reason: str
) -> None:
    path = make_zip(tmp_path / "in", good_entries(), compression=compression)
    message = refused(path)
    assert "only stored and deflated are accepted" in message
    assert reason in message


def test_when_a_stored_entry_declares_two_sizes_then_the_bundle_is_refused_unread(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", good_entries(), compression=zipfile.ZIP_STORED)
    patch_entry(path, 1, {"size": 10_000})
    assert "stored uncompressed yet declares" in refused(path)


@pytest.mark.parametrize(
    ("entries", "limits", "reason"),
    [
        (
            [("bag/a", b"1"), ("bag/b", b"2"), ("bag/c", b"3")],
            ArchiveLimits(max_entries=2),
            "3 entries, more than the 2 allowed",
        ),
        ([("bag/a", b"x" * 11)], ArchiveLimits(max_entry_bytes=10), "entry 'bag/a' declares 11 bytes"),
        (
            [("bag/a", b"x" * 10), ("bag/b", b"y" * 10)],
            ArchiveLimits(max_total_bytes=15),
            "more than the 15 bytes allowed in all (passed at entry 'bag/b')",
        ),
        ([("bag/zeros", bytes(2 << 20))], ArchiveLimits(), "more than the 200-fold allowed"),
        ([("bag/zeros", bytes(200_000))], ArchiveLimits(ratio_floor_bytes=100_000), "200-fold allowed"),
    ],
)
def test_when_an_archive_declares_more_than_the_limits_then_it_is_refused_unread(
    tmp_path: Path, entries: list[Entry], limits: ArchiveLimits, reason: str
) -> None:
    message = refused(make_zip(tmp_path / "in", entries), limits)
    assert reason in message
    assert "ArchiveLimits(" in message


def test_when_a_compressible_member_is_below_the_ratio_floor_then_it_is_read(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [("bag/zeros", bytes(1 << 20))])
    with BundleArchive(path) as archive:
        assert archive.read("zeros") == bytes(1 << 20)


def test_when_two_central_entries_point_at_one_local_header_then_the_bundle_is_refused_unread(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [("bag/a", CONTENT), ("bag/b", CONTENT)])
    patch_entry(path, 1, {"offset": entry_field(path, 0, "offset")})
    message = refused(path)
    assert "entry 'bag/b' shares bytes with entry 'bag/a'" in message


def test_when_an_entry_starts_inside_another_entrys_data_then_the_bundle_is_refused_unread(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [("bag/a", CONTENT), ("bag/b", CONTENT)], compression=zipfile.ZIP_STORED)
    patch_entry(path, 1, {"offset": entry_field(path, 0, "offset") + 30 + len("bag/a") + 100})
    assert "shares bytes with entry 'bag/a'" in refused(path)


def test_when_local_and_central_names_differ_then_the_bundle_is_refused_unread(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [("bag/a", CONTENT), ("bag/b", CONTENT)])
    first, second = entry_field(path, 0, "offset"), entry_field(path, 1, "offset")
    patch_entry(path, 0, {"offset": second})
    patch_entry(path, 1, {"offset": first})
    assert "is named 'bag/a' in its local header" in refused(path)


def test_when_an_entry_runs_past_the_data_then_the_bundle_is_refused_unread(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [("bag/a", CONTENT), ("bag/b", CONTENT)])
    patch_entry(path, 1, {"compressed": entry_field(path, 1, "compressed") + 5000}, local=False)
    assert "entry 'bag/b' runs past the end" in refused(path)


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ([("bag/a", b"1"), ("other/b", b"2")], "entry 'other/b' lies under 'other' but the bag is 'bag'"),
        ([("bag/a", b"1"), ("readme.txt", b"2")], "entry 'readme.txt' lies outside the bag's folder"),
        ([("bag/", b""), ("bag/data/", b"")], "holds folders but no files"),
        ([("bag/", b""), ("other/", b""), ("bag/a", b"1")], "entry 'other/' lies under 'other'"),
    ],
)
def test_when_entries_are_not_under_exactly_one_folder_then_the_bundle_is_refused_unread(
    tmp_path: Path, entries: list[Entry], reason: str
) -> None:
    assert reason in refused(make_zip(tmp_path / "in", entries))


def test_when_a_folder_entry_has_content_then_the_bundle_is_refused_unread(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [(file_info("bag/data/", stat.S_IFDIR | 0o755), b""), *good_entries()])
    patch_entry(path, 0, {"size": 10})
    assert "entry 'bag/data/' is a folder entry with content" in refused(path)


def test_when_the_file_is_not_a_zip_then_it_says_so(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "bundle.zip"
    path.write_text("BagIt-Version: 1.0\n")
    assert "is not a zip file" in refused(path)
    path.write_bytes(b"")
    assert "is not a zip file" in refused(path)


def test_when_the_zip_is_truncated_then_it_says_so(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [*good_entries(), ("bag/data/big", os.urandom(50_000))])
    path.write_bytes(path.read_bytes()[:30_000])
    assert "is damaged or truncated" in refused(path)


def test_when_the_zip_is_empty_then_it_is_refused(tmp_path: Path) -> None:
    assert "the zip is empty" in refused(make_zip(tmp_path / "in", []))


def test_when_the_file_does_not_exist_then_it_says_so(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"Cannot open bundle .*No such file"):
        BundleArchive(tmp_path / "missing.zip")


# Reading: a well-formed bundle and damaged members -----------------------------------------------------------------


def test_when_a_bundle_is_well_formed_then_its_files_are_listed_relative_to_the_bag(tmp_path: Path) -> None:
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.mkdir("bag")
        archive.writestr("bag/bagit.txt", b"BagIt-Version: 1.0\n")
        archive.mkdir("bag/data")
        archive.writestr("bag/data/r\u00e9sum\u00e9.txt", CONTENT)
    with BundleArchive(path) as bundle:
        assert bundle.root == "bag"
        assert bundle.files == ["bagit.txt", "data/r\u00e9sum\u00e9.txt"]
        assert bundle.size("data/r\u00e9sum\u00e9.txt") == len(CONTENT)
        with bundle.open("data/r\u00e9sum\u00e9.txt") as member:
            assert member.read() == CONTENT
        with pytest.raises(BundleError, match="has no file 'data' in its bag 'bag'"):
            bundle.open("data")
        with pytest.raises(BundleError, match="more than the 10 read at once; stream it with open"):
            bundle.read("bagit.txt", max_bytes=10)


class Unseekable(io.RawIOBase):
    """A pipe-like sink: zipfile writes to it with data descriptors after each member, as streaming tools do."""

    def __init__(self, sink: BinaryIO) -> None:
        super().__init__()
        self._sink = sink

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        return self._sink.write(data)


def test_when_members_carry_data_descriptors_then_the_bundle_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bundle.zip"
    with path.open("wb") as sink, zipfile.ZipFile(Unseekable(sink), "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*good_entries(), ("bag/data/b.bin", CONTENT)]:
            archive.writestr(name, data)
    assert entry_field(path, 0, "flags") & 0x8
    with BundleArchive(path) as bundle:
        assert bundle.files == ["bagit.txt", "data/a.txt", "data/b.bin"]
        assert read_all(bundle, "data/b.bin") == CONTENT


def read_all(bundle: BundleArchive, name: str) -> bytes:
    """A member read in small pieces, the way a verifier streams it."""
    parts = []
    with bundle.open(name) as member:
        while part := member.read(1000):
            parts.append(part)
    return b"".join(parts)


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_when_a_member_fails_its_crc_then_reading_it_is_refused(tmp_path: Path, compression: int) -> None:
    path = make_zip(tmp_path / "in", [("bag/data.bin", CONTENT)], compression=compression)
    patch_entry(path, 0, {"crc": zlib.crc32(CONTENT) ^ 1})
    with (
        BundleArchive(path) as bundle,
        pytest.raises(BundleError, match=r"entry 'bag/data\.bin' cannot be read \(Bad CRC"),
    ):
        read_all(bundle, "data.bin")


def test_when_a_member_inflates_past_its_declared_size_then_reading_it_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [("bag/data.bin", CONTENT)])
    patch_entry(path, 0, {"size": 5000})
    with BundleArchive(path) as bundle:
        with pytest.raises(BundleError, match=r"damaged: entry 'bag/data\.bin' cannot be read \(Bad CRC"):
            read_all(bundle, "data.bin")
        with pytest.raises(BundleError, match=r"'bag/data\.bin'"):
            bundle.read("data.bin")


def test_when_the_declared_size_is_smaller_then_zipfile_stops_there_and_never_inflates_the_rest(tmp_path: Path) -> None:
    # With a CRC that matches the declared prefix the member is consistent, and that prefix is all that comes out.
    path = make_zip(tmp_path / "in", [("bag/data.bin", CONTENT)])
    patch_entry(path, 0, {"size": 5000, "crc": zlib.crc32(CONTENT[:5000])})
    with BundleArchive(path) as bundle:
        assert read_all(bundle, "data.bin") == CONTENT[:5000]


def test_when_a_member_inflates_to_less_than_its_declared_size_then_reading_it_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [("bag/data.bin", CONTENT)])
    patch_entry(path, 0, {"size": 20_000})
    with BundleArchive(path) as bundle, pytest.raises(BundleError) as caught:
        read_all(bundle, "data.bin")
    assert "entry 'bag/data.bin' inflates to 10,240 bytes but declares 20,000" in str(caught.value)


def test_when_deflated_data_is_corrupt_then_reading_it_is_refused(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "in", [("bag/data.bin", os.urandom(5000))])
    data = bytearray(path.read_bytes())
    start = entry_field(path, 0, "offset") + 30 + len("bag/data.bin")
    data[start : start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))
    with BundleArchive(path) as bundle, pytest.raises(BundleError, match=r"entry 'bag/data\.bin' cannot be read"):
        read_all(bundle, "data.bin")
