"""Clear what running the example notebooks leaves in them before they are committed.

Outputs go, except those of cells marked ``# NBVAL_CHECK_OUTPUT`` (nbval compares them with a fresh run), and so
do execution counts and saved widget state: they held a developer's paths and an older status format.

    .venv/bin/python scripts/clear_notebooks.py notebooks/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

CHECKED = "NBVAL_CHECK_OUTPUT"


def cleared(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without outputs (but those nbval checks), execution counts or widget state."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        for output in cell.outputs:
            output.pop("execution_count", None)
        if CHECKED not in cell.source:
            cell.outputs = []
        cell.metadata.pop("execution", None)
    return notebook


def main(paths: list[str]) -> int:
    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(cleared(notebook), path)
        print(f"cleared {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
