"""Google's Live API (Gemini and Vertex AI): JSON messages over a websocket, the model named in the first one.

The first client message is `setup` (`model`, `systemInstruction`, `tools`); then `clientContent` (turns of
text parts), `realtimeInput` (media chunks: payloads; `text`: text) and `toolResponse`. The server answers with
`serverContent` (the model's turn), `toolCall` (`functionCalls`) and `usageMetadata`. Keys may be camelCase or
snake_case. Sources: https://ai.google.dev/api/live
                     https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/multimodal-live
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import TextPart, Usage, add_counts, as_int, as_list, as_str
from jupyter_aigov.providers.request_strings import Structure, request_strings, under

name = "gemini-live"

_PARTS = ("clientContent.turns.*.parts.*", "setup.systemInstruction.parts.*")
STRUCTURE = Structure(
    fields=(
        "setup.model",
        "setup.generationConfig.responseModalities.*",
        "setup.generationConfig.mediaResolution",
        "setup.generationConfig.speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName",
        "setup.generationConfig.speechConfig.languageCode",
        "setup.systemInstruction.role",
        "clientContent.turns.*.role",
        *under(_PARTS, ("inlineData.mimeType", "fileData.mimeType", "fileData.fileUri")),
        "realtimeInput.mediaChunks.*.mimeType",
        "realtimeInput.audio.mimeType",
        "realtimeInput.video.mimeType",
        "toolResponse.functionResponses.*.id",
        "toolResponse.functionResponses.*.name",
        "setup.tools.*.functionDeclarations.*.name",
        "setup.tools.*.functionDeclarations.*.behavior",
    ),
    schemas=("setup.tools.*.functionDeclarations.*.parameters",),
    base64=(
        *under(_PARTS, ("inlineData.data",)),
        "realtimeInput.mediaChunks.*.data",
        "realtimeInput.audio.data",
        "realtimeInput.video.data",
    ),
    camel_case=True,  # written camelCase: snake_case keys match as their twins
)


def _get(body: Any, snake: str) -> Any:
    """A member by its snake_case or camelCase key."""
    if not isinstance(body, dict):
        return None
    if snake in body:
        return body[snake]
    head, *rest = snake.split("_")
    return body.get(head + "".join(word.title() for word in rest))


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) of one client message."""
    return model_of(body), True, text_parts(operation, body), tool_names(body)


def model_of(body: Any) -> str | None:
    """The model a `setup` message names ("models/gemini-live-2.5-flash" read as "gemini-live-2.5-flash")."""
    model = as_str(_get(_get(body, "setup"), "model"))
    return model.rsplit("/models/", 1)[-1].removeprefix("models/") if model else None


def text_parts(operation: str, body: Any) -> list[TextPart]:
    """Every string of a client message that goes to the model, but the format's own words and payloads."""
    return request_strings(body, STRUCTURE)


def tool_names(body: Any) -> list[str]:
    """Functions a `setup` offers the model (built-in tools by their key: googleSearch, codeExecution...)."""
    names: list[str] = []
    for tool in as_list(_get(_get(body, "setup"), "tools")):
        declarations = _get(tool, "function_declarations")
        if isinstance(declarations, list):
            names += [found for d in declarations if (found := as_str(_get(d, "name")))]
        elif isinstance(tool, dict):
            names += list(tool)
    return names


def usage_from_json(operation: str, body: Any) -> Usage:
    """Usage of one `usageMetadata`."""
    if not isinstance(body, dict):
        return Usage()
    output = add_counts(_get(body, "response_token_count"), _get(body, "candidates_token_count"))
    return Usage(as_int(_get(body, "prompt_token_count")), output)


def usage_from_event(operation: str, event: Any, usage: Usage) -> Usage:
    """Each turn reports its own `usageMetadata`: they add up over the session."""
    this = usage_from_json(operation, _get(event, "usage_metadata"))
    if this == Usage():
        return usage
    return Usage(add_counts(usage.input_tokens, this.input_tokens), add_counts(usage.output_tokens, this.output_tokens))


def usage_from_headers(operation: str, headers: Mapping[str, str]) -> Usage:
    """The handshake's answer carries no usage."""
    return Usage()
