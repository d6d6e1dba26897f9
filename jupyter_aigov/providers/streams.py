"""Read the usage of a response as its bytes pass by: SSE, NDJSON, AWS event stream, or one JSON body."""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Mapping
from typing import Any, Protocol

from jupyter_aigov.providers.base import AIRequest, Usage, header_value
from jupyter_aigov.providers.catalogue import wire_format

# Bounds that keep a tap's memory small on long streams, yet above any real single event or body.
MAX_EVENT_BYTES = 32 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024

_EOL = re.compile(rb"\r\n|\r|\n")
_PRELUDE = struct.Struct(">III")


class _Decoder(Protocol):
    problem: str | None  # why some of the stream could not be read, when it could not

    def feed(self, chunk: bytes) -> list[Any]: ...
    def close(self) -> list[Any]: ...


class _Lines:
    """Splits a byte stream into lines at CR, LF or CRLF, whatever the chunk boundaries."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already searched for a line end, so 1-byte feeds stay linear
        self._dropping = False  # inside a line too long to keep: drop it up to its end
        self.dropped = False

    def feed(self, chunk: bytes) -> list[bytes | None]:
        """Complete lines; None stands for a line dropped for its length."""
        self._buf += chunk
        lines: list[bytes | None] = []
        start = 0
        while (match := _EOL.search(self._buf, max(start, self._scanned))) is not None:
            if match.group() == b"\r" and match.end() == len(self._buf):
                break  # a CR at the end may be the first half of a CRLF
            lines.append(None if self._dropping else bytes(self._buf[start : match.start()]))
            self._dropping = False
            start = match.end()
        del self._buf[:start]
        self._scanned = max(len(self._buf) - 1, 0)
        if len(self._buf) > MAX_EVENT_BYTES:
            self._buf.clear()
            self._scanned = 0
            self._dropping = self.dropped = True
        return lines

    def close(self) -> list[bytes | None]:
        """The last line, when the stream did not end with a line break."""
        rest = None if self._dropping else bytes(self._buf).rstrip(b"\r")
        self._buf.clear()
        return [rest] if rest else []


class SSEDecoder:
    """text/event-stream: each event's `data:` lines joined, parsed as JSON ("[DONE]" skipped)."""

    def __init__(self) -> None:
        self._lines = _Lines()
        self._data: list[bytes] = []
        self._size = 0
        self._broken = False
        self.problem: str | None = None

    def feed(self, chunk: bytes) -> list[Any]:
        return [e for line in self._lines.feed(chunk) for e in self._line(line)]

    def close(self) -> list[Any]:
        return [e for line in [*self._lines.close(), b""] for e in self._line(line)]

    def _line(self, line: bytes | None) -> list[Any]:
        if line is None:
            self._broken = True
            self.problem = f"an event over {MAX_EVENT_BYTES} bytes was skipped"
            return []
        if not line:
            data, broken = b"\n".join(self._data), self._broken
            self._data, self._size, self._broken = [], 0, False
            return [] if broken or not data or data.strip() == b"[DONE]" else _json(data)
        field, _, value = line.partition(b":")
        if field == b"data":
            value = value[1:] if value.startswith(b" ") else value
            self._size += len(value)
            if self._size > MAX_EVENT_BYTES:
                self._broken = True
                self.problem = f"an event over {MAX_EVENT_BYTES} bytes was skipped"
            else:
                self._data.append(value)
        return []


class NDJSONDecoder:
    """application/x-ndjson (Ollama): one JSON value per line."""

    def __init__(self) -> None:
        self._lines = _Lines()
        self.problem: str | None = None

    def feed(self, chunk: bytes) -> list[Any]:
        events = [e for line in self._lines.feed(chunk) if line and line.strip() for e in _json(line)]
        if self._lines.dropped:
            self.problem = f"a line over {MAX_EVENT_BYTES} bytes was skipped"
        return events

    def close(self) -> list[Any]:
        return [e for line in self._lines.close() if line and line.strip() for e in _json(line)]


class EventStreamDecoder:
    """application/vnd.amazon.eventstream: binary messages, each checked by its prelude and message CRC32.

    Message layout: total length, headers length, prelude CRC (3 big-endian uint32), headers, payload,
    message CRC. The payloads of `event` messages are yielded as JSON; a CRC mismatch stops decoding.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self.problem: str | None = None

    def feed(self, chunk: bytes) -> list[Any]:
        if self.problem is not None:
            return []
        self._buf += chunk
        events: list[Any] = []
        while len(self._buf) >= _PRELUDE.size:
            total, headers_len, prelude_crc = _PRELUDE.unpack_from(self._buf)
            if zlib.crc32(self._buf[:8]) != prelude_crc or total > MAX_EVENT_BYTES or total < 16 + headers_len:
                self._fail("a message prelude failed its CRC32 or length check")
                break
            if len(self._buf) < total:
                break
            message = bytes(self._buf[:total])
            del self._buf[:total]
            if zlib.crc32(message[:-4]) != struct.unpack(">I", message[-4:])[0]:
                self._fail("a message failed its CRC32 check")
                break
            headers = _event_headers(message[12 : 12 + headers_len])
            if headers.get(":message-type", "event") == "event":
                events += _json(message[12 + headers_len : -4])
        return events

    def close(self) -> list[Any]:
        self._buf.clear()
        return []

    def _fail(self, problem: str) -> None:
        self.problem = f"event stream unreadable from here on: {problem}"
        self._buf.clear()


# Sizes of the fixed-width header value types; 6 (bytes) and 7 (string) carry a uint16 length instead.
_HEADER_WIDTHS = {0: 0, 1: 0, 2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}


def _event_headers(raw: bytes) -> dict[str, str]:
    """The string-valued headers of one event-stream message (":message-type", ":event-type", ...)."""
    headers: dict[str, str] = {}
    pos = 0
    while pos < len(raw):
        name_len = raw[pos]
        name = raw[pos + 1 : pos + 1 + name_len].decode("utf-8", "replace")
        kind = raw[pos + 1 + name_len]
        pos += 2 + name_len
        if kind in (6, 7):
            (size,) = struct.unpack_from(">H", raw, pos)
            if kind == 7:
                headers[name] = raw[pos + 2 : pos + 2 + size].decode("utf-8", "replace")
            pos += 2 + size
        else:
            pos += _HEADER_WIDTHS.get(kind, len(raw))
    return headers


class JSONBodyDecoder:
    """A plain (non-streaming) response: buffered up to a bound, parsed at close."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.problem: str | None = None

    def feed(self, chunk: bytes) -> list[Any]:
        if self.problem is None:
            self._buf += chunk
            if len(self._buf) > MAX_BODY_BYTES:
                self.problem = f"the body is over {MAX_BODY_BYTES} bytes: not read"
                self._buf.clear()
        return []

    def close(self) -> list[Any]:
        body, self._buf = bytes(self._buf), bytearray()
        return _json(body) if body.strip() else []


