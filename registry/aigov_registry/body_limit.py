"""Bound every request's body: 413 when it declares or sends more than its route may take, counted as it comes.

Counting happens as the application reads, so a chunked body (no Content-Length) is refused once it passes
the limit, never buffered whole first. Bundle uploads take the larger upload limit; every other request the
body limit.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aigov_registry.config import Settings
from aigov_registry.ingest.upload import too_large

BUNDLE_UPLOAD = ("POST", "/api/v1/bundles")


class _Exceeded(Exception):
    """Raised into the application when the body it is reading passes the limit."""


def _bytes(limit: int) -> str:
    return f"{limit // (1 << 20):,} MiB" if limit % (1 << 20) == 0 else f"{limit:,} bytes"


def body_refusal(limit: int) -> str:
    """The 413 sentence for a body (not a bundle) over ``limit`` bytes."""
    return (
        f"The request body is larger than this registry accepts ({_bytes(limit)}). Send less per request "
        "(records in smaller batches), or ask the registry's operator to raise --max-body-mib."
    )


def limit_for(settings: Settings) -> Callable[[Scope], tuple[int, str]]:
    """The limit of a request's body and the sentence refusing more: the upload limit for bundles."""

    def of(scope: Scope) -> tuple[int, str]:
        if (scope.get("method"), scope.get("path")) == BUNDLE_UPLOAD:
            return settings.max_upload_bytes, too_large(settings.max_upload_bytes).detail
        return settings.max_body_bytes, body_refusal(settings.max_body_bytes)

    return of


class BodyLimit:
    """ASGI middleware answering 413 for a body over its limit, declared (before reading) or sent."""

    def __init__(self, app: ASGIApp, limit: Callable[[Scope], tuple[int, str]]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, refusal = self.limit(scope)
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await JSONResponse({"detail": refusal}, status_code=413)(scope, receive, send)
            return
        received = 0
        exceeded = started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _Exceeded
            return message

        async def answer(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the application made of the interrupted body, the answer is 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, answer)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await JSONResponse({"detail": refusal}, status_code=413)(scope, receive, send)
