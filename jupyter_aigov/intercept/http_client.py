"""http.client: `HTTPConnection.putrequest` starts every request of urllib.request, xmlrpc and hand-written clients.

A request goes out in steps (`putrequest`, `putheader`..., `endheaders`, maybe `send` for the body) and only the
last ones write to the socket. When a request might be an AI call, its next steps are held on that connection
(its `putheader`, `endheaders`, `send` and `getresponse` shadowed on the one object) until its body is known
(given to `endheaders`, or sent after it up to its Content-Length), then decided, and replayed as the plan says;
its response is read through the call's tap. urllib3 sits on this class: a request it already has goes through
untouched (`deciding_pipeline()` is None beneath another layer).
"""

from __future__ import annotations

import io
import weakref
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from ..pipeline import CallInFlight, OutboundRequest, ResponseTap, deciding_pipeline, sending
from .patches import PatchSet
from .urllib3_pool import as_bytes

_HELD = "_aigov_exchange"  # the connection's request held back (a _Held), then its call in flight


class _Held:
    """A request that might be an AI call, held on its connection: nothing of it has left yet."""

    __slots__ = (
        "body",
        "headers",
        "method",
        "putrequest",
        "skip_accept_encoding",
        "skip_host",
        "target",
        "url",
        "waiting_for",
    )

    def __init__(
        self, putrequest: Any, method: str, target: str, url: str, skip_host: bool, skip_accept_encoding: bool
    ) -> None:
        self.putrequest = putrequest  # http.client's own, to start the request once decided
        self.method, self.target, self.url = method, target, url
        self.skip_host, self.skip_accept_encoding = skip_host, skip_accept_encoding
        self.headers: list[tuple[Any, tuple[Any, ...]]] = []
        self.body: Any = None  # what endheaders was given, or the bytes sent after it
        self.waiting_for = 0  # bytes of a Content-Length still to come through send()

    def header_map(self) -> dict[str, str]:
        return {_text(name): ", ".join(_text(value) for value in values) for name, values in self.headers}

    def declared_length(self) -> int | None:
        """The Content-Length given, None when the body's end is not declared (chunked, or no header)."""
        found = self.header_map()
        for name, value in found.items():
            if name.lower() == "content-length" and value.strip().isdigit():
                return int(value)
        return None


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes | bytearray) else str(value)


def _read_all(data: Any) -> bytes:
    """What send() would write, as bytes: bytes-like, a file (read, as send would), or an iterable of them."""
    if hasattr(data, "read"):
        read = data.read()
        return read.encode("iso-8859-1") if isinstance(read, str) else bytes(read)
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    return b"".join(bytes(chunk) for chunk in data)


def full_url(connection: Any, target: str, https_port: int) -> str:
    """The URL a request line's target goes to (through a CONNECT tunnel: the tunnel's host)."""
    if "://" in target:  # a proxy's absolute form
        return target
    host, port = connection.host, connection.port
    if getattr(connection, "_tunnel_host", None):
        host, port = connection._tunnel_host, connection._tunnel_port
    scheme = "https" if connection.default_port == https_port else "http"
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}{'' if port in (None, connection.default_port) else f':{port}'}{target}"


class _TappedBody(io.RawIOBase):
    """The answer's bytes, as the response decodes them, through the call's tap: what the caller's reader reads."""

    def __init__(self, read1: Any, tap: ResponseTap) -> None:
        self._read1, self._tap = read1, tap
        self._out = b""
        self.ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._out and not self.ended:
            try:
                data = self._read1(max(len(buffer), 1))
            except BaseException as exc:
                self._tap.close(error=type(exc).__name__)
                raise
            self.ended = not data
            self._out = self._tap.relay(data, self.ended)
            if self.ended:
                self._tap.close()
        count = min(len(buffer), len(self._out))
        buffer[:count] = self._out[:count]
        self._out = self._out[count:]
        return count


def tap_http_response(response: Any, call: CallInFlight) -> ResponseTap:
    """Read an http.client response through its tap: every read method goes through one buffered reader."""
    tap = call.tap(response.status, response.msg)
    if tap.filters:
        del response.msg["Content-Length"]  # restored values change the length
    body = _TappedBody(response.read1, tap)
    reader = io.BufferedReader(body)
    close = response.close

    def tapped_close() -> None:
        tap.close(error=None if body.ended else "closed before the end")
        close()

    weakref.finalize(response, tap.close, "dropped unread")  # collected unread: the record still completes
    # instance attributes shadow the class's methods; iteration and `with` look them up on the instance
    response.read, response.read1, response.readinto = reader.read, reader.read1, reader.readinto
    response.readline, response.readlines, response.peek = reader.readline, reader.readlines, reader.peek
    response.close = tapped_close
    return tap


