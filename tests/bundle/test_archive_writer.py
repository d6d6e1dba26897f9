"""Writing bundle zips: entries streamed with their digests recorded, names checked, the result placed atomically."""

from __future__ import annotations

import gc
import hashlib
import os
import stat
import zipfile
from pathlib import Path

import pytest

from aigov_core.bundle.archive import BundleArchive
from aigov_core.errors import BundleError
from jupyter_aigov.bundle.archive_writer import BundleWriter


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    path = tmp_path / "analysis.ipynb"
    path.write_bytes(b'{"cells": []}' * 10_000)
    return path


def test_when_entries_are_written_then_they_read_back_with_the_recorded_digests(tmp_path: Path, notebook: Path) -> None:
    target = tmp_path / "out" / "audit.zip"
    block = os.urandom(1 << 20)  # random, so 50 MiB stays under the reader's compression-ratio limit
    streamed = hashlib.sha256()
    with BundleWriter(target, "audit-1") as writer:
        writer.add_bytes("bagit.txt", b"BagIt-Version: 1.0\n")
        writer.add_file("data/notebooks/analysis.ipynb", notebook)
        with writer.open_entry("data/evidence.jsonl") as out:
            for index in range(50):
                chunk = index.to_bytes(4, "big") + block[4:]
                streamed.update(chunk)
                out.write(chunk)
        writer.add_bytes("data/r\u00e9sum\u00e9.txt", "caf\u00e9".encode())
        writer.add_bytes("data/empty.txt", b"")
        recorded = writer.digests
        sizes = writer.sizes
    expected = {
        "bagit.txt": hashlib.sha256(b"BagIt-Version: 1.0\n").hexdigest(),
        "data/notebooks/analysis.ipynb": hashlib.sha256(notebook.read_bytes()).hexdigest(),
        "data/evidence.jsonl": streamed.hexdigest(),
        "data/r\u00e9sum\u00e9.txt": hashlib.sha256("caf\u00e9".encode()).hexdigest(),
        "data/empty.txt": hashlib.sha256(b"").hexdigest(),
    }
    assert recorded == expected
    assert sizes["data/evidence.jsonl"] == 50 << 20
    assert os.listdir(target.parent) == ["audit.zip"]
    with BundleArchive(target) as bundle:
        assert bundle.root == "audit-1"
        assert bundle.files == list(expected)
        for name, digest in expected.items():
            read = hashlib.sha256()
            with bundle.open(name) as member:
                while chunk := member.read(1 << 20):
                    read.update(chunk)
            assert read.hexdigest() == digest
            assert bundle.size(name) == sizes[name]
        assert bundle.read("bagit.txt") == b"BagIt-Version: 1.0\n"


def test_when_entries_are_written_then_they_share_one_timestamp_and_a_regular_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "audit.zip"
    with BundleWriter(target, "bag") as writer:
        for name in ("bagit.txt", "data/a.txt", "data/deep/b.txt"):
            writer.add_bytes(name, name.encode())
    with zipfile.ZipFile(target) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == ["bag/bagit.txt", "bag/data/a.txt", "bag/data/deep/b.txt"]
    assert len({info.date_time for info in infos}) == 1
    assert {info.external_attr >> 16 for info in infos} == {stat.S_IFREG | 0o644}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


def test_when_writing_then_only_a_hidden_partial_file_exists(tmp_path: Path) -> None:
    target = tmp_path / "audit.zip"
    with BundleWriter(target, "bag") as writer:
        writer.add_bytes("bagit.txt", b"x")
        (partial,) = os.listdir(tmp_path)
        assert partial.startswith(".audit.zip.")
        assert partial.endswith(".partial")
    assert os.listdir(tmp_path) == ["audit.zip"]


@pytest.mark.skipif(os.name == "nt", reason="Windows files have no POSIX permission bits")
@pytest.mark.parametrize("overwrite", [False, True])
def test_when_a_bundle_is_committed_then_it_has_the_mode_a_newly_created_file_gets(
    tmp_path: Path, overwrite: bool
) -> None:
    target = tmp_path / "audit.zip"
    if overwrite:
        target.write_bytes(b"earlier bundle")
        target.chmod(0o600)
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"")  # created by open(), so under this process's umask
    with BundleWriter(target, "bag", overwrite=overwrite) as writer:
        writer.add_bytes("bagit.txt", b"x")
        (partial,) = (name for name in os.listdir(tmp_path) if name.endswith(".partial"))
        assert stat.S_IMODE((tmp_path / partial).stat().st_mode) == 0o600
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_when_the_block_raises_then_nothing_is_left_behind(tmp_path: Path) -> None:
    target = tmp_path / "out" / "audit.zip"
    with pytest.raises(RuntimeError, match="export failed"), BundleWriter(target, "bag") as writer:
        writer.add_bytes("bagit.txt", b"x")
        with writer.open_entry("data/evidence.jsonl") as out:
            out.write(b"half a record")
            raise RuntimeError("export failed")
    assert os.listdir(target.parent) == []


