"""The Anthropic Messages wire format (api.anthropic.com, Claude on Vertex and on Bedrock invoke)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import (
    JsonPath,
    TextPart,
    Usage,
    add_counts,
    as_int,
    as_list,
    as_str,
    string_leaves,
)

name = "anthropic"


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
    if not isinstance(body, dict):
        return path_params.get("model"), False, [], []
    model = path_params.get("model") or as_str(body.get("model"))
    parts = _blocks(body.get("system"), ("system",), "system")
    for i, message in enumerate(as_list(body.get("messages"))):
        if isinstance(message, dict):
            parts += _blocks(message.get("content"), ("messages", i, "content"), as_str(message.get("role")))
    tools = [t["name"] for t in as_list(body.get("tools")) if isinstance(t, dict) and isinstance(t.get("name"), str)]
    return model, body.get("stream") is True, [p for p in parts if p.text], tools


def _blocks(content: Any, path: JsonPath, role: str | None) -> list[TextPart]:
    """A content string, or the text held by a list of content blocks."""
    if isinstance(content, str):
        return [TextPart(path, content, role)]
    parts: list[TextPart] = []
    for j, block in enumerate(as_list(content)):
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            parts.append(TextPart((*path, j, "text"), block["text"], role))
        elif kind == "tool_result":
            # Tool output is data from the notebook's side: its strings may need redacting like a prompt.
            result = block.get("content")
            if isinstance(result, list):
                parts += _blocks(result, (*path, j, "content"), "tool")
            else:
                parts += string_leaves(result, (*path, j, "content"), "tool")
        elif kind == "document":
            source = block.get("source")
            if isinstance(source, dict) and source.get("type") == "text" and isinstance(source.get("data"), str):
                parts.append(TextPart((*path, j, "source", "data"), source["data"], role))
            elif isinstance(source, dict) and source.get("type") == "content":
                parts += _blocks(source.get("content"), (*path, j, "source", "content"), role)
        # tool_use.input is a dict the model produced, and thinking blocks are signed: both go back verbatim.
    return parts


def usage_from_json(operation: str, body: Any) -> Usage:
    """Usage from a Messages response (also Bedrock invoke bodies in this shape)."""
    usage = body.get("usage") if isinstance(body, dict) else None
    return _usage(usage) if isinstance(usage, dict) else Usage()


def _usage(usage: Mapping[str, Any]) -> Usage:
    # input_tokens excludes cached prompt tokens; add them so "input" means every prompt token, as elsewhere.
    prompt = (
        add_counts(
            usage.get("input_tokens"),
            usage.get("cache_creation_input_tokens"),
            usage.get("cache_read_input_tokens"),
        )
        if as_int(usage.get("input_tokens")) is not None
        else None
    )
    return Usage(prompt, as_int(usage.get("output_tokens")))


def usage_from_event(operation: str, event: Any, usage: Usage) -> Usage:
    """Fold `message_start` (input tokens) and `message_delta` (cumulative output tokens) events."""
    if not isinstance(event, dict):
        return usage
    kind = event.get("type")
    if kind == "message_start" and isinstance(event.get("message"), dict):
        return usage.updated_by(usage_from_json(operation, event["message"]))
    if kind == "message_delta" and isinstance(event.get("usage"), dict):
        return usage.updated_by(_usage(event["usage"]))
    return usage


def usage_from_headers(operation: str, headers: Mapping[str, str]) -> Usage:
    """Anthropic reports no usage in headers."""
    return Usage()
