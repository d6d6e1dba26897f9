"""The answer framed once, as its bytes arrive in chunks of any size: SSE, NDJSON, AWS event stream, JSON body.

A framer turns bytes into frames: each keeps its raw bytes, its data, and that data parsed as JSON (once, on
first use), and re-encodes itself around new data. Bytes that cannot be framed come out as `Unframed`, with
the framing error (`problem`) that its consumers see: an event over the bound, a bad CRC, a failed inflate.

>>> framer = framer_for("text/event-stream")
>>> [frame.payload for frame in framer.feed(b'data: {"a": 1}\\n\\ndata: {"b"')]
[{'a': 1}]
>>> [frame.payload for frame in framer.feed(b": 2}\\n\\n")]
[{'b': 2}]
"""

from __future__ import annotations

from jupyter_aigov.providers.framing.body import Body, BodyFramer
from jupyter_aigov.providers.framing.eventstream import (
    EventStreamFramer,
    EventStreamMessage,
    encode_message,
    parse_headers,
)
from jupyter_aigov.providers.framing.frame import (
    MAX_BODY_BYTES,
    MAX_EVENT_BYTES,
    NOT_JSON,
    Frame,
    Unframed,
)
from jupyter_aigov.providers.framing.inflate import INFLATABLE, Framer, Inflating
from jupyter_aigov.providers.framing.lines import LineBuffer, line_end, sse_field
from jupyter_aigov.providers.framing.ndjson import NDJSONFramer, NDJSONLine
from jupyter_aigov.providers.framing.sse import SSEEvent, SSEFramer

_FRAMERS: dict[str, type[Framer]] = {
    "sse": SSEFramer,
    "eventstream": EventStreamFramer,
    "ndjson": NDJSONFramer,
    "body": BodyFramer,
}


def framing_of(content_type: str, api: str = "") -> str:
    """How an answer is cut into frames: "sse", "eventstream", "ndjson", or "body" (one frame at its end).

    Ollama streams NDJSON whatever its content type says, unless that says JSON.
    """
    content_type = content_type.lower()
    if "text/event-stream" in content_type:
        return "sse"
    if "vnd.amazon.eventstream" in content_type:
        return "eventstream"
    if "ndjson" in content_type or "jsonl" in content_type or (api == "ollama" and "json" not in content_type):
        return "ndjson"
    return "body"


def framer_for(content_type: str, encoding: str = "", api: str = "") -> Framer:
    """The framer for an answer with these headers (behind an inflater when its encoding is gzip or deflate)."""
    framer = _FRAMERS[framing_of(content_type, api)]()
    encoding = encoding.strip().lower()
    return Inflating(framer, encoding) if encoding in INFLATABLE else framer


__all__ = [
    "INFLATABLE",
    "MAX_BODY_BYTES",
    "MAX_EVENT_BYTES",
    "NOT_JSON",
    "Body",
    "BodyFramer",
    "EventStreamFramer",
    "EventStreamMessage",
    "Frame",
    "Framer",
    "Inflating",
    "LineBuffer",
    "NDJSONFramer",
    "NDJSONLine",
    "SSEEvent",
    "SSEFramer",
    "Unframed",
    "encode_message",
    "framer_for",
    "framing_of",
    "line_end",
    "parse_headers",
    "sse_field",
]
