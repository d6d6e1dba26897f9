"""The Ollama native wire format (/api/chat, /api/generate, /api/embed): it streams unless told not to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import TextPart, Usage, as_int, as_list, as_str

name = "ollama"

_STREAMABLE = frozenset({"chat", "generate"})


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
    if not isinstance(body, dict):
        return None, operation in _STREAMABLE, [], []
    # Ollama streams by default: only an explicit "stream": false gives one JSON body.
    stream = operation in _STREAMABLE and body.get("stream", True) is not False
    parts: list[TextPart] = []
    for i, message in enumerate(as_list(body.get("messages"))):
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            parts.append(TextPart(("messages", i, "content"), message["content"], as_str(message.get("role"))))
        # tool_calls[].function.arguments is a dict the model produced: sent back verbatim.
    for key, role in (("system", "system"), ("prompt", "user"), ("suffix", "user")):
        if isinstance(body.get(key), str):
            parts.append(TextPart((key,), body[key], role))
    embed_input = body.get("input")
    if isinstance(embed_input, str):
        parts.append(TextPart(("input",), embed_input, "user"))
    else:
        parts += [TextPart(("input", i), v, "user") for i, v in enumerate(as_list(embed_input)) if isinstance(v, str)]
    tools = [
        t["function"]["name"]
        for t in as_list(body.get("tools"))
        if isinstance(t, dict) and isinstance(t.get("function"), dict) and isinstance(t["function"].get("name"), str)
    ]
    return as_str(body.get("model")), stream, [p for p in parts if p.text], tools


def usage_from_json(operation: str, body: Any) -> Usage:
    """Usage from a final response: prompt_eval_count and eval_count (absent when the prompt was cached)."""
    if not isinstance(body, dict):
        return Usage()
    return Usage(as_int(body.get("prompt_eval_count")), as_int(body.get("eval_count")))


def usage_from_event(operation: str, event: Any, usage: Usage) -> Usage:
    """Fold one NDJSON line: only the final one (`done: true`) carries the counts."""
    if isinstance(event, dict) and event.get("done") is True:
        return usage.updated_by(usage_from_json(operation, event))
    return usage


def usage_from_headers(operation: str, headers: Mapping[str, str]) -> Usage:
    """Ollama reports no usage in headers."""
    return Usage()
