"""Framing of streamed answers as their bytes arrive in chunks of any size: lines, and SSE fields."""

from __future__ import annotations

import re

_EOL = re.compile(rb"\r\n|\r|\n")


def line_end(line: bytes) -> bytes:
    """The terminator of a line (b"" when it has none)."""
    return line[len(line.rstrip(b"\r\n")) :]


def sse_field(line: bytes) -> tuple[bytes, bytes]:
    """An SSE line's field name and value (one leading space dropped from the value)."""
    name, _, value = line.rstrip(b"\r\n").partition(b":")
    return name, value[1:] if value.startswith(b" ") else value


class LineBuffer:
    """Splits bytes into complete lines, terminators kept, whatever the chunk boundaries."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._scanned = 0  # bytes already searched for a line end, so 1-byte feeds stay linear

    def __len__(self) -> int:
        return len(self._buf)

    def feed(self, chunk: bytes) -> list[bytes]:
        self._buf += chunk
        lines: list[bytes] = []
        start = 0
        while (match := _EOL.search(self._buf, max(start, self._scanned))) is not None:
            if match.group() == b"\r" and match.end() == len(self._buf):
                break  # a CR at the end may be the first half of a CRLF
            lines.append(bytes(self._buf[start : match.end()]))
            start = match.end()
        del self._buf[:start]
        self._scanned = max(len(self._buf) - 1, 0)
        return lines

    def rest(self) -> bytes:
        rest, self._buf, self._scanned = bytes(self._buf), bytearray(), 0
        return rest
