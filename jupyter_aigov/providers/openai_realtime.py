"""The OpenAI Realtime wire format: JSON events over a websocket (also Azure OpenAI's Realtime).

The model is named at connect (`?model=`, Azure's `?deployment=`), read by the catalogue. What a client sends
is one event per text message: its text is every string but the event's own words (`session.update`
instructions and tool descriptions, `conversation.item.create` input_text, `response.create` instructions and
input). Audio travels as base64 inside events (`input_audio_buffer.append`): a payload, not text.
Sources: https://platform.openai.com/docs/api-reference/realtime-client-events
         https://platform.openai.com/docs/api-reference/realtime-server-events
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import TextPart, Usage, add_counts, as_int, as_list, as_str
from jupyter_aigov.providers.request_strings import Structure, request_strings, under

name = "openai-realtime"

_ITEMS = ("item", "response.input.*")  # a conversation item: created by the client, or given to one response
_CONTENT_WORDS = ("type", "audio", "image_url if data:", "transcript_id", "detail", "id", "file_id")
_SESSIONS = ("session", "response")  # a session's settings, and one response's own settings
_TOOL_WORDS = ("type", "name", "server_label", "require_approval", "allowed_tools.*", "connector_id")
_SESSION_WORDS = (
    "type",
    "model",
    "voice",
    "modalities.*",
    "output_modalities.*",
    "input_audio_format",
    "output_audio_format",
    "input_audio_format.type",
    "output_audio_format.type",
    "audio.input.format.type",
    "audio.input.format.rate",
    "audio.output.format.type",
    "audio.output.format.rate",
    "audio.output.voice",
    "audio.input.noise_reduction.type",
    "audio.input.transcription.model",
    "audio.input.transcription.language",
    "audio.input.turn_detection.type",
    "audio.input.turn_detection.eagerness",
    "input_audio_transcription.model",
    "input_audio_transcription.language",
    "input_audio_noise_reduction.type",
    "turn_detection.type",
    "turn_detection.eagerness",
    "tool_choice",
    "tool_choice.type",
    "tool_choice.name",
    "tracing",
    "truncation",
    "truncation.type",
    "include.*",
    "conversation",
    "prompt.id",
    "prompt.version",
    "max_output_tokens",
    "max_response_output_tokens",
    "client_secret.value",
)
# What the format itself says in a client event; every other string (instructions, input_text, tool
# descriptions, metadata, a function call's output) is analysed.
STRUCTURE = Structure(
    fields=(
        "type",
        "event_id",
        "previous_item_id",
        "item_id",
        "content_index",
        "response_id",
        *under(_ITEMS, ("id", "type", "role", "status", "call_id", "name", "object")),
        *under(tuple(f"{item}.content.*" for item in _ITEMS), _CONTENT_WORDS),
        *under(_SESSIONS, _SESSION_WORDS),
        *under(tuple(f"{session}.tools.*" for session in _SESSIONS), _TOOL_WORDS),
    ),
    schemas=tuple(f"{session}.tools.*.parameters" for session in _SESSIONS),
    base64=("audio", *under(tuple(f"{item}.content.*" for item in _ITEMS), ("audio", "image_url if data:"))),
)


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) of one client event (`operation` is its type)."""
    if not isinstance(body, dict):
        return path_params.get("model"), True, [], []
    return model_of(body) or path_params.get("model"), True, text_parts(operation, body), tool_names(body)


def event_type(body: Any) -> str:
    """A client or server event's `type` ("" when it has none)."""
    return (as_str(body.get("type")) if isinstance(body, dict) else None) or ""


def model_of(body: Any) -> str | None:
    """The model a `session.update` switches the session to, when it names one."""
    session = body.get("session") if isinstance(body, dict) else None
    return as_str(session.get("model")) if isinstance(session, dict) else None


def text_parts(operation: str, body: Any) -> list[TextPart]:
    """Every string of a client event that goes to the model, but the format's own words and payloads."""
    return request_strings(body, STRUCTURE)


def tool_names(body: Any) -> list[str]:
    """Function tools a `session.update` or `response.create` offers the model (built-ins by type)."""
    names: list[str] = []
    for key in _SESSIONS:
        settings = body.get(key) if isinstance(body, dict) else None
        for tool in as_list(settings.get("tools") if isinstance(settings, dict) else None):
            if isinstance(tool, dict):
                found = as_str(tool.get("name")) or as_str(tool.get("server_label")) or as_str(tool.get("type"))
                if found:
                    names.append(found)
    return names


def usage_from_json(operation: str, body: Any) -> Usage:
    """Usage of one `response.done` event's response."""
    usage = body.get("usage") if isinstance(body, dict) else None
    if not isinstance(usage, dict):
        return Usage()
    return Usage(as_int(usage.get("input_tokens")), as_int(usage.get("output_tokens")))


def usage_from_event(operation: str, event: Any, usage: Usage) -> Usage:
    """Each response of a session reports its own usage at `response.done`: they add up over the session."""
    if event_type(event) != "response.done":
        return usage
    response = event.get("response")
    this = usage_from_json(operation, response)
    return Usage(
        add_counts(usage.input_tokens, this.input_tokens),
        add_counts(usage.output_tokens, this.output_tokens),
    )


def usage_from_headers(operation: str, headers: Mapping[str, str]) -> Usage:
    """The handshake's answer carries no usage."""
    return Usage()
