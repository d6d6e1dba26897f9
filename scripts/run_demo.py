"""Run the demo notebooks in a real kernel and print what they show: calls allowed, redacted, blocked, recorded.

Then start a local registry, push the bundle of the notebooks' evidence and inventory to it, and say where to look.
Each kernel's temporary folders (where bundle.ipynb keeps its evidence, inventory.ipynb its inventory) are under
``build/tmp/<notebook>/``, so that the demo can find, show and push what the notebooks wrote there.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from jupyter_aigov.testing.processes import free_port, stop, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INVENTORY_NOTEBOOK = "inventory.ipynb"  # registers and assesses models: the inventory pushed when it ran


def shown(path: Path) -> str:
    """``path`` as a user types it from here: relative when under the current folder (.venv/bin/aigov)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def scratch_of(out: Path, notebook: Path) -> Path:
    """The TMPDIR given to the kernel that runs ``notebook``."""
    return out / "tmp" / notebook.stem


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
    parser.add_argument(
        "--keep-serving",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep the local registry running until Enter or Ctrl-C (default: on a terminal)",
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each line out when it is true
    out = Path(args.out).resolve()
    shutil.rmtree(out / "tmp", ignore_errors=True)  # an earlier run's temporary folders
    for name in args.notebooks:
        path = Path(name)
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        )
        scratch = scratch_of(out, path)
        scratch.mkdir(parents=True)
        client.execute(env={**os.environ, "JPY_SESSION_NAME": str(path), "TMPDIR": str(scratch)})
        saved = out / f"{path.stem}.executed.ipynb"
        saved.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, saved)
        print(f"\n=== {path.name}")
        _print_outputs(notebook)
        print(f"\nExecuted notebook written to {saved}")
    notebooks = [Path(name) for name in args.notebooks]
    _show_what_jupyterlab_shows(notebooks, out)
    keep = args.keep_serving if args.keep_serving is not None else sys.stdin.isatty()
    return _push_to_local_registry(notebooks, out, keep)


def _kept_elsewhere(notebook: Path, out: Path, kind: str) -> Path | None:
    """Where the kernel that ran ``notebook`` kept its ``kind`` (``evidence`` or ``inventory``) in a temporary
    folder, or None when it kept it where aigov looks by default (beside it)."""
    scratch = scratch_of(out, notebook)
    if kind == "evidence":
        found = sorted(scratch.glob(f"*/**/evidence/{notebook.stem}.jsonl"))
    else:
        found = sorted(log.parent for log in scratch.glob("*/**/changes.jsonl"))
    return found[-1] if found else None


def _status_line(state: dict[str, Any]) -> str:
    """A notebook's state worded as the JupyterLab status bar words it."""
    counts, last = state["counts"], state["last_block"] or {}
    calls, redactions = counts["calls"], counts["redactions"]
    line = (
        f"{state['policy']['name']} · {calls} call{'' if calls == 1 else 's'} · "
        f"{redactions} redaction{'' if redactions == 1 else 's'} · "
        f"{counts['blocked'] + counts['tool_blocks']} blocked"
    )
    return line + (f"   last block: {last.get('reason')}" if last else "")


