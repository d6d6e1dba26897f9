"""The backstop on sockets: a connection to an AI endpoint that no governed client layer opened is refused.

Every TCP connection raises the `socket.connect` audit event with the address it goes to. The governed layers send
within a mark (`through_layer`, set by the wrappers PatchSet installs); a connection to an AI endpoint opened
outside it (a raw socket, asyncio streams, a library nobody patched yet) is refused before it is made. Addresses
are mapped back to the AI host names this process resolved (`socket.getaddrinfo`), since a connection only knows
the address.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from typing import TYPE_CHECKING, Any

from ..pipeline import in_governed_layer
from ..pipeline.refusals import outer_layer_has_it
from .endpoints import Endpoints, ResolvedNames
from .refusal import refuse_route

if TYPE_CHECKING:
    from ..gateway import Gateway

HINT = (
    "make AI calls through a governed client (httpx, requests, urllib3, aiohttp, an SDK); if this host serves no "
    "AI, take it out of the policy's providers:."
)
_resolving = threading.local()  # our own look-up of a name, inside the hook: not looked at again


class ConnectionWatch:
    """What the audit hook does on `socket.getaddrinfo` and `socket.connect` while a gateway governs."""

    def __init__(self) -> None:
        self.resolved = ResolvedNames()
        self._endpoints: tuple[object, tuple[Any, ...], Endpoints] | None = None

    def endpoints(self, gateway: Gateway) -> Endpoints:
        """The AI endpoints under the policy in force (its providers: change with the use case)."""
        catalogue, extra = gateway.pipeline.catalogue, gateway.session.in_force.extra_providers
        cached = self._endpoints
        if cached is None or cached[0] is not catalogue or cached[1] != extra:
            cached = (catalogue, extra, Endpoints(catalogue, extra))
            self._endpoints = cached
        return cached[2]

    def on_getaddrinfo(self, gateway: Gateway, args: tuple[Any, ...]) -> None:
        """A name about to be resolved: when it is an AI host, remember its addresses (looked up once more here)."""
        host, port = args[0], args[1]
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if not isinstance(host, str) or not host or getattr(_resolving, "busy", False):
            return
        number = port if isinstance(port, int) else int(port) if isinstance(port, str) and port.isdigit() else None
        if self.endpoints(gateway).provider(host, number) is None or _is_address(host):
            return
        _resolving.busy = True
        try:
            found = socket.getaddrinfo(host, port)
        except OSError:
            return  # the caller's own look-up fails the same way: nothing will connect
        finally:
            _resolving.busy = False
        self.resolved.learn(host.lower(), {str(info[4][0]) for info in found})

    def on_connect(self, gateway: Gateway, args: tuple[Any, ...]) -> None:
        """A connection about to be made: refused when it goes to an AI endpoint outside the governed layers."""
        address = args[1]
        if not isinstance(address, tuple) or len(address) < 2 or not isinstance(address[0], str):
            return  # a Unix socket, or a family with no host
        host, port = _plain_address(address[0]), address[1]
        endpoints = self.endpoints(gateway)
        provider = endpoints.provider(host, port)
        name = host
        if provider is None:
            for name in self.resolved.names_of(host):
                provider = endpoints.provider(name, port)
                if provider is not None:
                    break
        if provider is None or in_governed_layer() or outer_layer_has_it():
            return
        endpoint = f"{name}:{port}"
        refuse_route(gateway, "socket.connect", provider, endpoint, f"A connection to {endpoint}", HINT)


def _plain_address(host: str) -> str:
    """An IPv4-mapped IPv6 address as the IPv4 address it is ("::ffff:127.0.0.1" -> "127.0.0.1"); others as given."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0].strip("[]"))
    except ValueError:
        return host
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped) if mapped is not None else host


def _is_address(host: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host.strip("[]"))
        except OSError:
            continue
        return True
    return False
