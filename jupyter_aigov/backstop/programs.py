"""The backstop on programs: a non-Python program whose arguments name an AI endpoint is refused before it starts.

`curl https://api.openai.com/...` from `!curl`, `os.system`, `subprocess`, `os.posix_spawn`, `os.spawn*` or
`os.exec*` raises an audit event before the program starts; its words are read for AI hosts (the catalogue's and
the policy's providers:). A Python child is not refused: it inherits governance (inheritance.py), and a child
given an environment of its own gets AIGOV_INHERIT added to it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..inheritance import INHERIT_ENV, handed_down
from .endpoints import Endpoints
from .refusal import opened_by, record_route, refuse_route

if TYPE_CHECKING:
    from ..gateway import Gateway

HINT = (
    "make AI calls from Python through a governed client (a Python child inherits governance); a program such as "
    "curl cannot be governed."
)
_PYTHON = re.compile(r"python(\d+(\.\d+)*)?(\.exe)?")
# audit event -> where its program and its arguments are among the event's arguments
PROGRAM_EVENTS = {
    "subprocess.Popen": (0, 1, 3),  # executable, args, cwd, env
    "os.posix_spawn": (0, 1, 2),  # path, argv, env
    "os.exec": (0, 1, 2),  # path, args, env
    "os.spawn": (1, 2, 3),  # mode, path, args, env
    "os.system": (0, 0, None),  # command
}


def is_python(program: str) -> bool:
    """Whether a program is a Python interpreter (such a child inherits governance instead)."""
    return program == sys.executable or _PYTHON.fullmatch(os.path.basename(program)) is not None


def _words(args: Any) -> list[str]:
    if isinstance(args, str | bytes | os.PathLike):
        args = [args]
    words = []
    for arg in args if isinstance(args, Iterable) else ():
        word = os.fsdecode(arg) if isinstance(arg, str | bytes | os.PathLike) else str(arg)
        words.append(word)
    return words


def on_program(gateway: Gateway, endpoints: Endpoints, event: str, args: tuple[Any, ...], home_pid: int) -> None:
    """A program about to start: a Python child gets governance handed down; another naming an AI host is refused."""
    program_at, words_at, env_at = PROGRAM_EVENTS[event]
    words = _words(args[words_at])
    if event == "os.system":
        program = words[0].split(None, 1)[0] if words and words[0].strip() else ""
    else:
        program = os.fsdecode(args[program_at]) if args[program_at] is not None else (words[0] if words else "")
    if is_python(program):
        env = args[env_at] if env_at is not None else None
        if isinstance(env, dict) and INHERIT_ENV not in env and b"AIGOV_INHERIT" not in env:
            env[INHERIT_ENV] = handed_down(gateway)  # an environment of its own still hands governance down
        return
    found = endpoints.named_in(words)
    if found is None:
        return
    provider, endpoint = found
    name = os.path.basename(program) or program
    what = f"The program {name!r} ({event})"
    if event == "os.exec" and os.getpid() != home_pid:
        _stop_forked_child(gateway, provider, endpoint, name, what)
    refuse_route(gateway, event, provider, endpoint, what, HINT)


def _stop_forked_child(gateway: Gateway, provider: str, endpoint: str, program: str, what: str) -> None:
    """A forked child about to exec (IPython's `!cmd` runs through pexpect): on record, then it ends here.

    Raising would hand the refusal to the parent's code the child copied, which would go on running in the child.
    """
    reason = f"{what} would reach the AI endpoint {endpoint} ({provider}) around aigov's governed clients"
    record_route(gateway, "os.exec", provider, endpoint, opened_by(), reason + ", so it was refused.")
    message = f"aigov: {reason}; it was not started. [rule routes.ungoverned] To proceed: {HINT}\n"
    try:
        os.write(2, message.encode("utf-8", "replace"))
    finally:
        os._exit(126)
