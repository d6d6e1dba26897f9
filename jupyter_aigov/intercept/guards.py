"""Guards: what refuses a transport's AI calls when its full layer could not be installed (fail closed).

Each guard wraps one public entry point that every request of the library passes, and does one thing: a
request the catalogue recognises as an AI call is refused (rule intercept.unavailable) and recorded; any other
request goes on untouched. A guard reads the request; it never changes it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from ..pipeline import OutboundRequest, deciding_pipeline
from .patches import PatchSet
from .urllib3_pool import as_bytes

# (method, url, headers, body) of the request a wrapped entry point was called with
Seen = tuple[str, str, Mapping[str, str] | None, bytes | None]
Reader = Callable[..., Seen]


def refuse_if_ai(library: str, seen: Seen) -> None:
    """Refuse the request when it is an AI call; return when it is not, or when governance is off."""
    pipeline = deciding_pipeline()
    if pipeline is None:
        return
    method, url, headers, body = seen
    pipeline.refuse_unintercepted(OutboundRequest(library, method, url, headers, body))


def _guarding(library: str, read: Reader) -> Callable[[Any], Any]:
    """A wrapper maker for patches.replace: the original runs only once the request was found not to be AI."""

    def make(original: Any) -> Any:
        if inspect.iscoroutinefunction(original):

            @functools.wraps(original)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                refuse_if_ai(library, read(*args, **kwargs))
                return await original(*args, **kwargs)

            return guarded_async

        @functools.wraps(original)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refuse_if_ai(library, read(*args, **kwargs))
            return original(*args, **kwargs)

        return guarded

    return make


def guard_httpx(patches: PatchSet, module: ModuleType, library: str) -> None:
    """httpx / httpx2: `Client.send` and `AsyncClient.send`, the public method every request goes through."""

    def read(client: Any, request: Any, *args: Any, **kwargs: Any) -> Seen:
        return request.method, str(request.url), request.headers, request.__dict__.get("_content")

    patches.replace(module.Client, "send", _guarding(library, read))
    patches.replace(module.AsyncClient, "send", _guarding(library, read))


def guard_requests(patches: PatchSet, module: ModuleType) -> None:
    """requests: `Session.send`, which every request of every session passes."""

    def read(session: Any, request: Any, *args: Any, **kwargs: Any) -> Seen:
        return request.method, request.url, request.headers, as_bytes(request.body)

    patches.replace(module.sessions.Session, "send", _guarding("requests", read))


def guard_urllib3(patches: PatchSet, module: ModuleType) -> None:
    """urllib3: `HTTPConnectionPool.urlopen`, which every pool's request passes."""
    from .urllib3_pool import full_url

    def read(pool: Any, method: str, url: str, body: Any = None, headers: Any = None, *args: Any, **kw: Any) -> Seen:
        return method, full_url(pool, url), headers, as_bytes(body)

    patches.replace(module.connectionpool.HTTPConnectionPool, "urlopen", _guarding("urllib3", read))


def guard_aiohttp(patches: PatchSet, module: ModuleType) -> None:
    """aiohttp: `ClientSession._request`, which get/post/request all end in."""
    from .aiohttp_session import request_body

    def read(session: Any, method: str, str_or_url: Any, **kwargs: Any) -> Seen:
        url = session._build_url(str_or_url) if hasattr(session, "_build_url") else str_or_url
        headers = {str(k).lower(): str(v) for k, v in dict(kwargs.get("headers") or {}).items()}
        return method, str(url), headers, request_body(session, kwargs.get("data"), kwargs.get("json"))

    patches.replace(module.ClientSession, "_request", _guarding("aiohttp", read))


def guard_botocore(patches: PatchSet, module: ModuleType) -> None:
    """botocore: `Endpoint.make_request`, the public way into every AWS call."""

    def read(endpoint: Any, operation_model: Any, request_dict: dict[str, Any], *args: Any, **kw: Any) -> Seen:
        return (
            request_dict.get("method", "POST"),
            request_dict.get("url", ""),
            request_dict.get("headers"),
            as_bytes(request_dict.get("body")),
        )

    patches.replace(module.Endpoint, "make_request", _guarding("botocore", read))


def guard_websockets(patches: PatchSet, module: ModuleType) -> None:
    """websockets (asyncio or threading client): `ClientConnection.handshake`, before its request leaves."""
    from .websockets_library import socket_url, target

    def read(connection: Any, *args: Any, **kwargs: Any) -> Seen:
        return "GET", socket_url(target(connection)), None, None

    patches.replace(module.ClientConnection, "handshake", _guarding("websockets", read))


def guard_grpc(patches: PatchSet, module: ModuleType) -> None:
    """grpcio: the unary-unary and unary-stream multicallables' calls, on every channel."""
    from .grpc_channel import call_url

    def read(multicallable: Any, *args: Any, **kwargs: Any) -> Seen:
        return "POST", call_url(multicallable), {"content-type": "application/grpc"}, None

    unary_unary = module._UnaryUnaryMultiCallable
    for name in ("__call__", "with_call", "future"):
        patches.replace(unary_unary, name, _guarding("grpcio", read))
    patches.replace(module._UnaryStreamMultiCallable, "__call__", _guarding("grpcio", read))
    patches.replace(module._SingleThreadedUnaryStreamMultiCallable, "__call__", _guarding("grpcio", read))


def guard_http_client(patches: PatchSet, module: ModuleType) -> None:
    """http.client: `HTTPConnection.request` (urllib.request's way in, body and all) and `putrequest`, the first
    step of every request, where the body is not known yet: an AI-looking request line is refused on it alone."""
    from .http_client import full_url

    def read_request(connection: Any, method: str, url: str, body: Any = None, headers: Any = None, **kw: Any) -> Seen:
        return method, full_url(connection, url, module.HTTPS_PORT), headers, as_bytes(body)

    def read_putrequest(connection: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Seen:
        return method, full_url(connection, url, module.HTTPS_PORT), None, None

    patches.replace(module.HTTPConnection, "request", _guarding("http.client", read_request))
    patches.replace(module.HTTPConnection, "putrequest", _guarding("http.client", read_putrequest))


def guard_httpcore(patches: PatchSet, module: ModuleType, library: str) -> None:
    """httpcore / httpcore2: the connection pools' `handle_request` and `handle_async_request`."""
    from .httpcore_pool import request_body, request_headers, request_url

    def read(pool: Any, request: Any, *args: Any, **kwargs: Any) -> Seen:
        method = request.method.decode("ascii", "replace")
        return method, request_url(request), request_headers(request), request_body(request)

    patches.replace(module.ConnectionPool, "handle_request", _guarding(library, read))
    patches.replace(module.AsyncConnectionPool, "handle_async_request", _guarding(library, read))


def guard_tornado(patches: PatchSet, module: ModuleType) -> None:
    """tornado: `AsyncHTTPClient.fetch`, which every request of its clients (the blocking one too) starts in."""
    from .tornado_client import as_request, outbound

    def read(client: Any, request: Any, raise_error: bool = True, **kwargs: Any) -> Seen:
        seen = outbound(as_request(module, request, kwargs))
        return seen.method, seen.url, seen.headers, seen.body

    patches.replace(module.AsyncHTTPClient, "fetch", _guarding("tornado", read))
