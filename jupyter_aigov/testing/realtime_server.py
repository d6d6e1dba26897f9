"""A stand-in Realtime provider: a real websocket server on 127.0.0.1 speaking OpenAI's Realtime events.

    with RealtimeStandIn() as server:
        client = openai.OpenAI(base_url=server.openai_base_url, api_key="x")
        with client.realtime.connect(model="gpt-realtime") as connection:
            connection.conversation.item.create(item={...})
            connection.response.create()
            for event in connection: ...
        assert server.received[-1]["type"] == "response.create"

It sends `session.created` on connect; answers `session.update` (`session.updated`), `conversation.item.create`
(`conversation.item.added` / `.done`) and `response.create`: the text "You said: <the last user text>" as
`response.output_text.delta` events, or a scripted function call (`response.output_item.added`,
`response.function_call_arguments.delta` / `.done`, `response.output_item.done`), then `response.done` with
usage. At a Live API path (`...BidiGenerateContent`) it speaks Google's Live messages instead: `setupComplete`,
then `serverContent` for each `clientContent`, or a scripted `toolCall`.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from types import TracebackType
from typing import Any, Self

from websockets.sync.server import Server, ServerConnection, serve

TOKENS_IN, TOKENS_OUT = 12, 7


class RealtimeStandIn:
    """Serves Realtime (and Live) websockets on 127.0.0.1 from a background thread, recording what it receives."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.handshakes: list[str] = []  # the path and query of every handshake that reached it
        self.received: list[Any] = []  # every message received: events parsed from JSON, binary as bytes
        self._tool_calls: deque[tuple[str, str]] = deque()  # (name, arguments JSON) for the next responses
        self._ids = itertools.count(1)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> Self:
        if self._server is None:
            self._server = serve(self._serve, "127.0.0.1", 0, compression=None)
            self._thread = threading.Thread(target=self._server.serve_forever, name="stand-in-realtime", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def clear(self) -> None:
        with self._lock:
            self.handshakes.clear()
            self.received.clear()
            self._tool_calls.clear()

    # -- addresses ------------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "start() it first"
        return int(self._server.socket.getsockname()[1])

    @property
    def openai_base_url(self) -> str:
        """For `openai.OpenAI(base_url=...)`: the SDK connects to its `/realtime`, as ws://."""
        return f"http://127.0.0.1:{self.port}/v1"

    def realtime_url(self, model: str) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/realtime?model={model}"

    @property
    def live_url(self) -> str:
        return (
            f"ws://127.0.0.1:{self.port}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
        )

    def script_tool_call(self, name: str, arguments: dict[str, Any]) -> None:
        """The next response is a call of this function (Realtime) or a toolCall (Live)."""
        self._tool_calls.append((name, json.dumps(arguments)))

    # -- serving --------------------------------------------------------------------------------------------
    def _serve(self, connection: ServerConnection) -> None:
        request = connection.request
        path = request.path if request is not None else ""
        with self._lock:
            self.handshakes.append(path)
        live = "BidiGenerateContent" in path
        if not live:
            model = dict(_query(path)).get("model", "gpt-realtime")
            self._send(
                connection, "session.created", session={"id": self._id("sess"), "type": "realtime", "model": model}
            )
        last_text = ""
        for message in connection:
            if isinstance(message, bytes):
                with self._lock:
                    self.received.append(message)
                continue
            try:
                event = json.loads(message)
            except ValueError:  # not an event: recorded as it came, and answered with an error event
                with self._lock:
                    self.received.append(message)
                self._send(connection, "error", error={"type": "invalid_request_error", "message": "not JSON"})
                continue
            with self._lock:
                self.received.append(event)
            if live:
                last_text = self._live(connection, event, last_text)
            else:
                last_text = self._realtime(connection, event, last_text)

    def _realtime(self, connection: ServerConnection, event: dict[str, Any], last_text: str) -> str:
        kind = event.get("type")
        if kind == "session.update":
            self._send(connection, "session.updated", session=event.get("session", {}))
        elif kind == "conversation.item.create":
            item = {"id": self._id("item"), **event.get("item", {}), "status": "completed"}
            self._send(connection, "conversation.item.added", previous_item_id=None, item=item)
            self._send(connection, "conversation.item.done", previous_item_id=None, item=item)
            texts = [part.get("text", "") for part in item.get("content", []) if part.get("type") == "input_text"]
            return " ".join(texts) or last_text
        elif kind == "response.create":
            self._respond(connection, last_text)
        return last_text

    def _respond(self, connection: ServerConnection, last_text: str) -> None:
        response_id = self._id("resp")
        self._send(connection, "response.created", response={"id": response_id, "status": "in_progress", "output": []})
        at: dict[str, Any] = {"response_id": response_id, "output_index": 0}
        item: dict[str, Any]
        if self._tool_calls:
            name, arguments = self._tool_calls.popleft()
            item = {"id": self._id("item"), "type": "function_call", "status": "in_progress", "name": name}
            item |= {"call_id": self._id("call"), "arguments": ""}
            self._send(connection, "response.output_item.added", **at, item=item)
            ids = {"item_id": item["id"], "call_id": item["call_id"]}
            half = len(arguments) // 2
            for piece in (arguments[:half], arguments[half:]):
                self._send(connection, "response.function_call_arguments.delta", **at, **ids, delta=piece)
            self._send(connection, "response.function_call_arguments.done", **at, **ids, arguments=arguments)
            item = {**item, "status": "completed", "arguments": arguments}
            self._send(connection, "response.output_item.done", **at, item=item)
        else:
            text = f"You said: {last_text}"
            item = {"id": self._id("item"), "type": "message", "role": "assistant", "status": "in_progress"}
            self._send(connection, "response.output_item.added", **at, item={**item, "content": []})
            part = {**at, "item_id": item["id"], "content_index": 0}
            for start in range(0, len(text), 8):
                self._send(connection, "response.output_text.delta", **part, delta=text[start : start + 8])
            self._send(connection, "response.output_text.done", **part, text=text)
            item = {**item, "status": "completed", "content": [{"type": "output_text", "text": text}]}
            self._send(connection, "response.output_item.done", **at, item=item)
        usage = {"total_tokens": TOKENS_IN + TOKENS_OUT, "input_tokens": TOKENS_IN, "output_tokens": TOKENS_OUT}
        response = {"id": response_id, "status": "completed", "output": [item], "usage": usage}
        self._send(connection, "response.done", response=response)

    def _live(self, connection: ServerConnection, event: dict[str, Any], last_text: str) -> str:
        if "setup" in event:
            connection.send(json.dumps({"setupComplete": {}}))
        elif "clientContent" in event:
            turns = event["clientContent"].get("turns", [])
            texts = [p.get("text", "") for turn in turns for p in turn.get("parts", []) if isinstance(p, dict)]
            last_text = " ".join(texts) or last_text
            if self._tool_calls:
                name, arguments = self._tool_calls.popleft()
                call = {"id": self._id("call"), "name": name, "args": json.loads(arguments)}
                connection.send(json.dumps({"toolCall": {"functionCalls": [call]}}))
            else:
                parts = [{"text": f"You said: {last_text}"}]
                content = {"modelTurn": {"role": "model", "parts": parts}, "turnComplete": True}
                usage = {"promptTokenCount": TOKENS_IN, "responseTokenCount": TOKENS_OUT}
                connection.send(json.dumps({"serverContent": content, "usageMetadata": usage}))
        return last_text

    def _send(self, connection: ServerConnection, kind: str, **fields: Any) -> None:
        connection.send(json.dumps({"type": kind, "event_id": self._id("event"), **fields}))

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids)}"


def _query(path: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl, urlsplit

    return parse_qsl(urlsplit(path).query)
