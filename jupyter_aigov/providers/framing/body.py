"""A whole answer (application/json and anything not streamed): one frame, at its end."""

from __future__ import annotations

from jupyter_aigov.providers.framing import frame as limits
from jupyter_aigov.providers.framing.frame import Frame, Unframed


class Body(Frame):
    """The whole body as it came."""

    __slots__ = ()

    def with_data(self, data: bytes) -> Body:
        return Body(data)

    def like(self, data: bytes) -> Body:
        return Body(data)


class BodyFramer:
    """Holds the body to its end, up to a bound; past it, the body passes unframed (a framing error)."""

    def __init__(self) -> None:
        self._max = limits.MAX_BODY_BYTES
        self._buf = bytearray()
        self._over = False

    def feed(self, chunk: bytes) -> list[Frame]:
        if self._over:
            return [Unframed(chunk)] if chunk else []
        self._buf += chunk
        if len(self._buf) <= self._max:
            return []
        self._over = True
        held, self._buf = bytes(self._buf), bytearray()
        return [Unframed(held, f"the body is over {self._max} bytes: not read")]

    def close(self) -> list[Frame]:
        body, self._buf = bytes(self._buf), bytearray()
        return [Body(body)] if body else []
