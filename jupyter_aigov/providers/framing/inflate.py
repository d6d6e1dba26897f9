"""Framing behind gzip or deflate: the bytes may still be compressed, or already decoded by the client.

A layer may sit below the client's decoding (httpx hands over the wire's bytes) or above it (urllib3 and
aiohttp decode first, and leave the header as it came): the first two bytes tell which.
"""

from __future__ import annotations

import zlib
from typing import Any, Protocol

from jupyter_aigov.providers.framing.frame import Frame, Unframed

INFLATABLE = ("gzip", "x-gzip", "deflate")
_STEP = 1024 * 1024  # inflated bytes handed on at a time, so a small compressed chunk cannot fill memory


class Framer(Protocol):
    """feed() the answer's bytes in chunks of any size and get back the whole frames; close() at its end."""

    def feed(self, chunk: bytes) -> list[Frame]: ...

    def close(self) -> list[Frame]: ...


class Inflating:
    """Inflates gzip (magic 1f 8b) or zlib-wrapped deflate bytes for the framer behind it; others go as they are."""

    def __init__(self, framer: Framer, encoding: str) -> None:
        self._framer = framer
        self.encoding = encoding
        self._head: bytes | None = b""  # the first bytes, held until two tell compressed from plain
        self._inflate: Any = None
        self._failed = False
        self.compressed: bool | None = None  # what the first bytes said; None until they came

    def feed(self, chunk: bytes) -> list[Frame]:
        if self._failed or not chunk:
            return []
        if self._head is not None:
            self._head += chunk
            if len(self._head) < 2:
                return []
            chunk, self._head = self._head, None
            self._start(chunk)
        if self._inflate is None:
            return self._framer.feed(chunk)
        return self._inflated(chunk)

    def close(self) -> list[Frame]:
        frames: list[Frame] = []
        if self._head:  # a single byte: too short to be compressed
            self.compressed = False
            frames += self._framer.feed(self._head)
        self._head = None
        if self._failed:
            return frames
        if self._inflate is not None:
            try:
                frames += self._framer.feed(self._inflate.flush())
            except zlib.error:
                return [*frames, self._fail()]
        if self.compressed is None:
            self.compressed = False
        return frames + self._framer.close()

    def _start(self, head: bytes) -> None:
        if head[:2] == b"\x1f\x8b":
            self._inflate = zlib.decompressobj(wbits=31)
        elif self.encoding == "deflate" and head[0] & 0x0F == 8 and int.from_bytes(head[:2]) % 31 == 0:
            self._inflate = zlib.decompressobj()  # a zlib header: CM=8 and a check value divisible by 31
        self.compressed = self._inflate is not None

    def _inflated(self, chunk: bytes) -> list[Frame]:
        frames: list[Frame] = []
        try:
            data = self._inflate.decompress(chunk, _STEP)
            while True:
                frames += self._framer.feed(data)
                tail = self._inflate.unconsumed_tail
                if not tail:
                    return frames
                data = self._inflate.decompress(tail, _STEP)
        except zlib.error:
            return [*frames, self._fail()]

    def _fail(self) -> Unframed:
        self._failed = True
        return Unframed(b"", f"the {self.encoding} answer could not be inflated")
