"""The backstop on programs: a non-Python program whose arguments name an AI endpoint is refused before it starts.

`curl https://api.openai.com/...` from `!curl`, `os.system`, `subprocess`, `os.posix_spawn`, `os.spawn*` or
`os.exec*` raises an audit event before the program starts; its words are read for AI hosts (the catalogue's and
the policy's providers:). A Python child is not refused: it inherits governance (inheritance.py), and a child
given an environment of its own gets AIGOV_INHERIT added to it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
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
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh"})
_SHELL_SEPARATORS = re.compile(r"\|\||&&|[|;&\n]")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# audit event -> where its program and its arguments are among the event's arguments
PROGRAM_EVENTS = {
    "subprocess.Popen": (0, 1, 3),  # executable, args, cwd, env
    "os.posix_spawn": (0, 1, 2),  # path, argv, env
    "os.exec": (0, 1, 2),  # path, args, env
    "os.spawn": (1, 2, 3),  # mode, path, args, env
    "os.system": (0, 0, None),  # command
}


def is_python(program: str) -> bool:
    """Whether a program is a Python interpreter (such a child inherits governance instead): by the file it runs,
    links followed, so a link named "python3" to another program is that program."""
    if program == sys.executable:
        return True
    if _PYTHON.fullmatch(os.path.basename(program)) is None:
        return False
    found = shutil.which(program) if os.sep not in program else program
    if found is None:
        return True  # not found: it will not start, and a name alone says Python
    real = os.path.realpath(found)
    return real == os.path.realpath(sys.executable) or _PYTHON.fullmatch(os.path.basename(real)) is not None


def _words(args: Any) -> list[str]:
    if isinstance(args, str | bytes | os.PathLike):
        args = [args]
    words = []
    for arg in args if isinstance(args, Iterable) else ():
        word = os.fsdecode(arg) if isinstance(arg, str | bytes | os.PathLike) else str(arg)
        words.append(word)
    return words


def shell_commands(command: str) -> list[list[str]]:
    """The simple commands of a shell command line, each as its words (`a x | b y; c` -> [[a, x], [b, y], [c]])."""
    commands = []
    for part in _SHELL_SEPARATORS.split(command):
        try:
            words = shlex.split(part)
        except ValueError:  # an unclosed quote: read it as plain words
            words = part.split()
        while words and _ASSIGNMENT.match(words[0]):  # `VAR=value program ...`
            words = words[1:]
        if words:
            commands.append(words)
    return commands


def _ungoverned(endpoints: Endpoints, commands: list[list[str]]) -> tuple[str, tuple[str, str]] | None:
    """The first command that is not Python and names an AI endpoint: (its program, (provider, endpoint))."""
    for words in commands:
        if is_python(words[0]):
            continue  # a Python child inherits governance
        found = endpoints.named_in(words)
        if found is not None:
            return words[0], found
    return None


def on_program(gateway: Gateway, endpoints: Endpoints, event: str, args: tuple[Any, ...], home_pid: int) -> None:
    """A program about to start: a Python child gets governance handed down; another naming an AI host is refused."""
    program_at, words_at, env_at = PROGRAM_EVENTS[event]
    words = _words(args[words_at])
    if event == "os.system":
        program, commands = "sh", shell_commands(words[0] if words else "")
    else:
        program = os.fsdecode(args[program_at]) if args[program_at] is not None else (words[0] if words else "")
        shell = os.path.basename(program) in _SHELLS and len(words) > 2 and words[1] == "-c"
        commands = shell_commands(words[2]) if shell else [[program, *words[1:]]]
    if is_python(program) or any(is_python(words[0]) for words in commands):
        _hand_down(gateway, args[env_at] if env_at is not None else None)
    if is_python(program):
        return
    refused = _ungoverned(endpoints, commands)
    if refused is None:
        return
    program, (provider, endpoint) = refused
    name = os.path.basename(program) or program
    what = f"The program {name!r} ({event})"
    if event == "os.exec" and os.getpid() != home_pid:
        _stop_forked_child(gateway, provider, endpoint, name, what)
    refuse_route(gateway, event, provider, endpoint, what, HINT)


def _hand_down(gateway: Gateway, env: Any) -> None:
    """A Python child starts governed: AIGOV_INHERIT goes into the environment it is given, or back into ours."""
    if isinstance(env, dict):
        if INHERIT_ENV not in env and b"AIGOV_INHERIT" not in env:
            env[INHERIT_ENV] = handed_down(gateway)  # an environment of its own still hands governance down
    elif env is None and INHERIT_ENV not in os.environ:
        os.environ[INHERIT_ENV] = handed_down(gateway)  # taken out of the kernel's environment: put back


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
