"""aiohttp: `ClientSession._request` takes every request of every session, with its JSON or data body."""

from __future__ import annotations

import json as json_module
import weakref
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

from ..pipeline import OutboundRequest, ResponseTap, deciding_pipeline, sending
from .patches import PatchSet
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


class FilteredContent(TappedContent):
    """A response's content through its tap (tool calls held, values restored): reads come from a buffer."""

    def __init__(self, inner: Any, tap: ResponseTap) -> None:
        super().__init__(inner, tap)
        self._buffer = bytearray()
        self._ended = False

    async def _fill(self) -> bool:
        """Read more from the network into the buffer; False once everything was read and released."""
        while not self._ended:
            data = await self._inner.readany()
            try:
                if data:
                    self._buffer += self._tap.feed(data)
                else:
                    self._ended = True
                    self._buffer += self._tap.end()
            except BaseException as exc:  # a refused tool call: nothing more reaches the caller
                self._ended = True
                self._tap.close(error=type(getattr(exc, "violation", exc)).__name__)
                raise
            if self._ended:
                self._tap.close()
            if self._buffer:
                return True
        return bool(self._buffer)

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def at_eof(self) -> bool:
        return self._ended and not self._buffer

    async def read(self, n: int = -1) -> bytes:
        if n < 0:
            while await self._fill() and not self._ended:
                pass
            return self._take(len(self._buffer))
        if not self._buffer:
            await self._fill()
        return self._take(n)

    async def readany(self) -> bytes:
        if not self._buffer:
            await self._fill()
        return self._take(len(self._buffer))

    async def readline(self, **kwargs: Any) -> bytes:
        while b"\n" not in self._buffer and await self._fill() and not self._ended:
            pass
        end = self._buffer.find(b"\n")
        return self._take(end + 1 if end >= 0 else len(self._buffer))

    async def readuntil(self, separator: bytes = b"\n", **kwargs: Any) -> bytes:
        while separator not in self._buffer and await self._fill() and not self._ended:
            pass
        end = self._buffer.find(separator)
        return self._take(end + len(separator) if end >= 0 else len(self._buffer))

    async def readexactly(self, n: int) -> bytes:
        while len(self._buffer) < n and await self._fill() and not self._ended:
            pass
        return self._take(n)

    async def readchunk(self) -> tuple[bytes, bool]:
        return await self.readany(), True


def request_body(session: Any, data: Any, json: Any) -> bytes | None:
    """The body as the session will send it; None when it cannot be known without sending it."""
    if json is not None:
        serialize = getattr(session, "_json_serialize", json_module.dumps)
        try:
            text = serialize(json)
        except Exception:  # the session will raise this itself, as it would without aigov
            return None
        return text.encode("utf-8") if isinstance(text, str) else as_bytes(text)
    return as_bytes(data)


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern aiohttp client sessions."""

    def wrap(original: Any) -> Any:
        async def _request(self: Any, method: str, str_or_url: Any, **kwargs: Any) -> Any:
            pipeline = deciding_pipeline()
            if pipeline is None or method.upper() != "POST":
                return await original(self, method, str_or_url, **kwargs)
            url = self._build_url(str_or_url) if hasattr(self, "_build_url") else str_or_url
            if not pipeline.might_be_ai("POST", str(url)):
                return await original(self, method, str_or_url, **kwargs)
            body = request_body(self, kwargs.get("data"), kwargs.get("json"))
            headers = {str(k).lower(): str(v) for k, v in dict(kwargs.get("headers") or {}).items()}
            # a session's own headers cannot be taken off one request
            defaults = frozenset(str(k).lower() for k in getattr(self, "_default_headers", None) or {})
            if getattr(self, "_default_auth", None) is not None:  # the session's auth= becomes its Authorization
                defaults |= {"authorization"}
            outbound = OutboundRequest("aiohttp", method, str(url), headers, body, fixed_headers=defaults)
            call = pipeline.begin(outbound)
            if call is None:
                return await original(self, method, str_or_url, **kwargs)
            plan = call.plan
            if plan.url is not None:
                str_or_url = plan.url
            if plan.drop_headers or plan.set_headers:
                drop = plan.drop_headers | {n.lower() for n in plan.set_headers}
                if "authorization" in drop:  # this request's auth= is the caller's credential too
                    kwargs.pop("auth", None)
                sent = {k: v for k, v in dict(kwargs.get("headers") or {}).items() if str(k).lower() not in drop}
                kwargs["headers"] = {**sent, **plan.set_headers}
            if plan.body is not None:  # the new JSON goes as data, still typed as JSON (aiohttp sets its length)
                had_json = kwargs.pop("json", None) is not None
                kwargs["data"] = plan.body
                # the caller's Content-Length was the old body's: aiohttp sets the new one
                sent_headers = {
                    k: v for k, v in dict(kwargs.get("headers") or {}).items() if str(k).lower() != "content-length"
                }
                if had_json and not any(str(k).lower() == "content-type" for k in sent_headers):
                    sent_headers["Content-Type"] = "application/json"
                kwargs["headers"] = sent_headers
            with sending(call):
                response = await original(self, method, str_or_url, **kwargs)
            tap = call.tap(response.status, response.headers)
            content_class = FilteredContent if tap.filters else TappedContent
            response.content = content_class(response.content, tap)
            release, close = response.release, response.close

            def tapped_release() -> Any:
                tap.close()
                return release()

            def tapped_close() -> Any:
                tap.close(error=None if response.content.at_eof() else "closed before the end")
                return close()

            response.release, response.close = tapped_release, tapped_close
            weakref.finalize(response, tap.close, "dropped unread")
            return response

        return _request

    patches.replace(module.ClientSession, "_request", wrap)
