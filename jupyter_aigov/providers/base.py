"""What a wire-format module reads from an AI call: the request's model, text and tools, and the usage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class TextPart:
    """One piece of prompt text, with the JSON path where it sits in the request body."""

    path: JsonPath
    text: str
    role: str | None = None


@dataclass(frozen=True)
class Usage:
    """Tokens counted by the provider for one call; None where the provider did not say."""

    input_tokens: int | None = None
    output_tokens: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens}


@dataclass
class AIRequest:
    """An outbound HTTP request recognised as an AI call."""

    provider: str  # who serves it: "openai", "azure-openai", "anthropic", ... or a policy-declared name
    api: str  # the wire format: "openai", "anthropic", "gemini", "bedrock", "ollama"
    operation: str  # e.g. "chat.completions", "responses", "messages", "generateContent", "converse"
    model: str | None
    stream: bool
    body: Any  # the parsed JSON body (dict), or None when the body was empty
    text_parts: list[TextPart] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)  # names of tools offered to the model


class WireFormat(Protocol):
    """One wire format (openai, anthropic, gemini, bedrock, ollama): parses requests and responses."""

    name: str

    def parse_request(self, operation: str, path_params: Mapping[str, str], body: Any) -> tuple[
        str | None, bool, list[TextPart], list[str]
    ]:
        """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
        ...

    def usage_from_json(self, operation: str, body: Any) -> Usage:
        """Usage from a complete (non-streaming) JSON response body."""
        ...

    def usage_from_event(self, operation: str, event: Any, usage: Usage) -> Usage:
        """Fold one decoded stream event (an SSE data JSON, an NDJSON line, ...) into the usage so far."""
        ...
