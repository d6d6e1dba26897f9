"""A file aigov reads or writes for a notebook, linked out of the server root: every endpoint refuses, nothing leaks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_aigov.evidence import EvidenceLog
from jupyter_aigov.server.paths import LinkOutOfRootError, kept_in_root

from .conftest import LOG, NOTEBOOK, write_notebook
from .test_handlers import ENDPOINTS, ask


def _evidence(root: Path) -> None:
    """work/churn.ipynb with a real log, an inventory document and an earlier bundle, all under the root."""
    write_notebook(root / NOTEBOOK)
    log = EvidenceLog(root / LOG)
    log.append({"event": "ai.call", "session": "s1", "model": "gpt-4o-mini", "decision": "allow", "rules": []})
    models = root / "work" / ".aigov" / "inventory" / "models"
    models.mkdir(parents=True)
    (models / "gpt.json").write_text('{"id": "gpt"}')
    bundles = root / "work" / ".aigov" / "bundles"
    bundles.mkdir(parents=True)
    (bundles / "x.zip").write_bytes(b"PK an earlier bundle")


def _moved_out(inside: Path, outside: Path) -> None:
    """Move ``inside`` to ``outside`` and leave a symbolic link to it where it was."""
    outside.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(inside, outside)
    inside.symlink_to(outside, target_is_directory=outside.is_dir())


LINKS: dict[str, Callable[[Path, Path], None]] = {
    ".aigov folder": lambda root, out: _moved_out(root / "work" / ".aigov", out / ".aigov"),
    "evidence folder": lambda root, out: _moved_out(root / "work" / ".aigov" / "evidence", out / "evidence"),
    "evidence log": lambda root, out: _moved_out(root / LOG, out / "churn.jsonl"),
    "bundles folder": lambda root, out: _moved_out(root / "work" / ".aigov" / "bundles", out / "bundles"),
    "inventory document": lambda root, out: _moved_out(
        root / "work" / ".aigov" / "inventory" / "models" / "gpt.json", out / "gpt.json"
    ),
    "policy file": lambda root, out: _moved_out(root / "work" / "aigov.yaml", out / "aigov.yaml"),
}


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.mark.parametrize("link", list(LINKS))
def test_when_a_file_of_the_notebook_is_a_link_out_of_the_root_then_every_endpoint_refuses_and_nothing_is_written(
    in_root: Path, fetch: Any, tmp_path: Path, link: str
) -> None:
    _evidence(in_root)
    outside = tmp_path / "outside"
    LINKS[link](in_root, outside)
    before = _snapshot(outside)

    answers = {endpoint: ask(fetch, method, endpoint, NOTEBOOK) for method, endpoint in ENDPOINTS}

    assert {endpoint: answer.code for endpoint, answer in answers.items()} == dict.fromkeys(answers, 403)
    for answer in answers.values():
        message = json.loads(answer.body)["message"]
        assert message.startswith(f"Refused for {NOTEBOOK}: ") and "leads out of the server root" in message
        assert "Replace the link with a folder or file under the root" in message
        assert b"gpt-4o-mini" not in answer.body and b"an earlier bundle" not in answer.body
    assert _snapshot(outside) == before


def test_when_the_aigov_folder_links_to_a_folder_inside_the_root_then_it_is_read(
    in_root: Path, state: Any, fetch: Any
) -> None:
    _evidence(in_root)
    _moved_out(in_root / "work" / ".aigov", in_root / "shared" / ".aigov")

    answer = state(NOTEBOOK)

    assert answer["evidence"]["records"] == 1 and answer["evidence"]["logs"] == ["shared/.aigov/evidence/churn.jsonl"]
    bundle = fetch("aigov", "bundle", params={"path": NOTEBOOK, "name": "x.zip"})
    assert bundle.code == 200 and bundle.body == b"PK an earlier bundle"


def test_when_a_file_is_placed_outside_the_root_by_the_servers_settings_then_it_is_kept(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "root", tmp_path / "evidence"
    (root / "work").mkdir(parents=True)
    elsewhere.mkdir()
    (root / "work" / ".aigov").symlink_to(elsewhere)

    assert kept_in_root(root, elsewhere / "churn.jsonl", "log") == elsewhere / "churn.jsonl"  # AIGOV_EVIDENCE_DIR
    assert kept_in_root(root, root / "work" / "churn.ipynb", "notebook") == root / "work" / "churn.ipynb"
    with pytest.raises(LinkOutOfRootError, match=r"^log \(work/.aigov/churn.jsonl\) leads out of the server root"):
        kept_in_root(root, root / "work" / ".aigov" / "churn.jsonl", "log")
