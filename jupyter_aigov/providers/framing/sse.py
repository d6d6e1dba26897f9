"""text/event-stream: events of lines (CR, LF or CRLF), ended by a blank line; `data:` lines carry the payload."""

from __future__ import annotations

from jupyter_aigov.providers.framing import frame as limits
from jupyter_aigov.providers.framing.frame import Frame, Unframed
from jupyter_aigov.providers.framing.lines import LineBuffer, is_blank, line_end, sse_field


class SSEEvent(Frame):
    """One event: its lines as they came (the blank line that ends it included, when it came)."""

    __slots__ = ("_data", "lines")

    def __init__(self, lines: list[bytes], complete: bool = True) -> None:
        super().__init__(b"".join(lines), complete)
        self.lines = lines
        self._data: bytes | None = None

    @property
    def data(self) -> bytes:
        """The event's `data:` values joined by LF (b"" when it has none: a comment, a keep-alive)."""
        if self._data is None:
            values = []
            for line in self.lines:
                if line.startswith(b"data"):
                    name, value = sse_field(line)
                    if name == b"data":
                        values.append(value)
            self._data = values[0] if len(values) == 1 else b"\n".join(values)
        return self._data

    def with_data(self, data: bytes) -> SSEEvent:
        """The event with its `data:` lines replaced by `data`, where the first one was; other lines kept."""
        lines = self.lines
        data_at = [i for i, line in enumerate(lines) if sse_field(line)[0] == b"data"]
        if not data_at:  # none to replace: the data goes before the blank line that ends the event
            at = len(lines) - 1 if self.complete and lines else len(lines)
            end = line_end(lines[0]) if lines else b"\n"
            return SSEEvent([*lines[:at], *_data_lines(data, end or b"\n", end or b"\n"), *lines[at:]], self.complete)
        end = line_end(lines[data_at[-1]])
        replaced = _data_lines(data, end or line_end(lines[0]) or b"\n", end)
        rebuilt = [*lines[: data_at[0]], *replaced]
        rebuilt += [line for i, line in enumerate(lines) if i > data_at[0] and i not in data_at]
        return SSEEvent(rebuilt, self.complete)

    def like(self, data: bytes) -> SSEEvent:
        """An event of its own: this one's `event:` lines, then `data`, in this event's line ends."""
        eol = line_end(self.lines[0]) or b"\n"
        named = [line for line in self.lines if sse_field(line)[0] == b"event"]
        return SSEEvent([*named, *_data_lines(data, eol, eol), eol])

    def terminator(self) -> bytes:
        if self.complete:
            return b""
        eol = line_end(self.lines[0]) or b"\n"
        return eol if line_end(self.lines[-1]) else eol + eol


def _data_lines(data: bytes, eol: bytes, last_eol: bytes) -> list[bytes]:
    """`data:` lines carrying `data` (one per line of it)."""
    pieces = data.split(b"\n")
    return [b"data: " + piece + (last_eol if i == len(pieces) - 1 else eol) for i, piece in enumerate(pieces)]


class SSEFramer:
    """Frames SSE bytes, cut anywhere, into SSEEvents; an event over the bound passes unframed to its end."""

    def __init__(self) -> None:
        self._max = limits.MAX_EVENT_BYTES
        self._lines = LineBuffer()
        self._event: list[bytes] = []
        self._size = 0
        self._skipping = False  # inside an event over the bound: its bytes pass unframed up to its end
        self._mid_line = False  # skipping, and the start of the current line has already been passed on

    def feed(self, chunk: bytes) -> list[Frame]:
        frames: list[Frame] = []
        skipped = bytearray()
        for line in self._lines.feed(chunk):
            if self._skipping:
                skipped += line
                if self._mid_line:
                    self._mid_line = False
                elif is_blank(line):
                    self._skipping = False
                    frames.append(Unframed(bytes(skipped)))
                    skipped.clear()
                continue
            self._event.append(line)
            if is_blank(line):
                frames.append(SSEEvent(self._event))
                self._event, self._size = [], 0
            else:
                self._size += len(line)
                if self._size > self._max:
                    frames.append(self._skip(b""))
        if not self._skipping and self._size + len(self._lines) > self._max:
            partial = self._lines.take_partial()
            frames.append(self._skip(partial))
            self._mid_line = bool(partial)
        elif self._skipping:
            partial = self._lines.take_partial()
            skipped += partial
            self._mid_line = self._mid_line or bool(partial)
        if skipped:
            frames.append(Unframed(bytes(skipped)))
        return frames

    def close(self) -> list[Frame]:
        """The last event, when the stream ended without the blank line that ends it."""
        rest = self._lines.rest()
        if self._skipping:
            return [Unframed(rest)] if rest else []
        lines = [*self._event, rest] if rest else self._event
        self._event, self._size = [], 0
        return [SSEEvent(lines, complete=False)] if lines else []

    def _skip(self, partial: bytes) -> Unframed:
        raw = b"".join(self._event) + partial
        self._event, self._size, self._skipping = [], 0, True
        return Unframed(raw, f"an event over {self._max} bytes was skipped")
