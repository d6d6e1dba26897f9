"""grpcio: every unary-unary and unary-stream call of every channel, whoever made its multicallable and when.

The patches sit on the multicallable classes of `grpc._channel` (`__call__`, `with_call`, `future`), not on
`Channel.unary_unary`: a generated stub makes its multicallables once, when it is built, possibly before aigov
was loaded. A call is named `grpc://host:port/package.Service/Method`; one the catalogue knows is an AI call,
its request serialized with the multicallable's own serializer and decided as its REST twin. An allowed call
goes out as a copy of the multicallable that sends the decided bytes and hands back raw answer messages, which
pass through the call's MessageTap before the caller's deserializer sees them.
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType
from typing import Any

from ..pipeline import CallInFlight, MessageTap, OutboundRequest, Pipeline, deciding_pipeline, sending
from .patches import PatchSet

LIBRARY = "grpcio"
_TARGET_PREFIXES = ("dns:///", "dns:", "ipv4:", "ipv6:")


def call_url(multicallable: Any) -> str:
    """grpc://host:port/package.Service/Method of a multicallable (port 443 when its target names none)."""
    target = _text(getattr(multicallable, "_target", b"")) or "unknown-target:0"  # grpc.aio keeps none
    method = _text(getattr(multicallable, "_method", b""))
    for prefix in _TARGET_PREFIXES:
        if target.startswith(prefix):
            target = target[len(prefix) :]
            break
    target = target.split(",", 1)[0]  # ipv4:a:1,b:2 lists addresses: the first names it
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit() or (target.startswith("[") and not host.endswith("]")):
        target = f"{target}:443"
    return f"grpc://{target}{method if method.startswith('/') else '/' + method}"


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _metadata(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, str]:
    """The call's metadata as headers: what the catalogue reads (nothing of it is recorded)."""
    metadata = kwargs.get("metadata", args[1] if len(args) > 1 else None)
    headers = {"content-type": "application/grpc"}
    for pair in metadata or ():
        try:
            key, value = pair
        except (TypeError, ValueError):
            continue
        if isinstance(key, str) and isinstance(value, str):
            headers[key.lower()] = value
    return headers


def _serialized(multicallable: Any, request: Any) -> bytes | None:
    """The request as bytes, by the multicallable's own serializer; None when it cannot be had."""
    serializer = multicallable._request_serializer
    try:
        data = request if serializer is None else serializer(request)
    except Exception:  # the call fails as grpc fails it; aigov reads it as unreadable
        return None
    return bytes(data) if isinstance(data, bytes | bytearray | memoryview) else None


def begin(pipeline: Pipeline, multicallable: Any, request: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]):
    """The call in flight and the bytes to send for an AI call; None for any other call (it goes as it was)."""
    url = call_url(multicallable)
    if not pipeline.might_be_ai("POST", url):
        return None
    body = _serialized(multicallable, request)
    outbound = OutboundRequest(
        LIBRARY, "POST", url, _metadata(args, kwargs), body, can_change_host=False, can_route=False
    )
    call = pipeline.begin(outbound)
    if call is None:
        return None
    return call, call.plan.body if call.plan.body is not None else body


def _raw(multicallable: Any, body: bytes | None) -> Any:
    """A copy of the multicallable that hands back answer messages as bytes, and sends `body` as it is
    (None: the request could not be serialized here, and goes through the multicallable's own serializer)."""
    twin = copy.copy(multicallable)
    twin._response_deserializer = None
    if body is not None:
        twin._request_serializer = None
    return twin


def _sent(body: bytes | None, request: Any) -> Any:
    return request if body is None else body


def _deserialized(multicallable: Any, message: bytes) -> Any:
    deserializer = multicallable._response_deserializer
    return message if deserializer is None else deserializer(message)


def _unary_answer(call: CallInFlight, message: bytes) -> bytes:
    """The one answer message of a unary call, through the call's tap."""
    tap = call.message_tap()
    out = tap.message(message) + tap.end()
    if len(out) != 1:  # a unary answer is one message; anything else was not released whole
        tap.close("answer not released whole")
        raise RuntimeError("aigov could not release the answer of this gRPC call whole")
    return out[0]


