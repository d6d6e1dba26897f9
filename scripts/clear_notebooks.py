"""Clear what running the example notebooks leaves in them before they are committed.

Outputs and execution counts go, except in cells marked ``# NBVAL_CHECK_OUTPUT`` (nbval compares their outputs with
a fresh run's), and so does saved widget state: they held a developer's paths and an older status format.

    .venv/bin/python scripts/clear_notebooks.py notebooks/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

CHECKED = "NBVAL_CHECK_OUTPUT"


def cleared(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without outputs and execution counts (but those nbval checks), nor widget state."""
    notebook.metadata.pop("widgets", None)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code, start=1):
        cell.metadata.pop("execution", None)
        if CHECKED not in cell.source:
            cell.outputs, cell.execution_count = [], None
            continue
        # nbval fails a cell that holds outputs with no execution count ("unrun reference cell has outputs")
        cell.execution_count = number
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = number
    return notebook


def main(paths: list[str]) -> int:
    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(cleared(notebook), path)
        print(f"cleared {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
