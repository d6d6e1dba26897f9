"""Reads usage from a response while the caller reads it: bytes pass through untouched, a copy is parsed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..providers import StreamTap
from ..providers.base import header_value

MAX_REMEMBERED_ANSWER = 1024 * 1024

if TYPE_CHECKING:
    from ..gateway import Exchange


class ResponseTap:
    """Feeds the bytes of one response to the wire format's usage reader, and finishes the exchange once."""

    __slots__ = ("_answer", "_closed", "_exchange", "_stream")

    def __init__(self, exchange: Exchange, status: int, headers: Mapping[str, str]) -> None:
        exchange.status = status
        self._exchange = exchange
        # raw or already-decoded bytes alike: StreamTap tells compressed from plain by their first bytes
        self._stream = StreamTap(exchange.call.api, exchange.call.operation, headers=headers)
        self._closed = False
        # a JSON answer is kept (up to a size) when redaction examined the call: see redaction/echoes.py
        json_answer = "json" in header_value(headers, "content-type").lower()
        self._answer: bytearray | None = bytearray() if exchange.echoing and json_answer else None

    def feed(self, data: bytes) -> None:
        """Take a chunk as the caller received it."""
        if data and not self._closed:
            self._stream.feed(data)
            if self._answer is not None:
                self._answer += data
                if len(self._answer) > MAX_REMEMBERED_ANSWER:
                    self._answer = None

    def close(self, error: str | None = None) -> None:
        """The response ended (read to the end, closed early, or failed): record what we know."""
        if self._closed:
            return
        self._closed = True
        try:
            usage = self._stream.close()
        except Exception:  # reading usage is best effort: it must never break the caller's response
            usage = None
        self._exchange.finish(usage, error=error or self._stream.error)
        if self._answer and error is None and self._exchange.status == 200:
            gateway = self._exchange.gateway
            gateway.echoes.remember_json(bytes(self._answer), gateway.vault)
