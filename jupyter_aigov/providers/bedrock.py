"""The Amazon Bedrock runtime wire format: Converse(Stream), and InvokeModel bodies of each model family."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers import anthropic
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

name = "bedrock"

_STREAMING = frozenset({"converse-stream", "invoke-with-response-stream"})
_INVOKE = frozenset({"invoke", "invoke-with-response-stream"})


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names); the model is the path's modelId, URL-decoded."""
    model = path_params.get("model")
    stream = operation in _STREAMING
    if not isinstance(body, dict):
        return model, stream, [], []
    if operation in _INVOKE and "anthropic_version" in body:
        _, _, parts, tools = anthropic.parse_request(operation, path_params, body)
        return model, stream, parts, tools
    parts = _system_parts(body.get("system"))
    for i, message in enumerate(as_list(body.get("messages"))):
        if isinstance(message, dict):
            role = as_str(message.get("role"))
            parts += _content_parts(message.get("content"), ("messages", i, "content"), role)
    # InvokeModel bodies of other families: Titan `inputText`, Llama `prompt`, Cohere `message`/`texts`.
    for key in ("inputText", "prompt", "message"):
        if isinstance(body.get(key), str):
            parts.append(TextPart((key,), body[key], "user"))
    for i, text in enumerate(as_list(body.get("texts"))):
        if isinstance(text, str):
            parts.append(TextPart(("texts", i), text, "user"))
    return model, stream, [p for p in parts if p.text], _tool_names(body)


def _system_parts(system: Any) -> list[TextPart]:
    if isinstance(system, str):
        return [TextPart(("system",), system, "system")]
    return [
        TextPart(("system", i, "text"), block["text"], "system")
        for i, block in enumerate(as_list(system))
        if isinstance(block, dict) and isinstance(block.get("text"), str)
    ]


def _content_parts(content: Any, path: JsonPath, role: str | None) -> list[TextPart]:
    """Converse content blocks: text, and tool results (text and json) sent back to the model."""
    if isinstance(content, str):  # OpenAI-shaped invoke bodies (Mistral, gpt-oss)
        return [TextPart(path, content, role)]
    parts: list[TextPart] = []
    for j, block in enumerate(as_list(content)):
        if not isinstance(block, dict):
            continue
        if isinstance(block.get("text"), str):
            parts.append(TextPart((*path, j, "text"), block["text"], role))
        result = block.get("toolResult")
        if isinstance(result, dict):
            for k, item in enumerate(as_list(result.get("content"))):
                if isinstance(item, dict) and isinstance(item.get("text"), str):
                    parts.append(TextPart((*path, j, "toolResult", "content", k, "text"), item["text"], "tool"))
                elif isinstance(item, dict) and "json" in item:
                    parts += string_leaves(item["json"], (*path, j, "toolResult", "content", k, "json"), "tool")
        # toolUse.input is a dict the model produced: sent back verbatim.
    return parts


def _tool_names(body: dict[str, Any]) -> list[str]:
    config = body.get("toolConfig")
    specs = as_list(config.get("tools")) if isinstance(config, dict) else []
    names = [
        t["toolSpec"]["name"]
        for t in specs
        if isinstance(t, dict) and isinstance(t.get("toolSpec"), dict) and isinstance(t["toolSpec"].get("name"), str)
    ]
    # OpenAI-shaped invoke bodies offer tools as {"type": "function", "function": {"name": ...}}.
    for tool in as_list(body.get("tools")):
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            names.append(function["name"])
    return names


def usage_from_json(operation: str, body: Any) -> Usage:
    """Usage from a Converse response, or an InvokeModel body of any family that reports it."""
    if not isinstance(body, dict):
        return Usage()
    usage = body.get("usage")
    if isinstance(usage, dict):
        if "inputTokens" in usage or "outputTokens" in usage:  # Converse, Nova
            return Usage(
                add_counts(
                    usage.get("inputTokens"),
                    usage.get("cacheReadInputTokens"),
                    usage.get("cacheWriteInputTokens"),
                ),
                as_int(usage.get("outputTokens")),
            )
        if "prompt_tokens" in usage:  # OpenAI-shaped models
            return Usage(as_int(usage.get("prompt_tokens")), as_int(usage.get("completion_tokens")))
        return anthropic.usage_from_json(operation, body)
    if "prompt_token_count" in body:  # Llama
        return Usage(as_int(body.get("prompt_token_count")), as_int(body.get("generation_token_count")))
    if "inputTextTokenCount" in body:  # Titan
        results = [r for r in as_list(body.get("results")) if isinstance(r, dict)]
        return Usage(as_int(body["inputTextTokenCount"]), add_counts(*(r.get("tokenCount") for r in results)))
    return Usage()


def usage_from_event(operation: str, event: Any, usage: Usage) -> Usage:
    """Fold a Converse-stream `metadata` event, or an invoke stream chunk (base64 JSON in `bytes`)."""
    if not isinstance(event, dict):
        return usage
    if isinstance(event.get("bytes"), str):
        try:
            event = json.loads(base64.b64decode(event["bytes"]))
        except (binascii.Error, ValueError):
            return usage
        if not isinstance(event, dict):
            return usage
    metrics = event.get("amazon-bedrock-invocationMetrics")
    if isinstance(metrics, dict):  # Bedrock's own count, on the last chunk of every model family
        return usage.updated_by(Usage(as_int(metrics.get("inputTokenCount")), as_int(metrics.get("outputTokenCount"))))
    if event.get("type") in ("message_start", "message_delta"):
        return anthropic.usage_from_event(operation, event, usage)
    metadata = event.get("metadata")  # ConverseStream wraps the event in its type when not split by header
    if isinstance(metadata, dict):
        event = metadata
    return usage.updated_by(usage_from_json(operation, event))


def usage_from_headers(operation: str, headers: Mapping[str, str]) -> Usage:
    """InvokeModel puts the counts in x-amzn-bedrock-input-token-count / -output-token-count."""
    found: dict[str, int] = {}
    for key, value in headers.items():
        lowered = key.lower()
        if lowered in ("x-amzn-bedrock-input-token-count", "x-amzn-bedrock-output-token-count"):
            try:
                found[lowered] = int(value)
            except ValueError:
                continue
    return Usage(found.get("x-amzn-bedrock-input-token-count"), found.get("x-amzn-bedrock-output-token-count"))
