"""Which hosts are AI endpoints: the catalogue's (with the plugins') and the policy's `providers:`, by name or
address."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

from ..providers.catalogue import Catalogue
from ..session import ExtraProvider

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "grpc": 443}
# a host (a DNS name, an IPv4 address or a bracketed IPv6 one) and its port, anywhere in a command's words
_HOST_IN_TEXT = re.compile(r"(?<![\w.-])(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?::(\d{1,5}))?")
_SEEN_LIMIT = 4096  # hosts and ports looked up, remembered
_LEARNED_LIMIT = 1024  # addresses remembered for AI host names; a process resolves few of them


class Endpoints:
    """Answers "is this host (and port) an AI endpoint?" for one catalogue and one policy's providers."""

    def __init__(self, catalogue: Catalogue, extra_providers: Iterable[ExtraProvider]) -> None:
        self._catalogue = catalogue
        self._extra: dict[tuple[str, int | None], str] = {}
        self._seen: dict[tuple[str, int | None], str | None] = {}
        for name, base_url, _api in extra_providers:
            try:
                parts = urlsplit(str(base_url))
                port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
            except ValueError:
                continue
            if parts.hostname:
                self._extra[(parts.hostname.lower(), port)] = name

    def provider(self, host: str, port: int | None) -> str | None:
        """The provider serving `host` at `port` (None: any port), or None when it is no AI endpoint."""
        key = (host, port)
        try:
            return self._seen[key]  # a process connects to few places, again and again
        except KeyError:
            pass
        found = self._look_up(host.lower().strip("[]"), port)
        if len(self._seen) >= _SEEN_LIMIT:
            self._seen.clear()
        self._seen[key] = found
        return found

    def _look_up(self, host: str, port: int | None) -> str | None:
        found = self._catalogue.provider_for_host(host, port)
        if found is not None:
            return found
        found = self._extra.get((host, port))
        if found is None and port is None:
            found = next((name for (known, _), name in self._extra.items() if known == host), None)
        return found

    def named_in(self, words: Iterable[str]) -> tuple[str, str] | None:
        """The first AI endpoint a command's words name, as (provider, host[:port]); None when they name none."""
        for word in words:
            for match in _HOST_IN_TEXT.finditer(word):
                host, port = match.group(1), match.group(2)
                provider = self.provider(host, int(port) if port else None)
                if provider is not None:
                    return provider, f"{host}:{port}" if port else host
        return None


class ResolvedNames:
    """The AI host names this process resolved, by address: a connection to an address says whose it is."""

    def __init__(self) -> None:
        self._names: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def learn(self, name: str, addresses: Iterable[str]) -> None:
        with self._lock:
            if len(self._names) > _LEARNED_LIMIT:
                self._names.clear()
            for address in addresses:
                self._names.setdefault(address, set()).add(name)

    def names_of(self, address: str) -> tuple[str, ...]:
        found = self._names.get(address)
        return tuple(found) if found else ()
