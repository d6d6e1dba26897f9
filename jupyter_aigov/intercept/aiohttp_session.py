"""aiohttp: `ClientSession._request` takes every request of every session, with its JSON or data body."""

from __future__ import annotations

import json as json_module
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

from .patches import PatchSet
from .response_tap import ResponseTap
from .scope import deciding_gateway, sending
from .urllib3_pool import as_bytes


class TappedContent:
    """Stands in for a response's StreamReader: every read also feeds the usage reader."""

    def __init__(self, inner: Any, tap: ResponseTap) -> None:
        self._inner, self._tap = inner, tap

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _seen(self, data: bytes) -> bytes:
        self._tap.feed(data)
        if not data or self._inner.at_eof():
            self._tap.close()
        return data

    async def read(self, n: int = -1) -> bytes:
        return self._seen(await self._inner.read(n))

    async def readany(self) -> bytes:
        return self._seen(await self._inner.readany())

    async def readline(self, **kwargs: Any) -> bytes:
        return self._seen(await self._inner.readline(**kwargs))

    async def readuntil(self, separator: bytes = b"\n", **kwargs: Any) -> bytes:
        return self._seen(await self._inner.readuntil(separator, **kwargs))

    async def readexactly(self, n: int) -> bytes:
        return self._seen(await self._inner.readexactly(n))

    async def readchunk(self) -> tuple[bytes, bool]:
        data, end_of_chunk = await self._inner.readchunk()
        self._seen(data)
        return data, end_of_chunk

    async def _iterate(self, read: Any) -> AsyncIterator[bytes]:
        while True:
            data = await read()
            if not data:
                return
            yield data

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iterate(self.readline)

    def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        return self._iterate(lambda: self.read(n))

    def iter_any(self) -> AsyncIterator[bytes]:
        return self._iterate(self.readany)

    async def iter_chunks(self) -> AsyncIterator[tuple[bytes, bool]]:
        while True:
            chunk = await self.readchunk()
            if chunk == (b"", False):
                return
            yield chunk


def _body(data: Any, json: Any) -> bytes | None:
    if json is not None:
        return json_module.dumps(json).encode("utf-8")
    return as_bytes(data)


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern aiohttp client sessions."""
    from ..gateway import OutboundRequest

    def wrap(original: Any) -> Any:
        async def _request(self: Any, method: str, str_or_url: Any, **kwargs: Any) -> Any:
            gateway = deciding_gateway()
            if gateway is None:
                return await original(self, method, str_or_url, **kwargs)
            url = self._build_url(str_or_url) if hasattr(self, "_build_url") else str_or_url
            body = _body(kwargs.get("data"), kwargs.get("json"))
            headers = {str(k).lower(): str(v) for k, v in dict(kwargs.get("headers") or {}).items()}
            exchange = gateway.begin(OutboundRequest("aiohttp", method, str(url), headers, body))
            if exchange is None:
                return await original(self, method, str_or_url, **kwargs)
            with sending(exchange):
                response = await original(self, method, str_or_url, **kwargs)
            tap = ResponseTap(exchange, response.status, response.headers)
            response.content = TappedContent(response.content, tap)
            release = response.release

            def tapped_release() -> Any:
                tap.close()
                return release()

            response.release = tapped_release
            return response

        return _request

    patches.replace(module.ClientSession, "_request", wrap)
