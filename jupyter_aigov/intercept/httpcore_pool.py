"""httpcore and httpcore2: a connection pool's `handle_request` is where httpx's and httpx2's transports send.

Governs the pools used directly (`httpcore.ConnectionPool().request(...)`, `httpx.HTTPTransport().handle_request`).
A request an httpx client already has goes through untouched (`deciding_pipeline()` is None beneath it).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..pipeline import CallInFlight, OutboundRequest, deciding_pipeline, sending
from .patches import PatchSet
from .tapped_streams import tapped_stream_classes


def request_url(request: Any) -> str:
    """The full URL of an httpcore request."""
    return bytes(request.url).decode("ascii", "replace")


def request_body(request: Any) -> bytes | None:
    """The body when it is in memory (httpcore's and httpx's ByteStream hold their bytes); None for a stream."""
    stream = request.stream
    if isinstance(stream, bytes):
        return stream
    for held in ("_content", "_stream"):
        value = getattr(stream, held, None)
        if isinstance(value, bytes):
            return value
    return None


def request_headers(request: Any) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in request.headers}


def decided(library: str, request: Any) -> CallInFlight | None:
    """Decide a request: None when it is not an AI call (most traffic stops at the method or the quick look)."""
    if request.method.upper() != b"POST":
        return None
    pipeline = deciding_pipeline()
    if pipeline is None:
        return None
    url = request_url(request)
    if not pipeline.might_be_ai("POST", url):
        return None
    return pipeline.begin(OutboundRequest(library, "POST", url, request_headers(request), request_body(request)))


def _send_instead(module: ModuleType, request: Any, call: CallInFlight) -> None:
    """Apply the call's send plan to the request: its URL (and Host), headers and body (with its length)."""
    plan = call.plan
    headers = request_headers(request)
    if plan.url is not None:
        request.url = module.URL(plan.url)
        port = request.url.port
        host = request.url.host.decode("ascii")
        headers = {name: value for name, value in headers.items() if name.lower() != "host"}
        headers["Host"] = host if port is None else f"{host}:{port}"
    if plan.changes_headers or plan.url is not None:
        planned = plan.headers(headers)
        if plan.body is not None:
            planned = {name: value for name, value in planned.items() if name.lower() != "transfer-encoding"}
        request.headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in planned.items()]
    if plan.body is not None:
        request.stream = module.Request(
            request.method, request.url, content=plan.body
        ).stream  # its bytes, sync or async


def install(patches: PatchSet, module: ModuleType, library: str) -> None:
    """Govern httpcore's or httpcore2's connection pools (`library` names it in the evidence)."""
    sync_stream, async_stream = tapped_stream_classes(object, object)

    def tapped(call: CallInFlight, response: Any, stream_class: type) -> Any:
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in response.headers}
        tap = call.tap(response.status, headers)
        if tap.filters:  # restored values change the length
            response.headers = [(k, v) for k, v in response.headers if k.lower() != b"content-length"]
        response.stream = stream_class(response.stream, tap)
        return response

    def wrap_sync(original: Any) -> Any:
        def handle_request(self: Any, request: Any) -> Any:
            call = decided(library, request)
            if call is None:
                return original(self, request)
            _send_instead(module, request, call)
            with sending(call):
                response = original(self, request)
            return tapped(call, response, sync_stream)

        return handle_request

    def wrap_async(original: Any) -> Any:
        async def handle_async_request(self: Any, request: Any) -> Any:
            call = decided(library, request)
            if call is None:
                return await original(self, request)
            _send_instead(module, request, call)
            with sending(call):
                response = await original(self, request)
            return tapped(call, response, async_stream)

        return handle_async_request

    patches.replace(module.ConnectionPool, "handle_request", wrap_sync)
    patches.replace(module.AsyncConnectionPool, "handle_async_request", wrap_async)