class GovernedFuture:
    """A unary call's future whose result went through governance (delegates the rest to grpc's own)."""

    def __init__(self, inner: Any, call: CallInFlight, multicallable: Any) -> None:
        self._inner, self._call, self._multicallable = inner, call, multicallable
        self._lock = threading.Lock()
        self._outcome: tuple[bool, Any] | None = None

    def _settle(self, timeout: float | None) -> tuple[bool, Any]:
        raw: bytes = b""
        try:
            raw = self._inner.result(timeout)
        except BaseException as exc:
            if type(exc).__name__ in ("FutureTimeoutError", "TimeoutError"):
                raise
            error: BaseException | None = exc
        else:
            error = None
        with self._lock:
            if self._outcome is None:
                if error is not None:
                    self._call.finish(None, error=type(error).__name__)
                    self._outcome = (False, error)
                else:
                    try:
                        self._outcome = (True, _deserialized(self._multicallable, _unary_answer(self._call, raw)))
                    except BaseException as refused:
                        self._outcome = (False, refused)
            return self._outcome

    def result(self, timeout: float | None = None) -> Any:
        ok, value = self._settle(timeout)
        if not ok:
            raise value
        return value

    def exception(self, timeout: float | None = None) -> BaseException | None:
        ok, value = self._settle(timeout)
        return None if ok else value

    def add_done_callback(self, fn: Callable[[Any], None]) -> None:
        self._inner.add_done_callback(lambda _inner: fn(self))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class GovernedStream:
    """A unary-stream call's answers, each through governance as the caller reads it (the rest delegated)."""

    def __init__(self, inner: Any, call: CallInFlight, multicallable: Any) -> None:
        self._inner, self._multicallable = inner, multicallable
        self._tap: MessageTap = call.message_tap()
        self._ready: deque[bytes] = deque()
        self._ended = False
        weakref.finalize(self, self._tap.close, "dropped unread")  # the record completes even if never read

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        while not self._ready:
            if self._ended:
                raise StopIteration
            try:
                message = next(self._inner)
            except StopIteration:
                self._ended = True
                self._ready.extend(self._tap.end())
                continue
            except BaseException as exc:
                self._ended = True
                self._tap.close(error=type(exc).__name__)
                raise
            try:
                self._ready.extend(self._tap.message(message))
            except BaseException:
                self._ended = True
                self._inner.cancel()
                raise
        return _deserialized(self._multicallable, self._ready.popleft())

    def next(self) -> Any:
        return self.__next__()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern grpcio's unary-unary and unary-stream calls, on every channel."""

    def unary(original: Any, returns_call: bool) -> Any:
        def governed(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            pipeline = deciding_pipeline()
            began = begin(pipeline, self, request, args, kwargs) if pipeline is not None else None
            if began is None:
                return original(self, request, *args, **kwargs)
            call, body = began
            with sending(call):
                answered = original(_raw(self, body), _sent(body, request), *args, **kwargs)
            message, rpc = answered if returns_call else (answered, None)
            response = _deserialized(self, _unary_answer(call, message))
            return (response, rpc) if returns_call else response

        return governed

    def handing_back(wrapper: Any) -> Any:
        """A call whose answer comes later (`.future`, a unary-stream call): its result is handed back in `wrapper`,
        which feeds what the caller reads through the call's tap."""

        def make(original: Any) -> Any:
            def governed(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
                pipeline = deciding_pipeline()
                began = begin(pipeline, self, request, args, kwargs) if pipeline is not None else None
                if began is None:
                    return original(self, request, *args, **kwargs)
                call, body = began
                with sending(call):
                    inner = original(_raw(self, body), _sent(body, request), *args, **kwargs)
                return wrapper(inner, call, self)

            return governed

        return make

    future = handing_back(GovernedFuture)
    stream = handing_back(GovernedStream)

    unary_unary = module._UnaryUnaryMultiCallable
    patches.replace(unary_unary, "__call__", lambda original: unary(original, False))
    patches.replace(unary_unary, "with_call", lambda original: unary(original, True))
    patches.replace(unary_unary, "future", future)
    patches.replace(module._UnaryStreamMultiCallable, "__call__", stream)
    patches.replace(module._SingleThreadedUnaryStreamMultiCallable, "__call__", stream)


def install_aio(patches: PatchSet, module: ModuleType) -> None:
    """grpc.aio: not governed yet, so its AI calls are refused before they start (never sent unchecked)."""
    reason = (
        "aigov does not govern grpc.aio channels yet, so AI calls made through them are refused instead of being "
        "sent unchecked."
    )
    hint = "make the call through a grpc channel (grpc.insecure_channel / grpc.secure_channel), which aigov governs."

    def refusing(original: Any) -> Any:
        def refused_if_ai(self: Any, *args: Any, **kwargs: Any) -> Any:
            pipeline = deciding_pipeline()
            if pipeline is not None:
                url = call_url(self)
                if pipeline.might_be_ai("POST", url):
                    headers = {"content-type": "application/grpc"}
                    pipeline.refuse_unintercepted(
                        OutboundRequest(LIBRARY + ".aio", "POST", url, headers, None), reason, hint
                    )
            return original(self, *args, **kwargs)

        return refused_if_ai

    for name in (
        "UnaryUnaryMultiCallable",
        "UnaryStreamMultiCallable",
        "StreamUnaryMultiCallable",
        "StreamStreamMultiCallable",
    ):
        patches.replace(getattr(module, name), "__call__", refusing)
