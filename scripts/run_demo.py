"""Run the demo notebooks in a real kernel and print what they show: calls allowed, redacted, blocked, recorded."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def _print_outputs(notebook: nbformat.NotebookNode) -> None:
    for _number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "markdown":
            heading = next((line for line in cell.source.splitlines() if line.startswith("#")), "")
            if heading:
                print(f"\n{heading.lstrip('# ').strip()}")
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                sys.stdout.write(output.text)
            elif output.output_type == "error":
                print("\n".join(output.traceback))
            elif "text/plain" in output.get("data", {}):
                print(output.data["text/plain"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "notebooks",
        nargs="*",
        default=[
            str(ROOT / "notebooks" / name)
            for name in ("demo.ipynb", "redaction.ipynb", "agent.ipynb", "inventory.ipynb", "bundle.ipynb")
        ],
    )
    parser.add_argument("--out", default=str(ROOT / "build"), help="folder for the executed notebooks")
    args = parser.parse_args()
    for name in args.notebooks:
        path = Path(name)
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        )
        client.execute(env={**os.environ, "JPY_SESSION_NAME": str(path)})
        saved = Path(args.out) / f"{path.stem}.executed.ipynb"
        saved.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, saved)
        print(f"\n=== {path.name}")
        _print_outputs(notebook)
        print(f"\nExecuted notebook written to {saved}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
