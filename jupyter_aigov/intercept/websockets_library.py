"""websockets (asyncio and threading clients): a websocket to an AI endpoint decided before its handshake leaves.

The decision is made where the client connects (`asyncio.client.connect.connect`, `sync.client.reconnect.connect`),
before the TCP connection opens; the handshake itself (`ClientConnection.handshake`) decides any connection
that was not (a redirect, a connection made by hand) before its request leaves. The openai SDK's Realtime API
connects through these. A governed connection's messages pass through its `SocketSession` (`Connection.send`,
`recv`, `recv_streaming`; iteration is `recv`); every other connection is passed through untouched.
`websockets.legacy` cannot be governed: its AI connections are refused.
"""

from __future__ import annotations

import contextvars
import importlib
import weakref
from collections import deque
from collections.abc import AsyncIterable, Iterable
from types import ModuleType
from typing import Any

from ..pipeline import OutboundRequest, SocketSession, deciding_pipeline
from .patches import PatchSet

LIBRARY = "websockets"
# the session decided where the client connects, for the handshake of that connection to take up
_connecting: contextvars.ContextVar[tuple[str, SocketSession] | None] = contextvars.ContextVar(
    "aigov_websockets_connecting", default=None
)
_sessions: weakref.WeakKeyDictionary[Any, SocketSession] = weakref.WeakKeyDictionary()
_ready: weakref.WeakKeyDictionary[Any, deque[str]] = weakref.WeakKeyDictionary()


def socket_url(wsuri: Any) -> str:
    """A websockets WebSocketURI as a URL (its port always written: the catalogue looks hosts up with it)."""
    scheme = "wss" if wsuri.secure else "ws"
    host = f"[{wsuri.host}]" if ":" in wsuri.host else wsuri.host
    return f"{scheme}://{host}:{wsuri.port}{wsuri.resource_name}"


def target(connection: Any) -> Any:
    """The WebSocketURI a client connection is for (`protocol.uri`; `protocol.wsuri` before websockets 14)."""
    protocol = connection.protocol
    found = getattr(protocol, "uri", None)
    return found if found is not None and hasattr(found, "resource_name") else protocol.wsuri


def _open(uri: str) -> SocketSession | None:
    pipeline = deciding_pipeline()
    if pipeline is None:
        return None
    return pipeline.begin_socket(OutboundRequest(LIBRARY, "GET", str(uri), None, None))


def _at_handshake(connection: Any, parse_uri: Any) -> SocketSession | None:
    """The session of a connection about to send its handshake: the one decided at connect, or decided now."""
    connecting = _connecting.get()
    wsuri = target(connection)
    if connecting is not None and parse_uri(connecting[0]) == wsuri:
        session: SocketSession | None = connecting[1]
    else:
        session = _open(socket_url(wsuri))
    if session is not None:
        _sessions[connection] = session
        _ready[connection] = deque()
        weakref.finalize(connection, session.end, "dropped unclosed")
    return session


# -- out ------------------------------------------------------------------------------------------------------
def _outgoing(session: SocketSession, message: Any, text: bool | None) -> Any:
    """The message to send instead: a text message examined, fragments joined first; binary checked."""
    if isinstance(message, str):
        if text is False:
            session.outgoing_binary()
            return message
        return session.outgoing(message)
    if isinstance(message, bytes | bytearray | memoryview):
        if text is True:
            return session.outgoing(bytes(message).decode("utf-8")).encode("utf-8")
        session.outgoing_binary()
        return message
    return message  # what the library itself refuses (a dict, None...)


def _joined(fragments: list[Any]) -> Any:
    """Fragments of one message, as one (a message is examined whole); mixed ones as they were (the library refuses)."""
    if fragments and all(isinstance(f, str) for f in fragments):
        return "".join(fragments)
    if fragments and all(isinstance(f, bytes | bytearray | memoryview) for f in fragments):
        return b"".join(bytes(f) for f in fragments)
    return fragments


