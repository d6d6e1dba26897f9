"""What a test can tell the stand-in provider to answer next, and what it recorded.

    provider.script(
        Reply(text="Sunny."),
        Reply(tool_calls=[ToolCall("get_weather", {"city": "Paris"})]),
        Reply(status=429),
        Reply(body=b"<html>bad gateway</html>", status=502, content_type="text/html"),
        Reply(cut_off=True),
    )

Each request to a served path takes the next scripted reply; when none is left it gets the default one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolCall:
    """A tool call the stand-in model asks for; the id is made up in the format's style when None."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class Reply:
    """How to answer one request; every field left at its default gives the ordinary echo answer."""

    # None: the server's reply_text template, or no text at all when tool calls are given.
    text: str | None = None
    tool_calls: Sequence[ToolCall] = ()
    # 4xx/5xx: the wire format's own error JSON carrying error_message.
    status: int = 200
    error_message: str = "Scripted error from the stand-in provider."
    # Sent verbatim instead of a wire-format answer, e.g. an HTML error page from a proxy.
    body: bytes | None = None
    content_type: str = "application/json"
    # JSON: a Content-Length longer than what is sent; streams: stop before the final event.
    # Either way the connection is then closed, so the client sees a truncated body.
    cut_off: bool = False
    delay: float = 0.0  # seconds before the status line
    chunk_delay: float = 0.0  # seconds before each streamed event
    input_tokens: int | None = None  # None: about one token per four bytes of the request body
    output_tokens: int | None = None  # None: about one token per four characters of the answer


@dataclass(frozen=True)
class ReceivedRequest:
    """One HTTP request as the stand-in provider received it."""

    method: str
    path: str  # as sent, still percent-encoded (Bedrock model ids arrive as %3A)
    query: Mapping[str, str]
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    json: Any  # the parsed body, or None when it was empty or not JSON
