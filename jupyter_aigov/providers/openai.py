"""The OpenAI wire format: Chat Completions, Responses, Completions, Embeddings and compatibles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import TextPart, Usage, add_counts, as_list, as_str
from jupyter_aigov.providers.request_strings import Structure, request_strings, under

name = "openai"

# Content parts: of a chat message, of a Responses input item or tool output, of a moderations input.
_PARTS = ("messages.*.content.*", "input.*", "input.*.content.*", "input.*.output.*")
_PART_WORDS = (
    "type",
    "detail",
    "format",
    "file_id",
    "image_url.detail",
    "input_audio.format",
    "file.file_id",
    "annotations.*.type",
)
# What the format itself says in a request; every other string (user, metadata, names, descriptions,
# schemas' texts, stop sequences...) is analysed.
STRUCTURE = Structure(
    fields=(
        "model",
        "service_tier",
        "reasoning_effort",
        "verbosity",
        "modalities.*",
        "audio.voice",
        "audio.format",
        "encoding_format",
        "response_format",  # the images and speech endpoints' word ("b64_json", "mp3")
        "response_format.type",
        "response_format.json_schema.name",
        "prediction.type",
        "tool_choice",
        "tool_choice.type",
        "tool_choice.name",
        "tool_choice.function.name",
        "tool_choice.mode",
        "tool_choice.tools.*.type",
        "tool_choice.tools.*.name",
        "function_call",
        "function_call.name",
        "web_search_options.search_context_size",
        "web_search_options.user_location.type",
        "previous_response_id",
        "conversation",
        "conversation.id",
        "prompt.id",
        "prompt.version",
        "reasoning.effort",
        "reasoning.summary",
        "reasoning.generate_summary",
        "text.verbosity",
        "text.format.type",
        "text.format.name",
        "truncation",
        "include.*",
        "size",
        "quality",
        "style",
        "background",
        "output_format",
        "moderation",
        "voice",
        "voice.id",
        "messages.*.role",
        "messages.*.tool_call_id",
        "messages.*.audio.id",
        "messages.*.function_call.name",
        *under(
            ("messages.*.tool_calls.*",),
            ("id", "type", "function.name", "custom.name"),
        ),
        *under(
            ("tools.*", "functions.*"),
            (
                "type",
                "name",
                "function.name",
                "custom.name",
                "custom.format.type",
                "custom.format.syntax",
                "format.type",
                "format.syntax",
                "search_context_size",
                "user_location.type",
                "vector_store_ids.*",
                "container",
                "container.type",
                "container.file_ids.*",
                "server_label",
                "require_approval",
                "allowed_tools.*",
                "connector_id",
                "environment",
                "quality",
                "size",
                "output_format",
                "moderation",
                "background",
                "input_fidelity",
            ),
        ),
        *under(_PARTS, _PART_WORDS),
        *under(("input.*",), ("role", "id", "call_id", "status", "name", "summary.*.type", "action.type")),
    ),
    schemas=(
        "tools.*.function.parameters",
        "tools.*.parameters",
        "functions.*.parameters",
        "response_format.json_schema.schema",
        "text.format.schema",
    ),
    base64=(
        "input.*.encrypted_content",
        *under(
            _PARTS,
            (
                "image_url if data:",
                "image_url.url if data:",
                "input_audio.data",
                "file_data",
                "file.file_data",
            ),
        ),
        "input.*.output.image_url if data:",
    ),
)


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
    if not isinstance(body, dict):
        return path_params.get("model"), False, [], []
    # Azure names the deployment in the path; that, not the body, is what the call is served by.
    model = path_params.get("model") or as_str(body.get("model"))
    return model, body.get("stream") is True, text_parts(operation, body), _tool_names(body)


def text_parts(operation: str, body: Any) -> list[TextPart]:
    """Every string of the body that goes to the provider, but the format's own words and payloads."""
    return request_strings(body, STRUCTURE)


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
