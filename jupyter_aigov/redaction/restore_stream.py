"""Restore placeholders in a streamed answer as its bytes pass: SSE and NDJSON events, deltas joined per path.

Events are framed here (lines split anywhere across chunks); restore_deltas.DeltaJoiner restores each one,
holding a placeholder split across deltas until its end arrives. Unchanged events pass byte-identical.

>>> restorer = StreamRestorer(vault, "text/event-stream")   # doctest: +SKIP
>>> released = restorer.feed(chunk)  # any number of times  # doctest: +SKIP
>>> released += restorer.close()                           # doctest: +SKIP
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_aigov.providers.framing import LineBuffer, line_end, sse_field
from jupyter_aigov.redaction.placeholders import PlaceholderVault
from jupyter_aigov.redaction.restore import restore_json_bytes
from jupyter_aigov.redaction.restore_deltas import DeltaJoiner

# Bounds above any real event or body; past them the rest passes through unrestored rather than fill memory.
MAX_EVENT_BYTES = 32 * 1024 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024


def _dumps(value: Any) -> bytes:
    """Compact JSON; ASCII-escaped when a lone surrogate (from a \\ud800 escape) has no UTF-8 form."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":")).encode()


class StreamRestorer:
    """Restores placeholders in a response's bytes as they pass: feed() each chunk, send what it returns, close().

    text/event-stream and NDJSON are restored event by event; application/json is held whole and restored at
    close(); anything else (binary, AWS event stream) passes through unchanged with `.unsupported` set.
    """

    def __init__(self, vault: PlaceholderVault, content_type: str | None) -> None:
        content_type = (content_type or "").lower()
        if "text/event-stream" in content_type:
            self._kind: str | None = "sse"
        elif "ndjson" in content_type or "jsonl" in content_type:
            self._kind = "ndjson"
        elif "json" in content_type:
            self._kind = "json"
        else:
            self._kind = None
        self.unsupported = self._kind is None
        self.problem: str | None = None  # why part of the stream passed unrestored, when it did
        self._joiner = DeltaJoiner(vault)
        self._lines = LineBuffer()
        self._event: list[bytes] = []  # the lines of the SSE event being read
        self._event_size = 0
        self._body = bytearray()
        self._passing = self.unsupported

    def feed(self, chunk: bytes) -> bytes:
        """The bytes to release to the caller now (possibly b"": an event is incomplete)."""
        if self._passing or not chunk:
            return chunk
        if self._kind == "json":
            self._body += chunk
            if len(self._body) <= MAX_BODY_BYTES:
                return b""
            return self._give_up(f"the body is over {MAX_BODY_BYTES} bytes: passed through unrestored")
        out = b"".join(self._line(line) for line in self._lines.feed(chunk))
        if self._event_size + len(self._lines) > MAX_EVENT_BYTES:
            out += self._give_up(f"an event over {MAX_EVENT_BYTES} bytes: the rest passed through unrestored")
        return out

    def close(self) -> bytes:
        """The last bytes: an unterminated last event, and any suffix still held, in an event of its own."""
        if self._passing:
            return b""
        self._passing = True
        if self._kind == "json":
            body, self._body = bytes(self._body), bytearray()
            return restore_json_bytes(body, self._joiner.vault)
        lines = [*self._event, self._lines.rest()]
        lines = [line for line in lines if line]
        self._event, self._event_size = [], 0
        out = b""
        if lines:
            out = self._sse_event(lines) if self._kind == "sse" else self._ndjson_line(lines[0])
        releases = self._joiner.release_all()
        if releases and lines:
            eol = line_end(lines[0]) or b"\n"
            # close the unterminated last event first, or the release would run into it
            missing = 0 if self._kind == "ndjson" and line_end(lines[-1]) else 1
            missing += 1 if self._kind == "sse" and not line_end(lines[-1]) else 0
            out += eol * missing
        return out + self._releases(releases)

    def _give_up(self, problem: str) -> bytes:
        self.problem, self._passing = problem, True
        held = bytes(self._body) + b"".join(self._event) + self._lines.rest()
        self._body, self._event, self._event_size = bytearray(), [], 0
        return self._releases(self._joiner.release_all()) + held

    def _line(self, line: bytes) -> bytes:
        if self._kind == "ndjson":
            return self._ndjson_line(line)
        if line.strip(b"\r\n"):
            self._event.append(line)
            self._event_size += len(line)
            return b""
        lines, self._event, self._event_size = [*self._event, line], [], 0
        return self._sse_event(lines)

    def _sse_event(self, lines: list[bytes]) -> bytes:
        fields = [sse_field(line) for line in lines]
        data_at = [i for i, (name, _) in enumerate(fields) if name == b"data"]
        if not data_at:
            return b"".join(lines)  # comments, keep-alives, blank lines
        data = b"\n".join(fields[i][1] for i in data_at)
        if data.strip() == b"[DONE]":
            return self._releases(self._joiner.release_all()) + b"".join(lines)
        if self._joiner.idle(data):
            return b"".join(lines)
        try:
            event = json.loads(data)
        except ValueError:
            return b"".join(lines)
        frame = (b"".join(line for line, (name, _) in zip(lines, fields, strict=True) if name == b"event"), lines[0])
        releases, restored = self._joiner.event(event, frame)
        if restored is event:
            return self._releases(releases) + b"".join(lines)
        data_line = b"data: " + _dumps(restored) + line_end(lines[data_at[-1]])
        rebuilt = [data_line if i == data_at[0] else line for i, line in enumerate(lines) if i not in data_at[1:]]
        return self._releases(releases) + b"".join(rebuilt)

    def _ndjson_line(self, line: bytes) -> bytes:
        body = line.rstrip(b"\r\n")
        if self._joiner.idle(body):
            return line
        try:
            event = json.loads(body) if body.strip() else None
        except ValueError:
            event = None
        if event is None:
            return line
        releases, restored = self._joiner.event(event, line)
        return self._releases(releases) + (line if restored is event else _dumps(restored) + line_end(line))

    def _releases(self, releases: list[tuple[Any, Any]]) -> bytes:
        """Held suffixes framed like the event each came from (its SSE `event:` line and line ends)."""
        out = b""
        for event, frame in releases:
            if self._kind == "sse":
                event_lines, first_line = frame
                eol = line_end(first_line) or b"\n"
                out += event_lines + b"data: " + _dumps(event) + eol + eol
            else:
                out += _dumps(event) + (line_end(frame) or b"\n")
        return out
