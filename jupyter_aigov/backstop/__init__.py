"""A backstop under every client layer: one audit hook that refuses AI routes no layer governs.

`sys.addaudithook` cannot be undone, so the hook is added once per process and asks on each event who governs now
(the gateway the patches answer to): with governance off it returns at once. While a gateway governs:

- `socket.connect` to an AI endpoint outside a governed layer is refused (connections.py);
- a program whose arguments name an AI endpoint is refused before it starts, and a Python child is handed
  governance (programs.py).

Each refusal is one `ai.call` record (rule `routes.ungoverned`, the route, the endpoint, the module that opened it;
never arguments or data) and one PolicyViolation.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .connections import ConnectionWatch
from .programs import PROGRAM_EVENTS, on_program
from .refusal import UNGOVERNED

if TYPE_CHECKING:
    from ..gateway import Gateway

__all__ = ["UNGOVERNED", "arm"]

# Audit events of a send that names where it goes: on a stream socket, each opens a connection like connect().
_SENDS_TO = frozenset({"socket.sendto", "socket.sendmsg"})
_home: list[int] = []  # the pid of the process that armed the hook, once armed


def _hook(governor: Callable[[], Gateway | None], home: list[int]) -> Callable[[str, tuple[Any, ...]], None]:
    watch = ConnectionWatch()
    programs = frozenset(PROGRAM_EVENTS)

    def on_audit_event(event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.connect":
            gateway = governor()
            if gateway is not None:
                watch.on_connect(gateway, args)
        elif event in _SENDS_TO and len(args) > 1 and args[1] is not None:
            # sendto()/sendmsg() with an address on a stream socket opens the connection (TCP Fast Open)
            gateway = governor()
            if gateway is not None and getattr(args[0], "type", None) == socket.SOCK_STREAM:
                watch.on_connect(gateway, args)
        elif event in ("socket.gethostbyname", "socket.gethostbyname_ex"):
            gateway = governor()
            if gateway is not None:
                watch.on_getaddrinfo(gateway, (args[0], None))
        elif event == "socket.getaddrinfo":
            gateway = governor()
            if gateway is not None:
                watch.on_getaddrinfo(gateway, args)
        elif event in programs:
            gateway = governor()
            if gateway is not None:
                on_program(gateway, watch.endpoints(gateway), event, args, home[0])

    return on_audit_event


def arm(governor: Callable[[], Gateway | None]) -> None:
    """Add the backstop's audit hook, once per process; `governor` says who governs at each event (None: off).

    The process that armed it is its home: a forked child that execs a refused program ends instead of raising.
    """
    if _home:
        _home[0] = os.getpid()
        return
    _home.append(os.getpid())
    sys.addaudithook(_hook(governor, _home))
