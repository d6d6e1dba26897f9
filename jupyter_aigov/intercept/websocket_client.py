"""websocket-client (`websocket.create_connection`, `WebSocket`, `WebSocketApp`): decided before the handshake.

`WebSocket.connect` decides before the TCP connection opens; the handshake function it calls (`_core.handshake`)
decides a redirect's target before that request leaves. A governed socket's frames pass through its
`SocketSession`: `send_frame` (every send ends there) and `recv_data_frame` (every receive, `WebSocketApp`'s
included, ends there with a whole message). `WebSocketApp.run_forever` hands errors to `on_error` and returns:
it is shielded, so a refusal reaches its caller as the PolicyViolation.
"""

from __future__ import annotations

import contextvars
import copy
import weakref
from collections import deque
from types import ModuleType
from typing import Any

from ..pipeline import OutboundRequest, SocketSession, deciding_pipeline, shield
from .patches import PatchSet

LIBRARY = "websocket-client"
# [url, session] decided at connect; the handshake of a redirect puts its own session in
_connecting: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar(
    "aigov_websocket_client_connecting", default=None
)
_sessions: weakref.WeakKeyDictionary[Any, SocketSession] = weakref.WeakKeyDictionary()
_ready: weakref.WeakKeyDictionary[Any, deque[tuple[int, Any]]] = weakref.WeakKeyDictionary()


def _open(url: str) -> SocketSession | None:
    pipeline = deciding_pipeline()
    if pipeline is None:
        return None
    return pipeline.begin_socket(OutboundRequest(LIBRARY, "GET", str(url), None, None))


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern websocket-client's `WebSocket` (and with it `create_connection` and `WebSocketApp`)."""
    core = module._core
    abnf = module.ABNF

    def wrap_connect(original: Any) -> Any:
        def connect(self: Any, url: str, **options: Any) -> Any:
            session = _open(url)
            if session is None and deciding_pipeline() is None:
                return original(self, url, **options)
            holder: list[Any] = [url, session]
            token = _connecting.set(holder)
            try:
                result = original(self, url, **options)
            except BaseException as exc:
                if holder[1] is not None:
                    holder[1].end(type(exc).__name__)
                raise
            finally:
                _connecting.reset(token)
            decided: SocketSession | None = holder[1]
            if decided is not None:
                _sessions[self] = decided
                _ready[self] = deque()
                weakref.finalize(self, decided.end, "dropped unclosed")
            return result

        return connect

    def wrap_handshake(original: Any) -> Any:
        def handshake(sock: Any, url: str, *args: Any, **options: Any) -> Any:
            holder = _connecting.get()
            if holder is not None and holder[0] != url:  # a redirect: its target is decided before it is asked
                if holder[1] is not None:
                    holder[1].end("redirected")
                holder[0], holder[1] = url, _open(url)
            elif holder is None:  # a handshake made by hand, outside WebSocket.connect: not governed after it
                pipeline = deciding_pipeline()
                if pipeline is not None:
                    pipeline.refuse_ungoverned_socket(OutboundRequest(LIBRARY, "GET", url, None, None))
            return original(sock, url, *args, **options)

        return handshake

    def wrap_send_frame(original: Any) -> Any:
        def send_frame(self: Any, frame: Any) -> Any:
            session = _sessions.get(self)
            if session is None or frame.opcode not in (abnf.OPCODE_TEXT, abnf.OPCODE_BINARY, abnf.OPCODE_CONT):
                return original(self, frame)
            try:
                if frame.opcode == abnf.OPCODE_TEXT and frame.fin:
                    data = frame.data
                    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else str(data)
                    sent = session.outgoing(text)
                    if sent != text:
                        frame = abnf.create_frame(sent, abnf.OPCODE_TEXT)
                else:  # binary, or one fragment of a message: not readable whole
                    session.outgoing_binary()
            except BaseException:
                if session.closing:
                    self.close()
                raise
            return original(self, frame)

        return send_frame

    def wrap_recv_data_frame(original: Any) -> Any:
        def recv_data_frame(self: Any, control_frame: bool = False) -> Any:
            session = _sessions.get(self)
            if session is None:
                return original(self, control_frame)
            ready = _ready[self]
            while not ready:
                try:
                    opcode, frame = original(self, control_frame)
                except BaseException as exc:
                    session.end(type(exc).__name__)
                    raise
                try:
                    if opcode == abnf.OPCODE_TEXT and frame.fin:
                        data = frame.data
                        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else str(data)
                        for message in session.incoming(text):
                            released = copy.copy(frame)
                            released.data = message.encode("utf-8")
                            ready.append((opcode, released))
                        continue
                    if opcode in (abnf.OPCODE_TEXT, abnf.OPCODE_BINARY, abnf.OPCODE_CONT):
                        if not session.incoming_binary():
                            continue
                    elif opcode == abnf.OPCODE_CLOSE:
                        session.end()
                except BaseException:
                    self.close()  # a refusal mid-session ends it: nothing more reaches the caller
                    raise
                ready.append((opcode, frame))
            return ready.popleft()

        return recv_data_frame

    def wrap_close(original: Any) -> Any:
        def close(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return original(self, *args, **kwargs)
            finally:
                if (session := _sessions.get(self)) is not None:
                    session.end()

        return close

    patches.replace(core.WebSocket, "connect", wrap_connect)
    patches.replace(core, "handshake", wrap_handshake)
    patches.replace(core.WebSocket, "send_frame", wrap_send_frame)
    patches.replace(core.WebSocket, "recv_data_frame", wrap_recv_data_frame)
    patches.replace(core.WebSocket, "close", wrap_close)
    patches.replace(module._app.WebSocketApp, "run_forever", shield)


def guard(patches: PatchSet, module: ModuleType) -> None:
    """When the layer cannot be installed: `WebSocket.connect` refuses AI endpoints (rule intercept.unavailable)."""

    def make(original: Any) -> Any:
        def connect(self: Any, url: str, **options: Any) -> Any:
            pipeline = deciding_pipeline()
            if pipeline is not None:
                pipeline.refuse_unintercepted(OutboundRequest(LIBRARY, "GET", str(url), None, None))
            return original(self, url, **options)

        return connect

    patches.replace(module.WebSocket, "connect", make)
