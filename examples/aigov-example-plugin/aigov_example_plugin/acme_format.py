"""Acme's completion API, a wire format: POST /acme/v1/complete {"model", "prompt", "context": [...]}.

The answer is {"text": ..., "usage": {"in": N, "out": M}}; streamed (`"stream": true`) it is NDJSON, the last
line holding the usage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers import TextPart, Usage

name = "acme"


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """(model, stream, text parts, tool names) of a request; Acme's API offers no tools."""
    if not isinstance(body, dict):
        return None, False, [], []
    model = body.get("model")
    return model if isinstance(model, str) else None, body.get("stream") is True, text_parts(operation, body), []


def text_parts(operation: str, body: Any) -> list[TextPart]:
    """The prompt and each context string: what goes to the model."""
    if not isinstance(body, dict):
        return []
    parts = [TextPart(("prompt",), body["prompt"])] if isinstance(body.get("prompt"), str) else []
    context = body.get("context")
    if isinstance(context, list):
        parts += [TextPart(("context", i), text) for i, text in enumerate(context) if isinstance(text, str)]
    return parts


def usage_from_json(operation: str, body: Any) -> Usage:
    """Usage from a whole answer: {"usage": {"in": N, "out": M}}."""
    usage = body.get("usage") if isinstance(body, dict) else None
    if not isinstance(usage, dict):
        return Usage()
    counts = [usage.get("in"), usage.get("out")]
    return Usage(*(n if isinstance(n, int) and not isinstance(n, bool) else None for n in counts))


def usage_from_event(operation: str, event: Any, usage: Usage) -> Usage:
    """A streamed answer's last line carries the usage."""
    return usage.updated_by(usage_from_json(operation, event))


def usage_from_headers(operation: str, headers: Mapping[str, str]) -> Usage:
    """Acme reports no usage in headers."""
    return Usage()
