"""Lines of a byte stream, whatever the chunk boundaries: split at CR, LF or CRLF, terminators kept."""

from __future__ import annotations

import re

_EOL = re.compile(rb"\r\n|\r|\n")


def line_end(line: bytes) -> bytes:
    """The terminator of a line (b"" when it has none)."""
    return line[len(line.rstrip(b"\r\n")) :]


def is_blank(line: bytes) -> bool:
    """Whether a line is only its terminator (the end of an SSE event)."""
    return line in (b"\n", b"\r\n", b"\r")


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
        if not self._buf:  # the common case, a chunk that starts a line: split it as it is
            split = chunk.splitlines(keepends=True)
            if split and not split[-1].endswith(b"\n"):  # unfinished, or a CR that may begin a CRLF
                self._buf += split.pop()
                self._scanned = max(len(self._buf) - 1, 0)
            return split
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

    def take_partial(self) -> bytes:
        """The start of the unfinished line, taken out; a last CR stays, as it may begin a CRLF."""
        keep = 1 if self._buf.endswith(b"\r") else 0
        taken = bytes(self._buf[: len(self._buf) - keep])
        del self._buf[: len(taken)]
        self._scanned = 0
        return taken

    def rest(self) -> bytes:
        rest, self._buf, self._scanned = bytes(self._buf), bytearray(), 0
        return rest