def test_when_an_entry_failed_part_way_then_commit_refuses_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "audit.zip"
    writer = BundleWriter(target, "bag")
    with pytest.raises(RuntimeError), writer.open_entry("data/evidence.jsonl") as out:
        out.write(b"half")
        raise RuntimeError("source went away")
    with pytest.raises(BundleError, match=r"entry 'data/evidence\.jsonl' failed part-way"):
        writer.commit()
    assert os.listdir(tmp_path) == []


def test_when_a_writer_is_dropped_unfinished_then_its_temporary_file_is_removed(tmp_path: Path) -> None:
    writer = BundleWriter(tmp_path / "audit.zip", "bag")
    writer.add_bytes("bagit.txt", b"x")
    assert len(os.listdir(tmp_path)) == 1
    del writer
    gc.collect()
    assert os.listdir(tmp_path) == []


def test_when_the_target_exists_then_it_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "audit.zip"
    target.write_bytes(b"earlier bundle")
    with pytest.raises(BundleError, match="already exists; choose another path or pass overwrite=True"):
        BundleWriter(target, "bag")
    with BundleWriter(target, "bag", overwrite=True) as writer:
        writer.add_bytes("bagit.txt", b"x")
    with BundleArchive(target) as bundle:
        assert bundle.files == ["bagit.txt"]
    assert os.listdir(tmp_path) == ["audit.zip"]


def test_when_the_target_appears_while_writing_then_commit_refuses_and_keeps_it(tmp_path: Path) -> None:
    target = tmp_path / "audit.zip"
    with pytest.raises(BundleError, match="already exists"), BundleWriter(target, "bag") as writer:
        writer.add_bytes("bagit.txt", b"x")
        target.write_bytes(b"someone else's bundle")
    assert target.read_bytes() == b"someone else's bundle"
    assert os.listdir(tmp_path) == ["audit.zip"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.txt", "'..' component"),
        ("data/../../evil.txt", "'..' component"),
        ("/etc/passwd", "absolute path"),
        ("data\\evil.txt", "backslash"),
        ("C:evil.txt", "drive letter"),
        ("data//evil.txt", "empty path component"),
        ("data/", "empty path component"),
        ("./evil.txt", "'.' component"),
        ("", "is empty"),
        ("data/evil\x00.txt", "control character U+0000"),
        ("data/evil\n.txt", "control character U+000A"),
    ],
)
def test_when_an_entry_name_is_unsafe_then_the_writer_refuses_it(tmp_path: Path, name: str, reason: str) -> None:
    writer = BundleWriter(tmp_path / "audit.zip", "bag")
    with pytest.raises(BundleError) as caught:
        writer.add_bytes(name, b"x")
    assert repr(name) in str(caught.value)
    assert reason in str(caught.value)
    writer.add_bytes("bagit.txt", b"still usable")
    writer.commit()


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        ("data/a.txt", "data/a.txt", "appears twice"),
        ("data/A.txt", "data/a.txt", "collides with 'data/A.txt'"),
        ("data/\u00e9.txt", "data/e\u0301.txt", "collides with"),
        ("data/x", "data/x/y.txt", "lies under 'data/x', which is a file"),
        ("data/x/y.txt", "data/X", "is a file, but 'data/x' is also a folder"),
    ],
)
def test_when_an_entry_name_is_taken_then_the_writer_refuses_it(
    tmp_path: Path, first: str, second: str, reason: str
) -> None:
    writer = BundleWriter(tmp_path / "audit.zip", "bag")
    writer.add_bytes(first, b"one")
    with pytest.raises(BundleError, match="Use a unique relative POSIX path") as caught:
        writer.add_bytes(second, b"two")
    assert reason in str(caught.value)
    assert writer.digests.keys() == {first}
    writer.abort()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("root", ["", "a/b", "..", "a\\b", "C:"])
def test_when_the_bag_folder_name_is_unsafe_then_the_writer_refuses_it(tmp_path: Path, root: str) -> None:
    with pytest.raises(BundleError, match="the bag's folder name"):
        BundleWriter(tmp_path / "audit.zip", root)
    assert os.listdir(tmp_path) == []


def test_when_the_writer_is_misused_then_it_says_how(tmp_path: Path, notebook: Path) -> None:
    writer = BundleWriter(tmp_path / "out" / "audit.zip", "bag")
    with writer.open_entry("a.txt"), pytest.raises(BundleError, match=r"while entry 'a\.txt' is still open"):
        writer.add_bytes("b.txt", b"x")
    with pytest.raises(BundleError, match=r"Cannot add .*missing\.txt"):
        writer.add_file("c.txt", tmp_path / "missing.txt")
    writer.commit()
    with pytest.raises(BundleError, match="already committed"):
        writer.add_file("d.txt", notebook)