def _plan_steps(held: _Held, call: CallInFlight) -> tuple[str, list[tuple[Any, tuple[Any, ...]]], Any, bool]:
    """The request line's target, the headers and the body the call goes out with; whether it sets its encoding."""
    plan = call.plan
    target = held.target
    if plan.url is not None:  # a connection is bound to its host: a route's path and query on it
        parts = urlsplit(plan.url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers, body = held.headers, held.body
    if plan.changes_headers:
        planned = plan.headers(held.header_map())
        if plan.body is not None:  # a new body of a known length: not chunked
            planned = {name: value for name, value in planned.items() if name.lower() != "transfer-encoding"}
        headers = [(name, (value,)) for name, value in planned.items()]
    if plan.body is not None:
        body = plan.body
    sets_encoding = any(name.lower() == "accept-encoding" for name in plan.set_headers)
    return target, headers, body, sets_encoding


_STEPS = ("putheader", "endheaders", "send")  # shadowed on a connection while its request is held


def _release(connection: Any) -> None:
    """Take the held request's shadows off the connection; a call whose response was never asked for ends."""
    shadows = connection.__dict__
    held = shadows.pop(_HELD, None)
    for name in (*_STEPS, "getresponse"):
        shadows.pop(name, None)
    if isinstance(held, CallInFlight):
        held.finish(None, error="response never read")


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern http.client connections (and with them urllib.request)."""
    https_port = module.HTTPS_PORT

    def hold(connection: Any, held: _Held) -> None:
        """Hold the request's next steps on this connection (instance attributes shadow the class's methods)."""
        shadows = connection.__dict__
        shadows[_HELD] = held
        shadows["putheader"] = lambda header, *values: held.headers.append((header, values))
        shadows["endheaders"] = lambda message_body=None, *, encode_chunked=False: endheaders(
            connection, held, message_body, encode_chunked
        )
        shadows["send"] = lambda data: send(connection, held, data)
        shadows["getresponse"] = lambda: getresponse(connection)

    def endheaders(connection: Any, held: _Held, message_body: Any, encode_chunked: bool) -> None:
        held.body = message_body
        length = held.declared_length() if message_body is None else None
        if length:  # the body follows through send(): decided once it is all here
            held.waiting_for, held.body = length, b""
            return
        decide(connection, held, encode_chunked)

    def send(connection: Any, held: _Held, data: Any) -> None:
        held.body += _read_all(data)
        if len(held.body) >= held.waiting_for:
            decide(connection, held, False)

    def getresponse(connection: Any) -> Any:
        held = connection.__dict__.get(_HELD)
        if isinstance(held, _Held):  # the body came short of its length: decided on what came
            decide(connection, held, False)
            held = connection.__dict__.get(_HELD)
        if not isinstance(held, CallInFlight):
            return type(connection).getresponse(connection)
        connection.__dict__.pop(_HELD)
        connection.__dict__.pop("getresponse", None)
        with sending(held):
            response = type(connection).getresponse(connection)
        tap_http_response(response, held)
        return response

    def decide(connection: Any, held: _Held, encode_chunked: bool) -> None:
        """Decide the held request now, then send it as its plan says (or refuse it: nothing was sent)."""
        _release(connection)
        pipeline = deciding_pipeline()
        body = held.body
        readable = b"" if body is None and held.declared_length() == 0 else as_bytes(body)
        call = None
        if pipeline is not None:
            # a connection is bound to its host: a route may change the path and model here, not the host
            seen = OutboundRequest("http.client", held.method, held.url, held.header_map(), readable, False)
            call = pipeline.begin(seen)
        kind = type(connection)
        if call is None:  # not an AI call (or governance went off): the steps as they were
            held.putrequest(connection, held.method, held.target, held.skip_host, held.skip_accept_encoding)
            for name, values in held.headers:
                kind.putheader(connection, name, *values)
            kind.endheaders(connection, body, encode_chunked=encode_chunked)
            return
        target, headers, body, sets_encoding = _plan_steps(held, call)
        with sending(call):
            skip_encoding = held.skip_accept_encoding or sets_encoding
            held.putrequest(connection, held.method, target, held.skip_host, skip_encoding)
            for name, values in headers:
                kind.putheader(connection, name, *values)
            chunked = encode_chunked and call.plan.body is None
            kind.endheaders(connection, body, encode_chunked=chunked)
        connection.__dict__[_HELD] = call  # its response is read through the call's tap
        connection.__dict__["getresponse"] = lambda: getresponse(connection)

    def wrap_putrequest(original: Any) -> Any:
        def held_putrequest(
            self: Any, method: str, url: str, skip_host: bool = False, skip_accept_encoding: bool = False
        ) -> Any:
            if _HELD in self.__dict__:  # a request left half-made (or a response never asked for)
                _release(self)
            if method != "POST" and method.upper() != "POST":  # only a POST is an AI call
                return original(self, method, url, skip_host, skip_accept_encoding)
            pipeline = deciding_pipeline()
            if pipeline is None:
                return original(self, method, url, skip_host, skip_accept_encoding)
            whole = full_url(self, url, https_port)
            if not pipeline.might_be_ai(method, whole):
                return original(self, method, url, skip_host, skip_accept_encoding)
            hold(self, _Held(original, method, url, whole, bool(skip_host), bool(skip_accept_encoding)))
            return None

        return held_putrequest

    patches.replace(module.HTTPConnection, "putrequest", wrap_putrequest)
