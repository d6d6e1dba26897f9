"""A real `jupyter lab` on a loopback port, in a folder of its own, for the browser tests."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from jupyter_aigov.testing.processes import free_port, stop, wait_until_serving

START_TIMEOUT_S = 60.0
JUPYTER = str(Path(sys.executable).parent / "jupyter")


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: its address, token and root folder."""

    url: str
    token: str
    root: Path

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """A call to the server's REST API, authenticated with the token."""
        headers = {"Authorization": f"token {self.token}"}
        return requests.request(method, f"{self.url}/{path}", headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]


@contextmanager
def running_lab(root: Path, home: Path, *extra: str, env: dict[str, str] | None = None) -> Iterator[Lab]:
    """`jupyter lab` serving `root`, its settings, runtime files and signing keys under `home`; stopped after.
    `env` adds to its environment (the AIGOV_ variables of this process are left out)."""
    port, token = free_port(), secrets.token_hex(16)
    added = env or {}
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIGOV_", "JUPYTER"))}
    env.update(added)
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        AIGOV_KEY_DIR=str(home / "keys"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    command = [
        JUPYTER, "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
        "--allow-root", f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", *extra,
    ]  # fmt: skip
    log_path = home / "lab.log"
    home.mkdir(parents=True, exist_ok=True)
    # JupyterLab would ask whether to fetch Jupyter's news (a toast over the page); the answer is no, and offline
    notification = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text('{"fetchNews": "false"}')
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    lab = Lab(f"http://127.0.0.1:{port}", token, root)
    try:
        if not wait_until_serving(f"{lab.url}/api/status", process, START_TIMEOUT_S):
            raise AssertionError(f"jupyter lab did not serve within {START_TIMEOUT_S} s: {log_path.read_text()}")
        yield lab
    finally:
        stop(process)
