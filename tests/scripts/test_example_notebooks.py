"""The example notebooks as committed: cleared of what a run leaves (scripts/clear_notebooks.py), no one's paths."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# a home, a temporary folder or this checkout: what a developer's run writes into outputs
ABSOLUTE_PATH = re.compile(rf"(/root|/home/|/Users/|/tmp/|/var/folders/|{re.escape(str(ROOT))})")


def test_when_listing_the_examples_then_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_when_committed_then_only_the_outputs_nbval_checks_are_kept(notebook: Path) -> None:
    content = json.loads(notebook.read_text(encoding="utf-8"))
    assert "widgets" not in content["metadata"], "saved widget state: run scripts/clear_notebooks.py"
    for number, cell in enumerate(content["cells"], start=1):
        if cell["cell_type"] != "code":
            continue
        if "NBVAL_CHECK_OUTPUT" in "".join(cell["source"]):
            # nbval fails a cell holding outputs without an execution count ("unrun reference cell has outputs")
            assert cell["execution_count"] is not None or not cell["outputs"], f"cell {number} has no count"
            continue
        assert cell["outputs"] == [], f"cell {number} has outputs: run scripts/clear_notebooks.py"
        assert cell["execution_count"] is None, f"cell {number} was run: run scripts/clear_notebooks.py"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_when_committed_then_no_absolute_path_is_in_the_notebook(notebook: Path) -> None:
    found = ABSOLUTE_PATH.findall(notebook.read_text(encoding="utf-8"))
    assert not found, f"{notebook.name} holds {found}: clear it (scripts/clear_notebooks.py) or fix the output"
