"""The Anthropic Messages wire format (api.anthropic.com, Claude on Vertex and on Bedrock invoke)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import TextPart, Usage, add_counts, as_int, as_list, as_str
from jupyter_aigov.providers.request_strings import Structure, request_strings, under

name = "anthropic"

# Content blocks: of the system prompt and messages, inside a tool result, inside a document's content source.
_BLOCKS = (
    "system.*",
    "messages.*.content.*",
    "messages.*.content.*.content.*",
    "messages.*.content.*.source.content.*",
)
# What the format itself says in a request; every other string (metadata.user_id, tool descriptions, schemas'
# texts, thinking, tool inputs, stop sequences...) is analysed.
STRUCTURE = Structure(
    fields=(
        "model",
        "anthropic_version",
        "anthropic_beta.*",
        "service_tier",
        "container",
        "container.id",
        "thinking.type",
        "tool_choice.type",
        "tool_choice.name",
        "output_format.type",
        "output_config.effort",
        "output_config.format.type",
        "messages.*.role",
        "context_management.edits.*.type",
        *under(
            _BLOCKS,
            (
                "type",
                "id",
                "tool_use_id",
                "name",
                "signature",
                "cache_control.type",
                "cache_control.ttl",
                "source.type",
                "source.media_type",
                "source.file_id",
                "citations.*.type",
                "file_id",
            ),
        ),
        *under(
            ("tools.*",),
            ("type", "name", "cache_control.type", "cache_control.ttl", "user_location.type", "allowed_callers.*"),
        ),
        *under(("mcp_servers.*",), ("type", "name", "tool_configuration.allowed_tools.*")),
    ),
    schemas=("tools.*.input_schema", "output_format.schema", "output_config.format.schema"),
    base64=under(
        _BLOCKS,
        ("source.data if type=base64", "data if type=redacted_thinking", "encrypted_content", "encrypted_index"),
    ),
)


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
    if not isinstance(body, dict):
        return path_params.get("model"), False, [], []
    model = path_params.get("model") or as_str(body.get("model"))
    tools = [t["name"] for t in as_list(body.get("tools")) if isinstance(t, dict) and isinstance(t.get("name"), str)]
    return model, body.get("stream") is True, text_parts(operation, body), tools


def text_parts(operation: str, body: Any) -> list[TextPart]:
    """Every string of the body that goes to the provider, but the format's own words and payloads."""
    return request_strings(body, STRUCTURE)


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
