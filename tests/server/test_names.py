"""Renames through the real contents API: the notebook keeps the evidence written under its former names."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_aigov.server.names import NAMES_FILE, former_paths, record_rename

from .conftest import LOG, NOTEBOOK


def rename(fetch: Any, old: str, new: str, root: Path) -> None:
    """PATCH /api/contents/OLD {"path": NEW}, then wait for the extension to have written the names file."""
    response = fetch("api", "contents", old, method="PATCH", json_body={"path": new})
    assert response.code == 200, response.body
    names = root / Path(new).parent / NAMES_FILE
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if names.is_file() and new in json.loads(names.read_text()):
            return
        fetch("api", "status")  # lets the server's loop run the listener
    raise AssertionError(f"{names} does not name {new}")


def test_when_a_notebook_is_renamed_then_its_new_path_shows_the_old_decisions(
    governed_notebook: Any, fetch: Any, state: Any, jp_root_dir: Path
) -> None:
    before = state(NOTEBOOK)
    rename(fetch, NOTEBOOK, "work/retention.ipynb", jp_root_dir)
    after = state("work/retention.ipynb")
    assert after["governed"] is True
    assert after["former_paths"] == [NOTEBOOK]
    assert after["evidence"]["logs"] == [LOG]  # the kernel still writes there until it restarts
    assert after["decisions"] == before["decisions"] and after["counts"] == before["counts"]
    assert after["kernel_extension"] is True


def test_when_renamed_twice_and_moved_then_every_former_name_is_kept(
    governed_notebook: Any, fetch: Any, state: Any, jp_root_dir: Path
) -> None:
    rename(fetch, NOTEBOOK, "work/step1.ipynb", jp_root_dir)
    (jp_root_dir / "archive").mkdir()
    rename(fetch, "work/step1.ipynb", "archive/final.ipynb", jp_root_dir)
    answer = state("archive/final.ipynb")
    assert answer["former_paths"] == ["work/step1.ipynb", NOTEBOOK]
    assert answer["evidence"]["logs"] == [LOG] and answer["counts"]["calls"] == 5
    assert state("work/step1.ipynb")["former_paths"] == []  # a new notebook at that name starts afresh


def test_when_a_notebook_without_evidence_is_renamed_then_nothing_is_recorded(
    in_root: Path, fetch: Any, state: Any
) -> None:
    (in_root / "work" / "plain.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    response = fetch("api", "contents", "work/plain.ipynb", method="PATCH", json_body={"path": "work/plain2.ipynb"})
    assert response.code == 200
    fetch("api", "status")
    assert not (in_root / "work" / NAMES_FILE).exists()
    assert state("work/plain2.ipynb")["former_paths"] == []


def test_when_renamed_back_then_a_notebook_is_not_its_own_former_name(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    record_rename(tmp_path, "a/x.ipynb", "a/y.ipynb")
    assert record_rename(tmp_path, "a/y.ipynb", "a/x.ipynb") == ["a/y.ipynb"]
    assert former_paths(tmp_path, "a/x.ipynb") == ["a/y.ipynb"]
    assert not list((tmp_path / "a" / ".aigov").glob(".names-*"))  # no temporary file left behind


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '{"a/x.ipynb": "not a list"}'])
def test_when_the_names_file_is_unreadable_then_no_former_names(tmp_path: Path, content: str) -> None:
    names = tmp_path / "a" / NAMES_FILE
    names.parent.mkdir(parents=True)
    names.write_text(content)
    assert former_paths(tmp_path, "a/x.ipynb") == []
