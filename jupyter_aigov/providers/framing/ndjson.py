"""application/x-ndjson (Ollama): one JSON value per line; a line over the bound passes unframed to its end."""

from __future__ import annotations

from jupyter_aigov.providers.framing import frame as limits
from jupyter_aigov.providers.framing.frame import Frame, Unframed
from jupyter_aigov.providers.framing.lines import LineBuffer, line_end


class NDJSONLine(Frame):
    """One line as it came, its terminator included (none on a last line that had none)."""

    __slots__ = ()

    @property
    def data(self) -> bytes:
        return self.raw.rstrip(b"\r\n")

    def with_data(self, data: bytes) -> NDJSONLine:
        return NDJSONLine(data + line_end(self.raw), self.complete)

    def like(self, data: bytes) -> NDJSONLine:
        return NDJSONLine(data + (line_end(self.raw) or b"\n"))

    def terminator(self) -> bytes:
        return b"" if line_end(self.raw) else b"\n"


class NDJSONFramer:
    """Frames NDJSON bytes, cut anywhere, into lines."""

    def __init__(self) -> None:
        self._max = limits.MAX_EVENT_BYTES
        self._lines = LineBuffer()
        self._skipping = False  # inside a line over the bound: the rest of it passes unframed

    def feed(self, chunk: bytes) -> list[Frame]:
        frames: list[Frame] = []
        for line in self._lines.feed(chunk):
            if self._skipping:
                self._skipping = False
                frames.append(Unframed(line))
            else:
                frames.append(NDJSONLine(line))
        if self._skipping:
            if partial := self._lines.take_partial():
                frames.append(Unframed(partial))
        elif len(self._lines) > self._max:
            partial = self._lines.take_partial()
            frames.append(Unframed(partial, f"a line over {self._max} bytes was skipped"))
            self._skipping = bool(partial)
        return frames

    def close(self) -> list[Frame]:
        """The last line, when the stream did not end with a line break."""
        rest = self._lines.rest()
        if not rest:
            return []
        return [Unframed(rest) if self._skipping else NDJSONLine(rest, complete=bool(line_end(rest)))]
