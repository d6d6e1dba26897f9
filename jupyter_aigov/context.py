"""Who is calling, from which notebook, in which session: read once when governance starts."""

from __future__ import annotations

import getpass
import os
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunContext:
    """The acting user, the notebook (or script) and this kernel's session id."""

    user: str
    notebook: str  # the notebook's path as the server knows it, or a fallback name
    notebook_dir: Path  # where the notebook lives: policy discovery and evidence start here
    session: str
    source: str  # how the notebook was found, e.g. "JPY_SESSION_NAME"
    # whose child this process is, when it inherited governance: {"session", "kernel", "pid"} (inheritance.py)
    parent: Mapping[str, Any] | None = None

    @property
    def stem(self) -> str:
        """The notebook's file name without suffix: names its evidence log."""
        name = Path(self.notebook).name
        for suffix in (".ipynb", ".py"):
            if name.endswith(suffix):
                return name[: -len(suffix)] or "notebook"
        return name or "notebook"


def acting_user(env: Mapping[str, str]) -> str:
    """AIGOV_USER, else JUPYTERHUB_USER, else the OS user."""
    for key in ("AIGOV_USER", "JUPYTERHUB_USER"):
        value = env.get(key, "").strip()
        if value:
            return value
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def kernel_id() -> str | None:
    """The kernel id from ipykernel's connection file name (kernel-<id>.json), if running in a kernel."""
    app = sys.modules.get("ipykernel.kernelapp")
    if app is None:
        return None
    instance = app.IPKernelApp.instance() if app.IPKernelApp.initialized() else None
    connection_file = getattr(instance, "connection_file", "") or ""
    name = Path(connection_file).stem
    return name.removeprefix("kernel-") or None


def _is_user_script(path: Path) -> bool:
    """A script the user runs, not `python -m tool` (a package's __main__.py) nor an installed program."""
    if path.name == "__main__.py" or path.name.startswith(("pytest", "<")):
        return False
    return "site-packages" not in path.parts and "dist-packages" not in path.parts


def locate_notebook(env: Mapping[str, str], user_ns: Mapping[str, Any] | None, cwd: Path) -> tuple[str, str]:
    """The notebook path and how it was found: the server's names first, then fallbacks for scripts."""
    for key in ("AIGOV_NOTEBOOK", "JPY_SESSION_NAME"):
        value = env.get(key, "").strip()
        if value:
            return value, key
    session_name = (user_ns or {}).get("__session__")
    if isinstance(session_name, str) and session_name:
        return session_name, "__session__"
    kernel = kernel_id()
    if kernel:
        # nbclient and plain `jupyter console` kernels have no notebook name: the kernel id keeps logs apart
        return str(cwd / f"kernel-{kernel}"), "kernel id"
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    if script and _is_user_script(Path(script)):
        return str(Path(script).resolve()), "script"
    return str(cwd / "session"), "fallback"


def _notebook_dir(path: Path, cwd: Path) -> Path:
    """The notebook's folder; a server-relative name resolves against the kernel's cwd, its folder."""
    if path.is_absolute():
        return path.parent
    if (cwd / path).exists():
        return (cwd / path).parent
    # jupyter_server names the notebook relative to its root and starts the kernel in the notebook's folder
    return cwd


def current_context(env: Mapping[str, str] | None = None, user_ns: Mapping[str, Any] | None = None) -> RunContext:
    """Read the run context from the environment and, in IPython, the user namespace."""
    env = os.environ if env is None else env
    cwd = Path.cwd()
    notebook, source = locate_notebook(env, user_ns, cwd)
    notebook_dir = _notebook_dir(Path(notebook), cwd)
    return RunContext(
        user=acting_user(env),
        notebook=notebook,
        notebook_dir=notebook_dir,
        session=uuid.uuid4().hex[:16],
        source=source,
    )
