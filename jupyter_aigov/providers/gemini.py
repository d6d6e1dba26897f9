"""The Gemini wire format (generativelanguage.googleapis.com and Vertex AI): model and streaming by path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import JsonPath, TextPart, Usage, add_counts, as_list, as_str, string_leaves

name = "gemini"


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
    model = path_params.get("model")
    stream = operation == "streamGenerateContent"
    if not isinstance(body, dict):
        return model, stream, [], []
    parts: list[TextPart] = []
    if isinstance(body.get("generateContentRequest"), dict):  # countTokens may wrap a whole request
        parts += _request_parts(body["generateContentRequest"], ("generateContentRequest",))
    parts += _request_parts(body, ())
    if isinstance(body.get("content"), dict):  # embedContent
        parts += _content_parts(body["content"], ("content",), "user")
    for i, request in enumerate(as_list(body.get("requests"))):  # batchEmbedContents
        if isinstance(request, dict) and isinstance(request.get("content"), dict):
            parts += _content_parts(request["content"], ("requests", i, "content"), "user")
    return model, stream, [p for p in parts if p.text], _tool_names(body)


def _request_parts(request: dict[str, Any], path: JsonPath) -> list[TextPart]:
    """`contents[].parts[]` and the system instruction (REST accepts both camelCase and snake_case keys)."""
    parts: list[TextPart] = []
    for key in ("systemInstruction", "system_instruction"):
        if isinstance(request.get(key), dict):
            parts += _content_parts(request[key], (*path, key), "system")
    for i, content in enumerate(as_list(request.get("contents"))):
        if isinstance(content, dict):
            parts += _content_parts(content, (*path, "contents", i), as_str(content.get("role")) or "user")
    return parts


def _content_parts(content: dict[str, Any], path: JsonPath, role: str) -> list[TextPart]:
    """Text parts of one Content, and the data of function responses sent back to the model."""
    parts: list[TextPart] = []
    for j, part in enumerate(as_list(content.get("parts"))):
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("text"), str) and not part.get("thought"):
            parts.append(TextPart((*path, "parts", j, "text"), part["text"], role))
        for key in ("functionResponse", "function_response"):
            response = part.get(key)
            if isinstance(response, dict):
                # The response is a JSON object of the notebook's data: each string in it is prompt text.
                parts += string_leaves(response.get("response"), (*path, "parts", j, key, "response"), "tool")
    return parts


def _tool_names(body: dict[str, Any]) -> list[str]:
    """Function declarations by name; built-in tools (googleSearch, codeExecution, ...) by their key."""
    names: list[str] = []
    for tool in as_list(body.get("tools")):
        if not isinstance(tool, dict):
            continue
        for key, value in tool.items():
            if key in ("functionDeclarations", "function_declarations"):
                names += [d["name"] for d in as_list(value) if isinstance(d, dict) and isinstance(d.get("name"), str)]
            else:
                names.append(key)
    return names


def usage_from_json(operation: str, body: Any) -> Usage:
    """Usage from a response; a JSON array (streamGenerateContent without alt=sse) folds its chunks."""
    if isinstance(body, list):
        usage = Usage()
        for chunk in body:
            usage = usage_from_event(operation, chunk, usage)
        return usage
    metadata = body.get("usageMetadata") if isinstance(body, dict) else None
    if not isinstance(metadata, dict):
        return Usage()
    # Thinking and tool-use prompt tokens are billed as output and input but counted apart.
    return Usage(
        add_counts(metadata.get("promptTokenCount"), metadata.get("toolUsePromptTokenCount")),
        add_counts(metadata.get("candidatesTokenCount"), metadata.get("thoughtsTokenCount")),
    )


def usage_from_event(operation: str, event: Any, usage: Usage) -> Usage:
    """Fold one streamed chunk: each carries the usage so far, so the last one wins."""
    if isinstance(event, dict) and isinstance(event.get("usageMetadata"), dict):
        return usage.updated_by(usage_from_json(operation, event))
    return usage


def usage_from_headers(operation: str, headers: Mapping[str, str]) -> Usage:
    """Gemini reports no usage in headers."""
    return Usage()