def _received(value: Any, decode: bool | None) -> Any:
    """A message as the caller asked for it: text as bytes with decode=False, binary as text with decode=True."""
    if decode is False and isinstance(value, str):
        return value.encode("utf-8")
    if decode is True and isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def _take(session: SocketSession, connection: Any, message: Any) -> None:
    """A message received: into the connection's queue as the session releases it (raises when refused)."""
    if isinstance(message, str):
        _ready[connection].extend(session.incoming(message))
    elif session.incoming_binary():
        _ready[connection].append(message)


def _ended(session: SocketSession, exc: BaseException) -> None:
    """A receive that failed: the session ends when the connection closed (a timeout or a cancelled receive
    leaves it governed)."""
    name = type(exc).__name__
    if name.startswith("ConnectionClosed"):
        session.end(None if name == "ConnectionClosedOK" else name)


# -- asyncio --------------------------------------------------------------------------------------------------
def install_asyncio(patches: PatchSet, module: ModuleType) -> None:
    """Govern `websockets.asyncio.client` (also `websockets.connect`)."""
    from websockets.uri import parse_uri

    connection_class = importlib.import_module("websockets.asyncio.connection").Connection

    def wrap_connect(original: Any) -> Any:
        async def connect(self: Any) -> Any:
            session = _open(self.uri)
            if session is None:
                return await original(self)
            token = _connecting.set((self.uri, session))
            try:
                return await original(self)
            except BaseException as exc:
                session.end(type(exc).__name__)
                raise
            finally:
                _connecting.reset(token)

        return connect

    def wrap_handshake(original: Any) -> Any:
        async def handshake(self: Any, *args: Any, **kwargs: Any) -> Any:
            session = _at_handshake(self, parse_uri)
            try:
                return await original(self, *args, **kwargs)
            except BaseException as exc:
                if session is not None:
                    session.end(type(exc).__name__)
                raise

        return handshake

    def wrap_send(original: Any) -> Any:
        async def send(self: Any, message: Any, *args: Any, **kwargs: Any) -> Any:
            session = _sessions.get(self)
            if session is None:
                return await original(self, message, *args, **kwargs)
            text = kwargs.get("text")
            if isinstance(message, AsyncIterable):
                message = _joined([fragment async for fragment in message])
            elif isinstance(message, Iterable) and not isinstance(message, str | bytes | bytearray | memoryview):
                message = _joined(list(message))
            try:
                message = _outgoing(session, message, text)
            except BaseException:
                if session.closing:
                    await self.close()
                raise
            return await original(self, message, *args, **kwargs)

        return send

    def wrap_recv(original: Any) -> Any:
        async def recv(self: Any, *args: Any, **kwargs: Any) -> Any:
            session = _sessions.get(self)
            if session is None:
                return await original(self, *args, **kwargs)
            decode = kwargs.get("decode", args[0] if args else None)
            ready = _ready[self]
            while not ready:
                try:
                    message = await original(self, decode=None)
                except BaseException as exc:
                    _ended(session, exc)
                    raise
                try:
                    _take(session, self, message)
                except BaseException:
                    await self.close()  # a refusal mid-session ends it: nothing more reaches the caller
                    raise
            return _received(ready.popleft(), decode)

        return recv

    def wrap_recv_streaming(original: Any) -> Any:
        async def recv_streaming(self: Any, *args: Any, **kwargs: Any) -> Any:
            if self not in _sessions:
                async for fragment in original(self, *args, **kwargs):
                    yield fragment
                return
            yield await self.recv(
                kwargs.get("decode", args[0] if args else None)
            )  # a governed message is read whole: one fragment

        return recv_streaming

    def wrap_close(original: Any) -> Any:
        async def close(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return await original(self, *args, **kwargs)
            finally:
                if (session := _sessions.get(self)) is not None:
                    session.end()

        return close

    patches.replace(module.connect, "connect", wrap_connect)
    patches.replace(module.ClientConnection, "handshake", wrap_handshake)
    for name, wrap in (
        ("send", wrap_send),
        ("recv", wrap_recv),
        ("recv_streaming", wrap_recv_streaming),
        ("close", wrap_close),
    ):
        patches.replace(connection_class, name, wrap)


# -- threading ------------------------------------------------------------------------------------------------
def install_sync(patches: PatchSet, module: ModuleType) -> None:
    """Govern `websockets.sync.client` (the openai SDK's Realtime API connects through it)."""
    from websockets.uri import parse_uri

    connection_class = importlib.import_module("websockets.sync.connection").Connection

    def wrap_connect(original: Any) -> Any:
        def connect(self: Any, *args: Any, **kwargs: Any) -> Any:
            session = _open(self.uri)
            if session is None:
                return original(self, *args, **kwargs)
            token = _connecting.set((self.uri, session))
            try:
                return original(self, *args, **kwargs)
            except BaseException as exc:
                session.end(type(exc).__name__)
                raise
            finally:
                _connecting.reset(token)

        return connect

    def wrap_handshake(original: Any) -> Any:
        def handshake(self: Any, *args: Any, **kwargs: Any) -> Any:
            session = _at_handshake(self, parse_uri)
            try:
                return original(self, *args, **kwargs)
            except BaseException as exc:
                if session is not None:
                    session.end(type(exc).__name__)
                raise

        return handshake

    def wrap_send(original: Any) -> Any:
        def send(self: Any, message: Any, *args: Any, **kwargs: Any) -> Any:
            session = _sessions.get(self)
            if session is None:
                return original(self, message, *args, **kwargs)
            text = kwargs.get("text")
            if isinstance(message, Iterable) and not isinstance(message, str | bytes | bytearray | memoryview):
                message = _joined(list(message))
            try:
                message = _outgoing(session, message, text)
            except BaseException:
                if session.closing:
                    self.close()
                raise
            return original(self, message, *args, **kwargs)

        return send

    def wrap_recv(original: Any) -> Any:
        def recv(self: Any, *args: Any, **kwargs: Any) -> Any:
            session = _sessions.get(self)
            if session is None:
                return original(self, *args, **kwargs)
            timeout = kwargs.get("timeout", args[0] if args else None)
            decode = kwargs.get("decode", args[1] if len(args) > 1 else None)
            ready = _ready[self]
            while not ready:
                try:
                    message = original(self, timeout, decode=None)
                except BaseException as exc:
                    _ended(session, exc)
                    raise
                try:
                    _take(session, self, message)
                except BaseException:
                    self.close()  # a refusal mid-session ends it: nothing more reaches the caller
                    raise
            return _received(ready.popleft(), decode)

        return recv

    def wrap_recv_streaming(original: Any) -> Any:
        def recv_streaming(self: Any, *args: Any, **kwargs: Any) -> Any:
            if self not in _sessions:
                yield from original(self, *args, **kwargs)
                return
            yield self.recv(
                None, kwargs.get("decode", args[0] if args else None)
            )  # a governed message is read whole: one fragment

        return recv_streaming

    def wrap_close(original: Any) -> Any:
        def close(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(self, *args, **kwargs)
            finally:
                if (session := _sessions.get(self)) is not None:
                    session.end()

        return close

    if hasattr(module, "reconnect"):  # websockets 17.1 and later; before, connect() opens in handshake's reach
        patches.replace(module.reconnect, "connect", wrap_connect)
    patches.replace(module.ClientConnection, "handshake", wrap_handshake)
    for name, wrap in (
        ("send", wrap_send),
        ("recv", wrap_recv),
        ("recv_streaming", wrap_recv_streaming),
        ("close", wrap_close),
    ):
        patches.replace(connection_class, name, wrap)


# -- legacy ---------------------------------------------------------------------------------------------------
def install_legacy(patches: PatchSet, module: ModuleType) -> None:
    """`websockets.legacy.client` (deprecated) is not governed message by message: its AI connections are refused
    before they open (rule websocket.ungoverned); others go on."""

    def wrap_init(original: Any) -> Any:
        def __init__(self: Any, uri: str, *args: Any, **kwargs: Any) -> None:
            pipeline = deciding_pipeline()
            if pipeline is not None:
                pipeline.refuse_ungoverned_socket(OutboundRequest("websockets.legacy", "GET", str(uri), None, None))
            original(self, uri, *args, **kwargs)

        return __init__

    patches.replace(module.Connect, "__init__", wrap_init)
