"""One provider answer on its way to the caller: framed once, each frame handed to its consumers, bytes out.

The answer's bytes are framed once (SSE, NDJSON, AWS event stream, or a whole JSON body; inflated when
compressed); each frame goes to the usage reader, then the tool-call gate (which holds a tool call until the
judge decides on it), then the answer scanner (redaction.responses: findings masked, or the answer refused),
then restore (which puts original values back where placeholders were). What they release is what the
caller reads. A layer feeds the bytes in and passes on what comes out; it knows nothing
of the consumers.

>>> answer = AnswerStream("openai", "chat.completions", response.headers, judge=call)  # doctest: +SKIP
>>> out = answer.feed(chunk)  # each chunk as it arrives; raises when a tool call is refused  # doctest: +SKIP
>>> out += answer.close()     # once the provider's answer ended                              # doctest: +SKIP
>>> answer.read_usage()       # once, whether or not close() was called                       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from ..providers.base import Usage, header_value
from ..providers.framing import INFLATABLE, Frame, Framer, Inflating, Unframed, framer_for
from ..providers.usage_reader import UsageReader
from ..redaction.answer_scan import AnswerScanner
from ..redaction.placeholders import PlaceholderVault
from ..redaction.restore_stream import StreamRestorer, restore_parsed, restores
from ..tools.gate import MAX_HELD_BYTES, ToolCallGate, ToolCallJudge


class AnswerStream:
    """feed() the answer's bytes and pass on what it returns; close() at its end; read_usage() once."""

    def __init__(
        self,
        api: str,
        operation: str,
        headers: Mapping[str, Any] | None,
        *,
        judge: ToolCallJudge | None = None,
        vault: PlaceholderVault | None = None,
        scanner: AnswerScanner | None = None,
    ) -> None:
        content_type = header_value(headers, "content-type")
        encoding = header_value(headers, "content-encoding").strip().lower()
        self._framer: Framer = framer_for(content_type, encoding, api)
        self._usage = UsageReader(api, operation, headers)
        plain = encoding in ("", "identity")
        self._gate = ToolCallGate(api, operation, judge) if judge is not None else None
        # a provider that compressed anyway is passed on as it answered: nothing to restore in
        restoring = plain and restores(content_type)
        self._restorer = StreamRestorer(vault) if vault is not None and restoring else None
        self._vault = vault
        self._scanner = scanner
        # a compressed answer cannot be rewritten: with a scanner it is refused (aigov asked for it uncompressed)
        self._unscannable = None if scanner is None or plain else f"the answer is compressed ({encoding})"
        # a compressed answer is held whole while the gate reads it inflated, then passed on as it came
        self._held: bytearray | None = bytearray() if self._gate is not None and not plain else None
        # why the gate cannot read a held answer: it is refused at its end
        self._unreadable = None if plain or encoding in INFLATABLE else _cannot_inflate(encoding)
        self.filters = self._gate is not None or self._restorer is not None or scanner is not None
        self._ended = False  # the framer has been closed
        self._stopped = False  # a refusal: nothing more reaches the caller

    @property
    def error(self) -> str | None:
        """Why the usage could not be read (or not all of it), once read_usage() was called."""
        return self._usage.error

    def feed(self, chunk: bytes) -> bytes:
        """The bytes that may go to the caller now (the chunk itself when nothing filters the answer)."""
        if not self.filters:
            if chunk and not self._ended:
                for frame in self._frames(chunk):
                    self._usage.frame(frame)
            return chunk
        if self._stopped or self._ended or not chunk:
            return b""
        try:
            if self._unscannable is not None and self._scanner is not None:
                self._scanner.refuse(self._unscannable)
            return self._through(self._frames(chunk), chunk)
        except BaseException:
            self._stopped = True
            raise

    def close(self) -> bytes:
        """The provider's answer ended: what is still to go to the caller (its last event, held calls decided)."""
        if self._ended or self._stopped:
            return b""
        frames = self._frames(None)
        if not self.filters:
            for frame in frames:
                self._usage.frame(frame)
            return b""
        try:
            out = self._through(frames, b"")
            released = self._gate.close() if self._gate is not None and self._unreadable is None else []
            if self._held is not None:
                if self._unreadable is not None:
                    assert self._gate is not None
                    self._gate.refuse(self._unreadable)
                return bytes(self._held)
            out += self._restore(self._scan(released))
            if self._scanner is not None:
                out += self._restore(self._scanner.close())
            if self._restorer is not None:
                out += b"".join(frame.raw for frame in self._restorer.close())
            return out
        except BaseException:
            self._stopped = True
            raise

    def read_usage(self) -> Usage:
        """The usage read from the answer (what the framer still holds read first); never raises."""
        if not self._ended and not self._stopped:
            for frame in self._frames(None):
                self._usage.frame(frame)
        return self._usage.close()

    def observe(self, content: bytes | None) -> None:
        """An answer the SDK read itself: its bytes read for usage only (nothing to hold or change)."""
        if content and not self._ended:
            for frame in self._frames(content):
                self._usage.frame(frame)

    def decide_parsed(self, answer: Any) -> None:
        """An answer the SDK already parsed (botocore's Converse): its tool calls decided, its values restored."""
        if not isinstance(answer, MutableMapping):
            return
        if self._gate is not None:
            self._gate.decide_answer(answer)
        if self._scanner is not None:
            self._scanner.scan_parsed(answer)
        if self._vault is not None:
            restore_parsed(answer, self._vault)

    # -- the frames --------------------------------------------------------------------------------
    def _frames(self, chunk: bytes | None) -> list[Frame]:
        """The frames the chunk completes (or, for None, the last ones)."""
        try:
            if chunk is None:
                self._ended = True
                return self._framer.close()
            return self._framer.feed(chunk)
        except Exception as exc:
            self._framer = _Failed()
            if self.filters:  # the bytes it held are lost: the caller must not get the rest as if whole
                raise
            return [Unframed(b"", type(exc).__name__)]  # read for usage only: the answer passes as it came

    def _through(self, frames: list[Frame], chunk: bytes) -> bytes:
        """Each frame to the usage reader, the gate and restore, in that order; the bytes they release."""
        usage, gate = self._usage, self._gate
        if self._held is not None:  # compressed: the gate reads the inflated frames, the caller gets the bytes
            assert gate is not None
            framer = self._framer
            if self._unreadable is None and isinstance(framer, Inflating) and framer.compressed is False:
                # the header said compressed, the bytes are not: they cannot be told from raw deflate
                self._unreadable = _cannot_inflate(framer.encoding)
            for frame in frames:
                usage.frame(frame)
                if self._unreadable is None:
                    gate.frame(frame)
            self._held += chunk
            if len(self._held) > MAX_HELD_BYTES:
                gate.refuse(f"the answer is over {MAX_HELD_BYTES} bytes")
            return b""
        out: list[bytes] = []
        for frame in frames:
            usage.frame(frame)
            out.append(self._restore(self._scan(gate.frame(frame) if gate is not None else [frame])))
        return b"".join(out)

    def _scan(self, frames: list[Frame]) -> list[Frame]:
        if self._scanner is None:
            return frames
        return [out for frame in frames for out in self._scanner.frame(frame)]

    def _restore(self, frames: list[Frame]) -> bytes:
        if self._restorer is None:
            return b"".join(frame.raw for frame in frames)
        return b"".join(out.raw for frame in frames for out in self._restorer.frame(frame))


def _cannot_inflate(encoding: str) -> str:
    if encoding in INFLATABLE:
        return f"the {encoding} answer could not be inflated"
    return f"the answer is compressed with {encoding!r}, which aigov cannot read"


class _Failed:
    """A framer that failed: the rest of the answer passes unframed."""

    def feed(self, chunk: bytes) -> list[Frame]:
        return [Unframed(chunk)] if chunk else []

    def close(self) -> list[Frame]:
        return []
