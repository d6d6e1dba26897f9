"""The stand-in AI provider's server: real HTTP/1.1 on 127.0.0.1, speaking each provider's wire format.

    with StandInProvider() as provider:
        client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=0)
        provider.script(Reply(text="Sunny."))
        client.chat.completions.create(model="gpt-4o-mini", messages=[...])
        assert provider.received[-1].json["model"] == "gpt-4o-mini"

Run `python -m jupyter_aigov.testing.provider --port 8765` to serve one until interrupted.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from jupyter_aigov.testing import (
    anthropic_format,
    bedrock_format,
    gemini_format,
    ollama_format,
    openai_format,
)
from jupyter_aigov.testing.exchange import DEFAULT_REPLY_TEXT, Answer, Call, Route, json_answer
from jupyter_aigov.testing.script import ReceivedRequest, Reply

ROUTES: tuple[Route, ...] = (
    *openai_format.ROUTES,
    *anthropic_format.ROUTES,
    *gemini_format.ROUTES,
    *bedrock_format.ROUTES,
    *ollama_format.ROUTES,
)


class StandInProvider:
    """Serves every wire format on 127.0.0.1 from a background thread, recording what it receives."""

    def __init__(self, port: int = 0, reply_text: str = DEFAULT_REPLY_TEXT) -> None:
        # {provider} and {prompt} (the last user message's first 40 characters) are filled in.
        self.reply_text = reply_text
        self._port = port
        self._lock = threading.Lock()
        self._received: list[ReceivedRequest] = []
        self._scripted: deque[Reply] = deque()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind an ephemeral port (unless one was given) and serve in a daemon thread."""
        if self._server is None:
            self._server = _Server(("127.0.0.1", self._port), self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                args=(0.1,),  # how long stop() may wait for the loop to notice
                name="stand-in-provider",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections, so pooled clients cannot reach it any more."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.drop_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT."""
        if self._server is None:
            raise RuntimeError("The stand-in provider is not running: call start() or use it in a `with` block.")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def openai_base_url(self) -> str:
        """For OpenAI(base_url=...) and Mistral-style clients."""
        return f"{self.url}/v1"

    @property
    def azure_endpoint(self) -> str:
        """For AzureOpenAI(azure_endpoint=..., api_version=...)."""
        return self.url

    @property
    def anthropic_base_url(self) -> str:
        """For Anthropic(base_url=...)."""
        return self.url

    @property
    def gemini_base_url(self) -> str:
        """For genai.Client(http_options=HttpOptions(base_url=...)); the SDK adds /v1 (or api_version)."""
        return self.url

    @property
    def bedrock_endpoint_url(self) -> str:
        """For boto3.client("bedrock-runtime", endpoint_url=...)."""
        return self.url

    @property
    def ollama_base_url(self) -> str:
        """Where Ollama's /api/chat, /api/generate and /api/embed are served."""
        return self.url

    @property
    def received(self) -> list[ReceivedRequest]:
        """A copy of every request received so far, oldest first."""
        with self._lock:
            return list(self._received)

    def clear(self) -> None:
        """Forget received requests and any scripted replies not yet used."""
        with self._lock:
            self._received.clear()
            self._scripted.clear()

    def script(self, *replies: Reply) -> None:
        """Answer the next requests to served paths with these replies, in order."""
        with self._lock:
            self._scripted.extend(replies)

    @property
    def pending(self) -> int:
        """How many scripted replies are still waiting for a request."""
        with self._lock:
            return len(self._scripted)

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._received.append(request)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._scripted.popleft() if self._scripted else Reply()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], provider: StandInProvider) -> None:
        self.provider = provider
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client hangs up or an idle keep-alive connection times out; report the rest."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        """Shut every open keep-alive connection, waking the threads blocked reading from them."""
        with self.connections_lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so pooled SDK clients reuse connections
    server_version = "StandInProvider/1.0"
    timeout = 60  # an idle keep-alive connection is dropped after this
    disable_nagle_algorithm = True  # else a small answer waits ~40 ms on the client's delayed ACK
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `received` instead of the log."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return body
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _serve(self) -> None:
        provider = self.server.provider
        parts = urlsplit(self.path)
        body = self._read_body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        provider._record(ReceivedRequest(self.command, parts.path, query, headers, body, parsed))
        found = find_route(self.command, parts.path)
        if found is None:
            self._send(_not_found(self.command, parts.path), Reply())
            return
        route, params = found
        reply = provider._next_reply()
        if reply.body is not None:
            answer = Answer(status=reply.status, content_type=reply.content_type, body=reply.body)
        elif reply.status >= 400:
            answer = route.error(reply.status, reply.error_message)
        else:
            call = Call(route.label, params, query, parsed, len(body), reply, provider.reply_text)
            try:
                answer = route.handle(call)
            except Exception as error:
                # A request the stand-in cannot read still gets an answer the client can show.
                traceback.print_exc()
                answer = route.error(500, f"The stand-in provider failed on this request: {error!r}")
        self._send(answer, reply)

    def _send(self, answer: Answer, reply: Reply) -> None:
        time.sleep(reply.delay)
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        try:
            if answer.events is None:
                self._send_body(answer.body, reply.cut_off)
            else:
                self._send_events(answer.events, reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away mid-answer

    def _send_body(self, body: bytes, cut_off: bool) -> None:
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if cut_off else body)
        self.close_connection = self.close_connection or cut_off

    def _send_events(self, events: Sequence[bytes], reply: Reply) -> None:
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()
        # A cut-off stream ends before its final event and without the closing zero-length chunk.
        shown = events[: max(1, len(events) // 2)] if reply.cut_off else events
        for event in shown:
            time.sleep(reply.chunk_delay)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        if reply.cut_off:
            self.close_connection = True
        else:
            self.wfile.write(b"0\r\n\r\n")


def find_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route serving a request and its path parameters, or None."""
    for route in ROUTES:
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None


def _not_found(method: str, path: str) -> Answer:
    served = [f"{route.method} {route.path}" for route in ROUTES]
    message = f"The stand-in provider does not serve {method} {path}. It serves: {', '.join(served)}."
    return json_answer({"error": {"message": message, "type": "not_found", "served": served}}, 404)
