"""Response byte streams that pass what the caller reads through a call's tap: httpx's, httpx2's and httpcore's."""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any

from ..pipeline import ResponseTap


class _Relay:
    """What sync and async streams share: each chunk through the tap, and what it releases to the caller."""

    def __init__(self, inner: Any, tap: ResponseTap) -> None:
        self._inner, self._tap = inner, tap
        # a response dropped unread still completes its record, when the stream is collected
        weakref.finalize(self, tap.close, "dropped unread")

    def _failed(self, exc: BaseException) -> None:
        self._tap.close(error=type(getattr(exc, "violation", exc)).__name__)


def tapped_stream_classes(sync_base: type, async_base: type) -> tuple[type, type]:
    """Byte-stream classes (subclasses of the library's own, where it has them) that read through a ResponseTap.

    Each is made with the response's own stream and its tap: `TappedSyncStream(response.stream, tap)`.
    """

    class TappedSyncStream(_Relay, sync_base):
        def __iter__(self) -> Iterator[bytes]:
            try:
                for chunk in self._inner:
                    if out := self._tap.relay(chunk):
                        yield out
                if tail := self._tap.relay(b"", end=True):
                    yield tail
            except BaseException as exc:
                self._failed(exc)
                raise
            self._tap.close()

        def close(self) -> None:
            try:
                if hasattr(self._inner, "close"):
                    self._inner.close()
            finally:
                self._tap.close()

    class TappedAsyncStream(_Relay, async_base):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            try:
                async for chunk in self._inner:
                    if out := self._tap.relay(chunk):
                        yield out
                if tail := self._tap.relay(b"", end=True):
                    yield tail
            except BaseException as exc:
                self._failed(exc)
                raise
            self._tap.close()

        async def aclose(self) -> None:
            try:
                if hasattr(self._inner, "aclose"):
                    await self._inner.aclose()
            finally:
                self._tap.close()

    return TappedSyncStream, TappedAsyncStream
