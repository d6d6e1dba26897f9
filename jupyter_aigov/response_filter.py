"""What stands between a provider's answer and the caller: filters that hold, check or change its bytes."""

from __future__ import annotations

from typing import Protocol


class ResponseFilter(Protocol):
    """feed() each chunk as it arrives and pass on what it returns (maybe b""); close() once it ended."""

    def feed(self, chunk: bytes) -> bytes: ...

    def close(self) -> bytes: ...


class FilterChain:
    """Two filters in a row: what the first releases goes through the second."""

    def __init__(self, first: ResponseFilter, second: ResponseFilter) -> None:
        self._first, self._second = first, second

    def feed(self, chunk: bytes) -> bytes:
        released = self._first.feed(chunk)
        return self._second.feed(released) if released else b""

    def close(self) -> bytes:
        released = self._first.close()
        return (self._second.feed(released) if released else b"") + self._second.close()