def _show_what_jupyterlab_shows(notebooks: list[Path], out: Path) -> None:
    """Ask a real Jupyter server, through the aigov server extension, what the JupyterLab status bar shows."""
    import requests

    from jupyter_aigov.server.notebook_state import NotebookStates

    root, port, token = ROOT / "notebooks", free_port(), secrets.token_hex(16)
    folder = Path(tempfile.mkdtemp(prefix="aigov-jupyter-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIGOV_", "JUPYTER_RUNTIME"))}
    command = [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser", f"--port={port}",
               "--ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--allow-root"]  # fmt: skip
    with open(folder / "server.log", "wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url, headers = f"http://127.0.0.1:{port}", {"Authorization": f"token {token}"}
    try:
        if not wait_until_serving(url, server):
            print(f"\nThe Jupyter server did not start; its log: {folder / 'server.log'}", file=sys.stderr)
            return
        print("\n=== JupyterLab: the status bar of each notebook (from the aigov server extension)")
        for notebook in notebooks:
            path = notebook.resolve().relative_to(root).as_posix()
            state = requests.get(f"{url}/aigov/notebook", params={"path": path}, headers=headers, timeout=30).json()
            if state["governed"]:
                print(f"{path:18} {_status_line(state)}")
                continue
            kept = _kept_elsewhere(notebook, out, "evidence")
            if kept is None:
                print(f"{path:18} no evidence beside it, nor in a temporary folder: it made no AI call")
                continue
            # what the status bar would show with AIGOV_EVIDENCE_DIR set as the notebook set it for itself
            elsewhere = {**env, "AIGOV_EVIDENCE_DIR": str(kept.parent)}
            states = NotebookStates(root)
            print(f"{path:18} {_status_line(states.state(states.files(path, elsewhere), elsewhere))}")
            print(f"{'':18} (its evidence is not beside it: the notebook keeps it in {shown(kept)})")
        print(f"Open it:  {shown(BIN / 'jupyter')} lab notebooks/   (status bar; 'AI governance' panel on the right)")
    finally:
        stop(server, timeout_s=10)


def _push_to_local_registry(notebooks: list[Path], out: Path, keep_serving: bool) -> int:
    """Export the evidence and inventory of the notebooks just run, serve a registry on a SQLite file under
    ``out``, push the bundle, and show what the registry then holds."""
    from jupyter_aigov.bundle.api import export

    env = {**os.environ}
    evidence = [log for log in (_kept_elsewhere(nb, out, "evidence") for nb in notebooks) if log is not None]
    if evidence:  # a notebook that kept its evidence in a temporary folder (bundle.ipynb): its log goes in too
        env["AIGOV_EVIDENCE_DIR"] = str(evidence[-1].parent)
    # one inventory goes in: inventory.ipynb's when it ran, else the last one a notebook kept in a temporary folder
    kept = {nb.name: inventory for nb in notebooks if (inventory := _kept_elsewhere(nb, out, "inventory"))}
    owner = INVENTORY_NOTEBOOK if INVENTORY_NOTEBOOK in kept else next(reversed(kept), None)
    if owner is not None:
        env["AIGOV_INVENTORY_DIR"] = str(kept[owner])
    target = out / "notebooks-evidence.zip"
    target.unlink(missing_ok=True)  # the bundle of an earlier run
    bundle = export(target, source=ROOT / "notebooks", env=env, progress=False).path
    folder = out / "registry"
    shutil.rmtree(folder, ignore_errors=True)  # an earlier run's registry: each run starts an empty one
    folder.mkdir(parents=True)
    database, port = f"sqlite:///{folder / 'registry.sqlite3'}", free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_")}
    token = subprocess.run(
        [str(BIN / "aigov-registry"), "token", "create", "--team", "demo", "--role", "submit", "--db", database],
        capture_output=True, text=True, check=True, env=clean,
    ).stdout.strip()  # fmt: skip
    serve = ["serve", "--db", database, "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    print("\n=== central registry")
    print(f"Bundle exported to {shown(bundle)}")
    if owner is not None:
        print(f"            with the inventory {owner} kept in {shown(kept[owner])}")
    with open(folder / "serve.log", "wb") as log:
        server = subprocess.Popen(
            [str(BIN / "aigov-registry"), *serve, "--log-level", "warning"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=clean,
        )
    try:
        if not wait_until_serving(url, server):
            print(f"\nThe local registry did not start; its log: {shown(folder / 'serve.log')}", file=sys.stderr)
            return 1
        _push_and_show(bundle, url, token)
        print(f"Web UI:     {url}/  (sign in with the token {token})")
        print(f"Decisions:  curl -H 'Authorization: Bearer {token}' {url}/api/v1/decisions")
        print(f"Models:     curl -H 'Authorization: Bearer {token}' {url}/api/v1/models")
        if keep_serving:
            print("\nThe registry is serving; press Enter (or Ctrl-C) to stop it.")
            with contextlib.suppress(EOFError, KeyboardInterrupt):
                input()
    finally:
        stop(server, timeout_s=10)
    why = "" if keep_serving else " (the demo keeps it serving only on a terminal, or with --keep-serving)"
    print(f"\nThe registry is stopped now{why}. To start it again on the same database (the token still works):")
    print(f"  {shown(BIN / 'aigov-registry')} {' '.join(serve)}")
    print(f"then open {url}/ and sign in with the token, or push again:")
    print(f"  {shown(BIN / 'aigov')} push {shown(bundle)} --registry {url} --token {token}")
    return 0


def _push_and_show(bundle: Path, url: str, token: str) -> None:
    """Push the bundle, then print the models and assessments the registry holds for the team from it."""
    from jupyter_aigov.registry_client.http import RegistryClient, RegistrySettings
    from jupyter_aigov.registry_client.push import push_bundle

    settings = RegistrySettings(url, token)
    print(f"Registry:   {url}  (team 'demo')")
    print(f"Pushed:     {push_bundle(bundle, settings)}")
    client = RegistryClient(settings)
    try:
        models = client.request("GET", "/api/v1/models").json()["items"]
        assessments = client.request("GET", "/api/v1/assessments").json()["items"]
    finally:
        client.close()
    print(f"Inventory:  {len(models)} model{'' if len(models) == 1 else 's'} registered in the registry")
    for model in models:
        document = model["document"]
        states = [f"{a['document']['framework']} {a['document']['status']}" for a in assessments
                  if a["model_id"] == model["id"]]  # fmt: skip
        print(f"  {model['id']}: {document.get('owner')}, risk tier {document.get('risk_tier')}; assessments: "
              f"{', '.join(states) or 'none'}  (page {url}/models/{model['id']})")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
