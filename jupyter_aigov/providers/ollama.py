"""The Ollama native wire format (/api/chat, /api/generate, /api/embed): it streams unless told not to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import TextPart, Usage, as_int, as_list, as_str
from jupyter_aigov.providers.request_strings import Structure, request_strings

name = "ollama"

_STREAMABLE = frozenset({"chat", "generate"})

# What the format itself says in a request; every other string (system, template, tool descriptions,
# schemas' texts, tool-call arguments, stop options...) is analysed.
STRUCTURE = Structure(
    fields=(
        "model",
        "keep_alive",
        "think",
        "messages.*.role",
        "messages.*.tool_name",
        "messages.*.tool_calls.*.function.name",
        "tools.*.type",
        "tools.*.function.name",
    ),
    schemas=("format", "tools.*.function.parameters"),
    base64=("images.*", "messages.*.images.*"),
)


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
    if not isinstance(body, dict):
        return None, operation in _STREAMABLE, [], []
    # Ollama streams by default: only an explicit "stream": false gives one JSON body.
    stream = operation in _STREAMABLE and body.get("stream", True) is not False
    tools = [
        t["function"]["name"]
        for t in as_list(body.get("tools"))
        if isinstance(t, dict) and isinstance(t.get("function"), dict) and isinstance(t["function"].get("name"), str)
    ]
    return as_str(body.get("model")), stream, text_parts(operation, body), tools


def text_parts(operation: str, body: Any) -> list[TextPart]:
    """Every string of the body that goes to the provider, but the format's own words and payloads."""
    return request_strings(body, STRUCTURE)


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