def _json(data: bytes) -> list[Any]:
    """[the parsed JSON] or [] when it is not JSON (a keep-alive, an HTML error page...)."""
    try:
        return [json.loads(data)]
    except ValueError:
        return []


def decoder_for(content_type: str, api: str) -> _Decoder:
    """The decoder for a response's content type (Ollama streams NDJSON whatever it says)."""
    content_type = content_type.lower()
    if "text/event-stream" in content_type:
        return SSEDecoder()
    if "vnd.amazon.eventstream" in content_type:
        return EventStreamDecoder()
    if "ndjson" in content_type or "jsonl" in content_type or (api == "ollama" and "json" not in content_type):
        return NDJSONDecoder()
    return JSONBodyDecoder()


class StreamTap:
    """Reads the usage of one AI response from its bytes as they pass: feed() any chunks, then close().

    >>> tap = StreamTap("ollama", "chat", "application/x-ndjson")
    >>> tap.feed(b'{"done": false}\\n{"done": true, "prompt_eval_')
    >>> tap.feed(b'count": 5, "eval_count": 7}\\n')
    >>> tap.close()
    Usage(input_tokens=5, output_tokens=7)
    """

    def __init__(
        self,
        api: str,
        operation: str,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.api = api
        self.operation = operation
        self._wire = wire_format(api)
        # kept as given (copying a client's header object costs more than the rest of the tap)
        self._headers: Mapping[str, str] = headers if headers is not None else {}
        if content_type is None:
            content_type = header_value(self._headers, "content-type")
        self._decoder = decoder_for(content_type, api)
        # Bytes may arrive still compressed when the tap sits below the client's decoding: sniffed.
        self._encoding = header_value(self._headers, "content-encoding").lower()
        self._inflate: Any = None
        # The first bytes, held until there are enough to tell compressed from plain.
        self._head: bytes | None = b"" if self._encoding in ("gzip", "deflate") else None
        self.usage = Usage()
        self.error: str | None = None  # why usage could not be read, when it could not

    @classmethod
    def for_request(cls, request: AIRequest, headers: Mapping[str, str] | None = None) -> StreamTap:
        """A tap for the response to a recognised request, its decoder chosen by the response headers."""
        return cls(request.api, request.operation, headers=headers)

    def feed(self, chunk: bytes) -> None:
        """Take the next bytes of the response; never raises: usage is best effort."""
        if self.error is not None or not chunk:
            return
        try:
            if self._head is not None:
                self._head += chunk
                if len(self._head) < 2:
                    return
                chunk, self._head = self._head, None
                self._start_inflate(chunk)
            if self._inflate is not None:
                chunk = self._inflate.decompress(chunk)
            self._fold(self._decoder.feed(chunk))
        except Exception as exc:  # a usage-reading bug must not break the notebook's stream
            self.error = type(exc).__name__  # recorded: a message may quote the answer

    def close(self) -> Usage:
        """The usage read from the whole response, with counts from the headers filling any gap."""
        if self.error is None:
            try:
                if self._head:
                    self._fold(self._decoder.feed(self._head))
                if self._inflate is not None:
                    self._fold(self._decoder.feed(self._inflate.flush()))
                events = self._decoder.close()
                if isinstance(self._decoder, JSONBodyDecoder):
                    for body in events:
                        self.usage = self.usage.updated_by(self._wire.usage_from_json(self.operation, body))
                else:
                    self._fold(events)
            except Exception as exc:  # same reasons as in feed()
                self.error = type(exc).__name__
        self.error = self.error or self._decoder.problem
        return self._wire.usage_from_headers(self.operation, self._headers).updated_by(self.usage)

    def _start_inflate(self, chunk: bytes) -> None:
        if self._encoding == "gzip" and chunk[:2] == b"\x1f\x8b":
            self._inflate = zlib.decompressobj(wbits=31)
        elif self._encoding == "deflate" and chunk[0] & 0x0F == 8 and int.from_bytes(chunk[:2]) % 31 == 0:
            self._inflate = zlib.decompressobj()  # a zlib header: CM=8 and a check value divisible by 31

    def _fold(self, events: list[Any]) -> None:
        for event in events:
            self.usage = self._wire.usage_from_event(self.operation, event, self.usage)
