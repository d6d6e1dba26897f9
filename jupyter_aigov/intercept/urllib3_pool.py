"""urllib3: `HTTPConnectionPool.urlopen` is where every request of every pool goes out (boto3, requests, pip...)."""

from __future__ import annotations

import weakref
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from ..pipeline import CallInFlight, OutboundRequest, ResponseTap, deciding_pipeline, sending
from .patches import PatchSet


def as_bytes(body: Any) -> bytes | None:
    """The request body when it is in memory; None for files and generators, which we must not consume."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    return None


def tap_response(response: Any, call: CallInFlight) -> ResponseTap:
    """Pass what the caller reads from a urllib3 response through its tap (usage read, calls held, values
    restored)."""
    tap = call.tap(response.status, response.headers)
    if tap.filters:
        response.headers.discard("Content-Length")  # restored values change the length
    body = getattr(response, "_body", None)
    if body:  # preloaded: the whole body is already here
        passed = tap.relay(body, end=True)
        if tap.filters:
            response._body = passed
        tap.close()
        return tap
    read, read_chunked, release, close = response.read, response.read_chunked, response.release_conn, response.close
    # urllib3 releases the connection from inside read(), before read() returns the last bytes:
    # a release seen mid-read only marks the end, and the tap closes once those bytes are fed.
    reading = [False]

    def tapped_read(amt: int | None = None, decode_content: bool | None = None, *args: Any, **kwargs: Any) -> Any:
        while True:
            reading[0] = True
            try:
                data = read(amt, decode_content, *args, **kwargs)
            finally:
                reading[0] = False
            end = not data or amt is None or response.isclosed()
            out = tap.relay(data, end)
            if end:
                tap.close()
            # an empty read means the end to most callers: while the tap holds bytes back, read on
            if out or end:
                return out

    def tapped_read_chunked(amt: int | None = None, decode_content: bool | None = None) -> Any:
        reading[0] = True
        try:
            for chunk in read_chunked(amt, decode_content):
                if out := tap.relay(chunk, False):
                    yield out
        finally:
            reading[0] = False
        tail = tap.relay(b"", True)
        tap.close()
        if tail:
            yield tail

    def tapped_release_conn() -> Any:
        if not reading[0]:
            tap.close()
        return release()

    def tapped_close() -> Any:
        if not reading[0]:
            tap.close(error=None if response.isclosed() else "closed before the end")
        return close()

    weakref.finalize(response, tap.close, "dropped unread")  # collected unread: the record still completes
    # instance attributes shadow the class's methods; stream() and requests' iter_content call these
    response.read, response.read_chunked = tapped_read, tapped_read_chunked
    response.release_conn, response.close = tapped_release_conn, tapped_close
    return tap


def full_url(pool: Any, url: str) -> str:
    if "://" in url:
        return url
    default_port = {"http": 80, "https": 443}.get(pool.scheme)
    port = "" if pool.port in (None, default_port) else f":{pool.port}"
    return f"{pool.scheme}://{pool.host}{port}{url}"


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern urllib3 connection pools."""

    def wrap(original: Any) -> Any:
        def urlopen(self: Any, method: str, url: str, body: Any = None, headers: Any = None, *args: Any, **kw: Any):
            pipeline = deciding_pipeline()
            if pipeline is None:
                return original(self, method, url, body, headers, *args, **kw)
            whole_url = full_url(self, url)
            # a pool is bound to its host: a route may change the path and model here, not the host
            outbound = OutboundRequest("urllib3", method, whole_url, headers, as_bytes(body), can_change_host=False)
            call = pipeline.begin(outbound)
            if call is None:
                return original(self, method, url, body, headers, *args, **kw)
            plan = call.plan
            if plan.url is not None:  # a route on the same host: its path and query
                parts = urlsplit(plan.url)
                url = parts.path + (f"?{parts.query}" if parts.query else "")
            if plan.changes_headers:  # urlopen sends the pool's own headers when given none: those, changed
                headers = plan.headers(self.headers if headers is None else headers)
            if plan.body is not None:
                body = plan.body
            with sending(call):
                response = original(self, method, url, body, headers, *args, **kw)
            tap_response(response, call)
            return response

        return urlopen

    patches.replace(module.connectionpool.HTTPConnectionPool, "urlopen", wrap)
