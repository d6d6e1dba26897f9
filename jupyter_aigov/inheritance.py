"""Child processes inherit governance: the kernel exports what a Python child needs, the child starts governed.

While governance is on, `AIGOV_INHERIT` in the process's environment holds (as JSON) the policy file, user, use
case, notebook and evidence folder in force, and who is handing them down (session, kernel, pid). Every Python
child started from this environment (multiprocessing spawn and forkserver, `subprocess.run([sys.executable,
...])`, `!python script.py`, papermill) runs `aigov_inherit.pth` at start-up, which calls `start_child` before any
user code: the child is governed by the same policy, writes to the same evidence log (its appends are locked, the
chain holds), and its records carry `parent`. A child that cannot be governed stops at once (fail closed).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .gateway import Gateway

INHERIT_ENV = "AIGOV_INHERIT"
_FORMAT = 1
# the variables `enable` reads, set in the child from what the parent handed down
_HANDED_DOWN = {
    "policy": "AIGOV_POLICY",
    "user": "AIGOV_USER",
    "use_case": "AIGOV_USE_CASE",
    "notebook": "AIGOV_NOTEBOOK",
    "evidence_dir": "AIGOV_EVIDENCE_DIR",
}
CHILD_EXIT_STATUS = 70  # EX_SOFTWARE: the child could not be governed, so it did not run
# the sessions this process image handed down itself: a payload naming one is ours, not a parent's (a pid would not
# do: `sh -c "python x.py"` may exec python in the very process that exported, after a fork)
_own_sessions: set[str] = set()


def handed_down(gateway: Gateway) -> str:
    """What a child of this process needs to start governed as it is, as the value of AIGOV_INHERIT."""
    session = gateway.session
    payload = {
        "format": _FORMAT,
        "policy": str(session.loaded.path.resolve()) if session.loaded.path is not None else None,
        "user": session.context.user,
        "use_case": session.use_case,
        "notebook": session.context.notebook,
        "evidence_dir": str(gateway.evidence_dir.resolve()),
        "session": session.context.session,
        "kernel": gateway.kernel,
        "pid": os.getpid(),
    }
    return json.dumps(payload, separators=(",", ":"))


def export(gateway: Gateway, env: MutableMapping[str, str] = os.environ) -> None:
    """Hand governance down to the children started from now on (called whenever what governs changes)."""
    _own_sessions.add(gateway.session.context.session)
    value = handed_down(gateway)
    if env.get(INHERIT_ENV) != value:
        env[INHERIT_ENV] = value
        _restart_forkserver()


def withdraw(env: MutableMapping[str, str] = os.environ) -> None:
    """Governance is off: children started from now on are not governed by this process."""
    if env.pop(INHERIT_ENV, None) is not None:
        _restart_forkserver()


def _restart_forkserver() -> None:
    """A multiprocessing forkserver started earlier forks children with the environment it started with: stop it,
    so the next one starts with what governs now (workers already running are not touched)."""
    forkserver = sys.modules.get("multiprocessing.forkserver")
    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        with contextlib.suppress(Exception):  # a private method: where it is missing, the old server stays
            stop()


def parent_of(env: Mapping[str, str]) -> dict[str, Any] | None:
    """Whose child this process is ({"session", "kernel", "pid"}), when it inherited governance; else None."""
    inherited = _read(env.get(INHERIT_ENV, ""))
    if inherited is None or inherited.get("session") in _own_sessions:  # our own export, not a parent's
        return None
    return {"session": inherited.get("session"), "kernel": inherited.get("kernel"), "pid": inherited.get("pid")}


def _read(value: str) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        found = json.loads(value)
    except ValueError:
        return None
    return found if isinstance(found, dict) and found.get("format") == _FORMAT else None


def start_child() -> None:
    """Called by aigov_inherit.pth as a Python child starts: govern it as its parent is, or stop it.

    Governance a parent hands down is not optional: a child that cannot be governed (the policy file is gone, a
    plugin cannot load) says why on stderr and exits with status 70, before any of its own code runs.
    """
    env = os.environ
    inherited = _read(env.get(INHERIT_ENV, ""))
    if inherited is None or _own_sessions:  # nothing handed down, or this process is governed already
        return
    try:
        for key, variable in _HANDED_DOWN.items():
            value = inherited.get(key)
            if value:
                env[variable] = str(value)
            else:
                env.pop(variable, None)
        from .governance import enable

        enable()
    except Exception as exc:
        sys.stderr.write(
            f"aigov: this process is a child of a governed kernel (pid {inherited.get('pid')}) and could not be "
            f"governed as it is ({type(exc).__name__}: {exc}), so it stops here. Make what is named above readable "
            "from the child (the policy file, the evidence folder), then start it again.\n"
        )
        sys.stderr.flush()
        os._exit(CHILD_EXIT_STATUS)
