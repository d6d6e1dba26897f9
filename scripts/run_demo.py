"""Run the demo notebooks in a real kernel and print what they show: calls allowed, redacted, blocked, recorded.

Then start a local registry, push the bundle of the notebooks' evidence to it, and say where to look.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from jupyter_aigov.testing.processes import free_port, stop, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = str(Path(sys.executable).parent / "aigov-registry")


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
    _show_what_jupyterlab_shows([Path(name) for name in args.notebooks])
    keep = args.keep_serving if args.keep_serving is not None else sys.stdin.isatty()
    return _push_to_local_registry(Path(args.out), keep)


def _show_what_jupyterlab_shows(notebooks: list[Path]) -> None:
    """Ask a real Jupyter server, through the aigov server extension, what the JupyterLab status bar shows."""
    import requests

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
            if not state["governed"]:
                print(f"{path:18} no evidence beside it (it made no AI call, or keeps its evidence elsewhere)")
                continue
            counts, last = state["counts"], state["last_block"] or {}
            calls, redactions = counts["calls"], counts["redactions"]
            line = (  # as the status bar words it
                f"{state['policy']['name']} · {calls} call{'' if calls == 1 else 's'} · "
                f"{redactions} redaction{'' if redactions == 1 else 's'} · "
                f"{counts['blocked'] + counts['tool_blocks']} blocked"
            )
            print(f"{path:18} {line}" + (f"   last block: {last.get('reason')}" if last else ""))
        print("Open it:  .venv/bin/jupyter lab notebooks/   (status bar, and the 'AI governance' panel on the right)")
    finally:
        stop(server, timeout_s=10)


def _push_to_local_registry(out: Path, keep_serving: bool) -> int:
    """Export the evidence of the notebooks just run, serve a registry on a temporary SQLite file, push the bundle."""
    from jupyter_aigov.bundle.api import export
    from jupyter_aigov.registry_client.http import RegistrySettings
    from jupyter_aigov.registry_client.push import push_bundle

    target = out / "notebooks-evidence.zip"
    target.unlink(missing_ok=True)  # the bundle of an earlier run
    bundle = export(target, source=ROOT / "notebooks", progress=False).path
    folder = Path(tempfile.mkdtemp(prefix="aigov-registry-"))
    database, port = f"sqlite:///{folder / 'registry.sqlite3'}", free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_")}
    token = subprocess.run(
        [REGISTRY, "token", "create", "--team", "demo", "--role", "submit", "--db", database],
        capture_output=True, text=True, check=True, env=clean,
    ).stdout.strip()  # fmt: skip
    log = open(folder / "serve.log", "wb")  # noqa: SIM115 (the registry writes to it while it runs)
    server = subprocess.Popen(
        [REGISTRY, "serve", "--db", database, "--port", str(port), "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, env=clean,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_serving(url, server):
            print(f"\nThe local registry did not start; its log: {folder / 'serve.log'}", file=sys.stderr)
            return 1
        result = push_bundle(bundle, RegistrySettings(url, token))
        print("\n=== central registry")
        print(f"Bundle exported to {bundle}")
        print(f"Registry:   {url}  (database {folder / 'registry.sqlite3'}, team 'demo')")
        print(f"Pushed:     {result}")
        print(f"Web UI:     {url}/  (sign in with the token {token})")
        print(f"Decisions:  curl -H 'Authorization: Bearer {token}' {url}/api/v1/decisions")
        print(f"Again:      aigov push {bundle} --registry {url} --token {token}")
        if keep_serving:
            print("\nThe registry is serving; press Enter (or Ctrl-C) to stop it.")
            with contextlib.suppress(EOFError, KeyboardInterrupt):
                input()
        else:
            print(f"Serve again: aigov-registry serve --db {database} --port {port}")
        return 0
    finally:
        stop(server, timeout_s=10)


if __name__ == "__main__":
    sys.exit(main())
