"""tornado: `AsyncHTTPClient.fetch` is where every request of its clients starts (simple or curl, and the blocking
`HTTPClient`, which runs it on its own loop).

The request is decided before `fetch` hands it on; its answer goes through the call's tap as it is buffered, or
chunk by chunk on its way to a `streaming_callback`.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..pipeline import CallInFlight, OutboundRequest, ResponseTap, deciding_pipeline, sending
from .patches import PatchSet


def as_request(module: ModuleType, request: Any, kwargs: dict[str, Any]) -> Any:
    """What fetch was given, as an HTTPRequest of its own (the caller's object is never changed)."""
    if isinstance(request, module.HTTPRequest):
        return copy.copy(request)
    return module.HTTPRequest(url=request, **kwargs)


def outbound(request: Any) -> OutboundRequest:
    body = None if request.body_producer is not None else request.body
    return OutboundRequest("tornado", request.method, request.url, request.headers, body)


class _Answer:
    """The answer of one call as tornado hands it over: streamed to a callback, or buffered in the response."""

    def __init__(self, module: ModuleType, call: CallInFlight, request: Any) -> None:
        self._httputil, self._call = module.httputil, call
        self._status = 0
        self._headers = module.httputil.HTTPHeaders()
        self.tap: ResponseTap | None = None
        self._on_header: Callable[[str], None] | None = request.header_callback
        self._on_chunk: Callable[[bytes], None] | None = request.streaming_callback
        if self._on_chunk is not None:  # streamed: each chunk through the tap, which needs the headers first
            request.header_callback, request.streaming_callback = self.header_line, self.chunk

    def header_line(self, line: str) -> None:
        if line.startswith("HTTP/"):  # a new response (after a 100 Continue or a redirect): its headers anew
            self._status = self._httputil.parse_response_start_line(line.strip()).code
            self._headers = self._httputil.HTTPHeaders()
        elif line.strip():
            self._headers.parse_line(line)
        if self._on_header is not None:
            self._on_header(line)

    def chunk(self, data: bytes) -> None:
        if self.tap is None:
            self.tap = self._call.tap(self._status, self._headers)
        if (out := self.tap.relay(data)) and self._on_chunk is not None:
            self._on_chunk(out)

    def ended(self, response: Any) -> None:
        """The response is complete: what the tap still held goes to the callback, or the body is the tap's."""
        if self._on_chunk is not None:
            tap = self.tap or self._call.tap(response.code, response.headers)
            if tail := tap.relay(b"", end=True):
                self._on_chunk(tail)
            tap.close()
            return
        tap = self._call.tap(response.code, response.headers)
        passed = tap.relay(response.body or b"", end=True)
        tap.close()
        if tap.filters:
            response.buffer, response._body = io.BytesIO(passed), None
            response.headers.pop("Content-Length", None)

    def failed(self, error: str) -> None:
        if self.tap is not None:
            self.tap.close(error=error)
        else:
            self._call.finish(None, error=error)


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern tornado's HTTP clients."""

    def send_instead(request: Any, call: CallInFlight) -> None:
        plan = call.plan
        if plan.url is not None:
            request.url = plan.url
        if plan.changes_headers:
            request.headers = module.httputil.HTTPHeaders(plan.headers(request.headers))
            if any(name.lower() == "accept-encoding" for name in plan.set_headers):
                request.decompress_response = False  # else tornado asks for gzip over the plan's identity
        if plan.body is not None:
            request.body = plan.body

    def relayed(inner: Any, answer: _Answer) -> Any:
        """The future the caller awaits: the inner one's outcome once the answer went through the tap."""
        future = module.Future()

        def done(finished: Any) -> None:
            if finished.cancelled():
                answer.failed("CancelledError")
                future.cancel()
                return
            error = finished.exception()
            response = finished.result() if error is None else getattr(error, "response", None)
            try:
                if response is not None:
                    answer.ended(response)
                else:
                    answer.failed(type(error).__name__)
            except BaseException as refused:  # a refused tool call: the caller gets the refusal
                module.future_set_exception_unless_cancelled(future, refused)
                return
            if error is not None:
                module.future_set_exception_unless_cancelled(future, error)
            else:
                module.future_set_result_unless_cancelled(future, response)

        inner.add_done_callback(done)
        return future

    def wrap(original: Any) -> Any:
        def fetch(self: Any, request: Any, raise_error: bool = True, **kwargs: Any) -> Any:
            pipeline = deciding_pipeline()
            if pipeline is None or (kwargs and isinstance(request, module.HTTPRequest)):  # the latter: its error
                return original(self, request, raise_error, **kwargs)
            request = as_request(module, request, kwargs)
            if not pipeline.might_be_ai(request.method, request.url):
                return original(self, request, raise_error)
            call = pipeline.begin(outbound(request))
            if call is None:
                return original(self, request, raise_error)
            send_instead(request, call)
            answer = _Answer(module, call, request)
            with sending(call):
                inner = original(self, request, raise_error)
            return relayed(inner, answer)

        return fetch

    patches.replace(module.AsyncHTTPClient, "fetch", wrap)
