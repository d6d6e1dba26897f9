"""The Amazon Bedrock runtime wire format: Converse(Stream), and InvokeModel bodies of each model family."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers import anthropic, openai
from jupyter_aigov.providers.base import TextPart, Usage, add_counts, as_int, as_list
from jupyter_aigov.providers.request_strings import Structure, request_strings, under

name = "bedrock"

_STREAMING = frozenset({"converse-stream", "invoke-with-response-stream"})
_INVOKE = frozenset({"invoke", "invoke-with-response-stream"})

# Content blocks: of the system prompt and messages, and inside a tool result.
_BLOCKS = ("system.*", "messages.*.content.*", "messages.*.content.*.toolResult.content.*")
_MEDIA = ("image", "document", "video", "audio", "guardContent.image")
# What Converse (and Nova's invoke body, its twin) says in a request; every other string (system, tool
# descriptions, schemas' texts, tool inputs and results, stop sequences, request metadata...) is analysed.
CONVERSE = Structure(
    fields=(
        "messages.*.role",
        "toolConfig.tools.*.toolSpec.name",
        "toolConfig.tools.*.cachePoint.type",
        "toolConfig.toolChoice.tool.name",
        "guardrailConfig.guardrailIdentifier",
        "guardrailConfig.guardrailVersion",
        "guardrailConfig.trace",
        "guardrailConfig.streamProcessingMode",
        "additionalModelResponseFieldPaths.*",
        "performanceConfig.latency",
        "projectIdentifier",
        "serviceTier.type",
        "outputConfig.textFormat.type",
        "outputConfig.textFormat.structure.jsonSchema.name",
        *under(
            _BLOCKS,
            (
                "cachePoint.type",
                "toolUse.toolUseId",
                "toolUse.name",
                "toolUse.type",
                "toolResult.toolUseId",
                "toolResult.status",
                "toolResult.type",
                "guardContent.text.qualifiers.*",
                *under(_MEDIA, ("format", "source.s3Location.bucketOwner")),
            ),
        ),
    ),
    schemas=("toolConfig.tools.*.toolSpec.inputSchema.json",),
    base64=under(
        _BLOCKS,
        (
            *under(_MEDIA, ("source.bytes",)),
            "reasoningContent.redactedContent",
            "reasoningContent.reasoningText.signature",
        ),
    ),
)
# InvokeModel bodies of the other families: OpenAI-shaped (Mistral, gpt-oss), Titan, Cohere, Llama, Nova.
INVOKE = (
    CONVERSE
    + openai.STRUCTURE
    + Structure(
        fields=(
            "schemaVersion",
            "input_type",
            "truncate",
            "embedding_types.*",
            "embeddingTypes.*",
            "chat_history.*.role",
            "tools.*.parameter_definitions.*.type",
        )
    )
)
# Anthropic's Messages body as Bedrock takes it (anthropic_version instead of a model).
INVOKE_ANTHROPIC = anthropic.STRUCTURE


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
    return model, stream, text_parts(operation, body), _tool_names(body)


def text_parts(operation: str, body: Any) -> list[TextPart]:
    """Every string of the body that goes to the provider, but the format's own words and payloads."""
    if operation not in _INVOKE:
        return request_strings(body, CONVERSE)
    if isinstance(body, dict) and "anthropic_version" in body:
        return request_strings(body, INVOKE_ANTHROPIC)
    return request_strings(body, INVOKE)


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
