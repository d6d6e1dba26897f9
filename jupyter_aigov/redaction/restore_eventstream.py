"""Restoring values in Bedrock's binary event stream (application/vnd.amazon.eventstream).

Each message is decoded, its JSON payload restored like an SSE event (for invoke-with-response-stream the
payload wraps a base64 Anthropic event), and re-framed with its own headers and fresh CRC32s.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

from jupyter_aigov.redaction.placeholders import PlaceholderVault
from jupyter_aigov.redaction.restore_deltas import DeltaJoiner

_PRELUDE = struct.Struct(">III")
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def frame(raw_headers: bytes, payload: bytes) -> bytes:
    """One event-stream message: prelude, its CRC32, headers, payload, message CRC32."""
    prelude = struct.pack(">II", 12 + len(raw_headers) + len(payload) + 4, len(raw_headers))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + raw_headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


def _event_type(raw_headers: bytes) -> str | None:
    """The `:event-type` header's string value, if the message has one."""
    at = 0
    while at < len(raw_headers):
        name_len = raw_headers[at]
        name = raw_headers[at + 1 : at + 1 + name_len]
        at += 1 + name_len
        kind = raw_headers[at]
        at += 1
        if kind not in (6, 7):
            return None  # a typed header we do not need: the event type comes first in Bedrock's streams
        (length,) = struct.unpack_from(">H", raw_headers, at)
        value = raw_headers[at + 2 : at + 2 + length]
        at += 2 + length
        if name == b":event-type":
            return value.decode("utf-8", "replace")
    return None


class EventStreamRestorer:
    """feed() the stream's bytes as they come; get back whole, restored messages (and close() at the end)."""

    unsupported = False

    def __init__(self, vault: PlaceholderVault) -> None:
        self._joiner = DeltaJoiner(vault)
        self._buffer = bytearray()
        self._passing = False
        self.problem: str | None = None

    def feed(self, chunk: bytes) -> bytes:
        if self._passing:
            return chunk
        self._buffer += chunk
        out = bytearray()
        while len(self._buffer) >= _PRELUDE.size:
            total, headers_len, _ = _PRELUDE.unpack_from(self._buffer)
            if total > MAX_MESSAGE_BYTES or total < 16 + headers_len:
                return self._give_up("a message is larger than restoring handles", out)
            if len(self._buffer) < total:
                break
            message = bytes(self._buffer[:total])
            del self._buffer[:total]
            out += self._message(message, headers_len)
        return bytes(out)

    def close(self) -> bytes:
        rest = bytes(self._buffer)
        self._buffer.clear()
        return self._releases(self._joiner.release_all()) + rest

    def _give_up(self, problem: str, out: bytearray) -> bytes:
        self.problem, self._passing = problem, True
        rest = bytes(self._buffer)
        self._buffer.clear()
        return bytes(out) + rest

    def _message(self, message: bytes, headers_len: int) -> bytes:
        raw_headers = message[12 : 12 + headers_len]
        payload = message[12 + headers_len : -4]
        if self._joiner.idle(payload) and b"bytes" not in payload[:16]:
            return message
        try:
            body = json.loads(payload)
        except ValueError:
            return message
        if not isinstance(body, dict):
            return message
        wrapped = isinstance(body.get("bytes"), str)
        try:
            event = json.loads(base64.b64decode(body["bytes"])) if wrapped else body
        except ValueError:
            return message
        if not isinstance(event, dict):
            return message
        typed = "type" not in event
        if typed:  # Bedrock names a converse-stream event in a header; the joiner reads it from the event
            event = {"type": _event_type(raw_headers), **event}
        releases, restored = self._joiner.event(event, (raw_headers, body, wrapped, typed))
        if restored is event:
            return self._releases(releases) + message
        return self._releases(releases) + self._encode(restored, raw_headers, body, wrapped, typed)

    def _encode(self, event: Any, raw_headers: bytes, body: dict[str, Any], wrapped: bool, typed: bool) -> bytes:
        if typed and isinstance(event, dict):
            event = {k: v for k, v in event.items() if k != "type"}
        if wrapped:
            inner = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            event = {**body, "bytes": base64.b64encode(inner).decode("ascii")}
        return frame(raw_headers, json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def _releases(self, releases: list[tuple[Any, Any]]) -> bytes:
        """Held text, each in a message framed like the one it came from."""
        out = b""
        for event, (raw_headers, body, wrapped, typed) in releases:
            out += self._encode(event, raw_headers, body, wrapped, typed)
        return out
