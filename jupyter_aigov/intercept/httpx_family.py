"""httpx and httpx2: every request of every client passes `_send_single_request`, the call into its transport.

Patching there (not one transport class) governs custom and mounted transports too, and clients created
before loading, since the method is looked up on the class at each call.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..pipeline import CallInFlight, OutboundRequest, ResponseTap, deciding_pipeline, sending
from .patches import PatchSet
from .tapped_streams import tapped_stream_classes


def _outbound(library: str, request: Any, url: str) -> OutboundRequest:
    # a streamed upload has no `_content`: the body is unknown, which recognition treats as such
    return OutboundRequest(library, request.method, url, request.headers, request.__dict__.get("_content"))


def _send_instead(module: ModuleType, request: Any, call: CallInFlight) -> None:
    """Apply the call's send plan to the request: its URL, headers and body (with its length)."""
    plan = call.plan
    if plan.url is not None:
        request.url = module.URL(plan.url)
        request.headers["Host"] = request.url.netloc.decode("ascii")
    for name in plan.drop_headers | {n.lower() for n in plan.set_headers}:
        request.headers.pop(name, None)
    request.headers.update(plan.set_headers)
    body = plan.body
    if body is None:
        return
    request.stream = module.ByteStream(body)
    request._content = body
    request.headers["Content-Length"] = str(len(body))


def _tapped(call: CallInFlight, response: Any) -> ResponseTap:
    """The tap for this response; when its answer is filtered, its length may change: the Content-Length goes."""
    tap = call.tap(response.status_code, response.headers)
    if tap.filters:
        response.headers.pop("Content-Length", None)
    return tap


def install(patches: PatchSet, module: ModuleType, library: str) -> None:
    """Govern httpx or httpx2 (`library` names it in the evidence)."""
    sync_stream, async_stream = tapped_stream_classes(module.SyncByteStream, module.AsyncByteStream)

    def wrap_sync(original: Any) -> Any:
        def _send_single_request(self: Any, request: Any) -> Any:
            pipeline = deciding_pipeline()
            if pipeline is None or request.method != "POST":
                return original(self, request)
            url = str(request.url)
            if not pipeline.might_be_ai("POST", url):  # most traffic stops here, for a few µs
                return original(self, request)
            call = pipeline.begin(_outbound(library, request, url))
            if call is None:
                return original(self, request)
            _send_instead(module, request, call)
            with sending(call):
                response = original(self, request)
            response.stream = sync_stream(response.stream, _tapped(call, response))
            return response

        return _send_single_request

    def wrap_async(original: Any) -> Any:
        async def _send_single_request(self: Any, request: Any) -> Any:
            pipeline = deciding_pipeline()
            if pipeline is None or request.method != "POST":
                return await original(self, request)
            url = str(request.url)
            if not pipeline.might_be_ai("POST", url):  # most traffic stops here, for a few µs
                return await original(self, request)
            call = pipeline.begin(_outbound(library, request, url))
            if call is None:
                return await original(self, request)
            _send_instead(module, request, call)
            with sending(call):
                response = await original(self, request)
            response.stream = async_stream(response.stream, _tapped(call, response))
            return response

        return _send_single_request

    patches.replace(module.Client, "_send_single_request", wrap_sync)
    patches.replace(module.AsyncClient, "_send_single_request", wrap_async)
