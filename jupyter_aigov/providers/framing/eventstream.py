"""application/vnd.amazon.eventstream (Bedrock): binary messages, each checked by its prelude and message CRC32.

A message (integers big-endian): total length (uint32), headers length (uint32), CRC32 of those 8 bytes,
headers, payload, CRC32 of everything before it. A header: name length (uint8), name, value type (uint8),
then the value: none for true (0) and false (1); 1, 2, 4, 8 bytes for byte, short, int, long (2-5);
a uint16 length and bytes (6) or UTF-8 (7); 8 bytes of timestamp (8); 16 of UUID (9).

A bad CRC or an impossible length is a framing error: nothing after it can be trusted to be a message.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from jupyter_aigov.providers.framing import frame as limits
from jupyter_aigov.providers.framing.frame import Frame, Unframed

_PRELUDE = struct.Struct(">III")
_CRC = struct.Struct(">I")
_LENGTHS = struct.Struct(">II")
_INTEGER_WIDTHS = {2: 1, 3: 2, 4: 4, 5: 8, 8: 8}


class EventStreamMessage(Frame):
    """One message whose CRCs were checked: its headers (name -> value) and its payload as `data`."""

    __slots__ = ("headers", "headers_length")

    def __init__(self, raw: bytes, headers_length: int, headers: dict[str, Any]) -> None:
        super().__init__(raw)
        self.headers_length = headers_length
        self.headers = headers

    @property
    def data(self) -> bytes:
        return self.raw[12 + self.headers_length : -4]

    @property
    def raw_headers(self) -> bytes:
        return self.raw[12 : 12 + self.headers_length]

    @property
    def message_type(self) -> str:
        """`:message-type`: "event" (the default), "exception" or "error"."""
        kind = self.headers.get(":message-type", "event")
        return kind if isinstance(kind, str) else ""

    @property
    def event_type(self) -> str | None:
        """`:event-type` ("chunk", "contentBlockDelta", "metadata"...), when the message names one."""
        kind = self.headers.get(":event-type")
        return kind if isinstance(kind, str) else None

    def with_data(self, data: bytes) -> EventStreamMessage:
        """The message with a new payload, its headers kept and both CRCs computed afresh."""
        return EventStreamMessage(encode_message(self.raw_headers, data), self.headers_length, self.headers)

    def like(self, data: bytes) -> EventStreamMessage:
        return self.with_data(data)


def encode_message(raw_headers: bytes, payload: bytes) -> bytes:
    """One message: prelude, its CRC32, headers, payload, message CRC32."""
    prelude = _LENGTHS.pack(12 + len(raw_headers) + len(payload) + 4, len(raw_headers))
    message = prelude + _CRC.pack(zlib.crc32(prelude)) + raw_headers + payload
    return message + _CRC.pack(zlib.crc32(message))


def parse_headers(raw: bytes) -> dict[str, Any]:
    """The headers of one message, by name; ValueError when they do not parse."""
    headers: dict[str, Any] = {}
    at = 0
    while at < len(raw):
        name_length = raw[at]
        if at + 2 + name_length > len(raw):
            raise ValueError("a header name runs past the headers")
        name = raw[at + 1 : at + 1 + name_length].decode("utf-8", "replace")
        kind = raw[at + 1 + name_length]
        at += 2 + name_length
        value: Any
        if kind in (0, 1):
            value = kind == 0
        elif kind in (6, 7):
            if at + 2 > len(raw):
                raise ValueError("a header length runs past the headers")
            size = int.from_bytes(raw[at : at + 2], "big")
            value = raw[at + 2 : at + 2 + size]
            at += 2 + size
            if kind == 7:
                value = value.decode("utf-8", "replace")
        elif kind in _INTEGER_WIDTHS:
            width = _INTEGER_WIDTHS[kind]
            value = int.from_bytes(raw[at : at + width], "big", signed=True)
            at += width
        elif kind == 9:
            value = raw[at : at + 16]
            at += 16
        else:
            raise ValueError(f"unknown header value type {kind}")
        if at > len(raw):
            raise ValueError("a header value runs past the headers")
        headers[name] = value
    return headers


class EventStreamFramer:
    """Frames event-stream bytes, cut anywhere, into messages; from a bad CRC on, bytes pass unframed."""

    def __init__(self) -> None:
        self._max = limits.MAX_EVENT_BYTES
        self._buf = bytearray()
        self._broken = False

    def feed(self, chunk: bytes) -> list[Frame]:
        if self._broken:
            return [Unframed(chunk)] if chunk else []
        buf = self._buf
        buf += chunk
        frames: list[Frame] = []
        while len(buf) >= _PRELUDE.size:
            total, headers_length, prelude_crc = _PRELUDE.unpack_from(buf)
            if zlib.crc32(buf[:8]) != prelude_crc or total > self._max or total < 16 + headers_length:
                frames.append(self._fail("a message prelude failed its CRC32 or length check"))
                break
            if len(buf) < total:
                break
            message = bytes(buf[:total])
            if zlib.crc32(memoryview(message)[:-4]) != _CRC.unpack_from(message, total - 4)[0]:
                frames.append(self._fail("a message failed its CRC32 check"))
                break
            try:
                headers = parse_headers(message[12 : 12 + headers_length])
            except ValueError:
                frames.append(self._fail("a message's headers could not be read"))
                break
            del buf[:total]
            frames.append(EventStreamMessage(message, headers_length, headers))
        return frames

    def close(self) -> list[Frame]:
        """A message cut off by the end of the stream, passed on as it came."""
        rest = bytes(self._buf)
        self._buf.clear()
        return [Unframed(rest)] if rest else []

    def _fail(self, problem: str) -> Unframed:
        rest = bytes(self._buf)
        self._buf.clear()
        self._broken = True
        return Unframed(rest, f"event stream unreadable from here on: {problem}")
