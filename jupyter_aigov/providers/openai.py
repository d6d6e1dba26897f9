"""The OpenAI wire format: Chat Completions, Responses, Completions, Embeddings and compatibles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import JsonPath, TextPart, Usage, add_counts, as_list, as_str, string_leaves

name = "openai"

# Content-part types that carry prompt text (Chat uses "text"; Responses "input_text"/"output_text").
_TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
    if not isinstance(body, dict):
        return path_params.get("model"), False, [], []
    # Azure names the deployment in the path; that, not the body, is what the call is served by.
    model = path_params.get("model") or as_str(body.get("model"))
    parts: list[TextPart] = []
    messages = body.get("messages")
    if isinstance(messages, list):
        for i, message in enumerate(messages):
            if isinstance(message, dict):
                parts += _message_parts(message, ("messages", i))
    if isinstance(body.get("instructions"), str):
        parts.append(TextPart(("instructions",), body["instructions"], "system"))
    parts += _input_parts(body.get("input"), ("input",))
    parts += _strings(body.get("prompt"), ("prompt",), "user")
    parts += _strings(body.get("suffix"), ("suffix",), "user")
    return model, body.get("stream") is True, [p for p in parts if p.text], _tool_names(body)


def _message_parts(message: dict[str, Any], path: JsonPath) -> list[TextPart]:
    """Text of one chat message: its content, and the tool-call arguments the assistant made earlier."""
    role = as_str(message.get("role"))
    parts = _content_parts(message.get("content"), (*path, "content"), role)
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        for k, call in enumerate(calls):
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                parts.append(TextPart((*path, "tool_calls", k, "function", "arguments"), function["arguments"], role))
    legacy = message.get("function_call")
    if isinstance(legacy, dict) and isinstance(legacy.get("arguments"), str):
        parts.append(TextPart((*path, "function_call", "arguments"), legacy["arguments"], role))
    return parts


def _content_parts(content: Any, path: JsonPath, role: str | None) -> list[TextPart]:
    """A content string, or the text parts of a content-part list."""
    if isinstance(content, str):
        return [TextPart(path, content, role)]
    parts: list[TextPart] = []
    if isinstance(content, list):
        for j, part in enumerate(content):
            if isinstance(part, dict) and part.get("type") in _TEXT_PART_TYPES and isinstance(part.get("text"), str):
                parts.append(TextPart((*path, j, "text"), part["text"], role))
            elif isinstance(part, str):
                parts.append(TextPart((*path, j), part, role))
    return parts


def _input_parts(value: Any, path: JsonPath) -> list[TextPart]:
    """Responses `input` (a string or items), Embeddings/Moderations `input` (strings or text parts)."""
    if isinstance(value, str):
        return [TextPart(path, value, "user")]
    parts: list[TextPart] = []
    if not isinstance(value, list):
        return parts
    for i, item in enumerate(value):
        if isinstance(item, str):
            parts.append(TextPart((*path, i), item, "user"))
        elif isinstance(item, dict):
            parts += _item_parts(item, (*path, i))
    return parts


def _item_parts(item: dict[str, Any], path: JsonPath) -> list[TextPart]:
    """One Responses input item: a message, a tool call sent back, or a tool's output."""
    kind = item.get("type")
    if kind in _TEXT_PART_TYPES and isinstance(item.get("text"), str):  # moderations multimodal input
        return [TextPart((*path, "text"), item["text"], "user")]
    parts = _content_parts(item.get("content"), (*path, "content"), as_str(item.get("role")) or "user")
    if isinstance(item.get("arguments"), str):
        parts.append(TextPart((*path, "arguments"), item["arguments"], "assistant"))
    if kind == "custom_tool_call" and isinstance(item.get("input"), str):
        parts.append(TextPart((*path, "input"), item["input"], "assistant"))
    output = item.get("output")
    if isinstance(output, list):
        parts += _content_parts(output, (*path, "output"), "tool")
    elif output is not None:
        # A tool's output is data the notebook sends to the model: every string in it may need redacting.
        parts += string_leaves(output, (*path, "output"), "tool")
    return parts


def _strings(value: Any, path: JsonPath, role: str) -> list[TextPart]:
    """A string or a list of strings (token-id lists are skipped: they are not text)."""
    if isinstance(value, str):
        return [TextPart(path, value, role)]
    if isinstance(value, list):
        return [TextPart((*path, i), v, role) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _tool_names(body: dict[str, Any]) -> list[str]:
    """Function names offered (Chat `tools[].function.name`, Responses `tools[].name`); built-ins by type."""
    names: list[str] = []
    for tool in as_list(body.get("tools")) + as_list(body.get("functions")):
        if not isinstance(tool, dict):
            continue
        function = tool.get("function")
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            names.append(function["name"])
        elif isinstance(tool.get("name"), str):
            names.append(tool["name"])
        elif isinstance(tool.get("type"), str):  # built-in tools (web_search, code_interpreter, ...)
            names.append(tool["type"])
    return names


def usage_from_json(operation: str, body: Any) -> Usage:
    """Usage from a complete (non-streaming) JSON response body."""
    usage = body.get("usage") if isinstance(body, dict) else None
    if not isinstance(usage, dict):
        return Usage()
    return Usage(
        add_counts(usage.get("prompt_tokens"), usage.get("input_tokens")),
        add_counts(usage.get("completion_tokens"), usage.get("output_tokens")),
    )


def usage_from_event(operation: str, event: Any, usage: Usage) -> Usage:
    """Fold one SSE event: a chat chunk with `usage`, or a Responses `response.completed` (and kin)."""
    if not isinstance(event, dict):
        return usage
    response = event.get("response")
    if isinstance(response, dict) and isinstance(response.get("usage"), dict):
        return usage.updated_by(usage_from_json(operation, response))
    if isinstance(event.get("usage"), dict):
        return usage.updated_by(usage_from_json(operation, event))
    return usage


def usage_from_headers(operation: str, headers: Mapping[str, str]) -> Usage:
    """OpenAI reports no usage in headers."""
    return Usage()
