"""The Gemini wire format (generativelanguage.googleapis.com and Vertex AI): model and streaming by path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_aigov.providers.base import TextPart, Usage, add_counts, as_list
from jupyter_aigov.providers.request_strings import Structure, request_strings, under

name = "gemini"

# Where a request's fields sit: the body itself, a countTokens' wrapped request, each batchEmbedContents request.
_REQUESTS = ("", "generateContentRequest", "requests.*")
# Contents: the conversation, the system instruction, an embedContent's content.
_CONTENTS = ("contents.*", "systemInstruction", "content")
_PART_WORDS = (
    "role",
    "parts.*.inlineData.mimeType",
    "parts.*.fileData.mimeType",
    "parts.*.functionCall.id",
    "parts.*.functionCall.name",
    "parts.*.functionResponse.id",
    "parts.*.functionResponse.name",
    "parts.*.functionResponse.scheduling",
    "parts.*.executableCode.language",
    "parts.*.codeExecutionResult.outcome",
)
_REQUEST_WORDS = (
    "model",
    "cachedContent",
    "taskType",
    "toolConfig.functionCallingConfig.mode",
    "toolConfig.functionCallingConfig.allowedFunctionNames.*",
    "toolConfig.retrievalConfig.languageCode",
    "generationConfig.responseMimeType",
    "generationConfig.responseModalities.*",
    "generationConfig.mediaResolution",
    "generationConfig.thinkingConfig.thinkingLevel",
    "generationConfig.speechConfig.languageCode",
    "generationConfig.speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName",
    "safetySettings.*.category",
    "safetySettings.*.threshold",
    "safetySettings.*.method",
    "tools.*.functionDeclarations.*.name",
    "tools.*.functionDeclarations.*.behavior",
    "tools.*.googleSearchRetrieval.dynamicRetrievalConfig.mode",
    "tools.*.retrieval.vertexAiSearch.datastore",
    "tools.*.retrieval.vertexAiSearch.engine",
    "tools.*.retrieval.vertexRagStore.ragResources.*.ragCorpus",
    "tools.*.computerUse.environment",
    *under(_CONTENTS, _PART_WORDS),
)
_REQUEST_SCHEMAS = (
    "generationConfig.responseSchema",
    "generationConfig.responseJsonSchema",
    *under(
        ("tools.*.functionDeclarations.*",),
        ("parameters", "parametersJsonSchema", "response", "responseJsonSchema"),
    ),
)
_REQUEST_BASE64 = under(_CONTENTS, ("parts.*.inlineData.data", "parts.*.thoughtSignature"))
# What the format itself says in a request; every other string (system instruction, function descriptions,
# schemas' texts, labels, stop sequences, thoughts...) is analysed.
STRUCTURE = Structure(
    fields=under(_REQUESTS, _REQUEST_WORDS),
    schemas=under(_REQUESTS, _REQUEST_SCHEMAS),
    base64=under(_REQUESTS, _REQUEST_BASE64),
    camel_case=True,  # the REST API takes snake_case keys too
)


def parse_request(
    operation: str, path_params: Mapping[str, str], body: Any
) -> tuple[str | None, bool, list[TextPart], list[str]]:
    """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
    model = path_params.get("model")
    stream = operation == "streamGenerateContent"
    if not isinstance(body, dict):
        return model, stream, [], []
    return model, stream, text_parts(operation, body), _tool_names(body)


def text_parts(operation: str, body: Any) -> list[TextPart]:
    """Every string of the body that goes to the provider, but the format's own words and payloads."""
    return request_strings(body, STRUCTURE)


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
