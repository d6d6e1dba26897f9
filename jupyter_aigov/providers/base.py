"""What a wire-format module reads from an AI call: the request's model, text and tools, and the usage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class TextPart:
    """One string of a request body to analyse, with its JSON path and the role of the message holding it."""

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

    def updated_by(self, later: Usage) -> Usage:
        """Providers report cumulative counts: a later report replaces this one, field by field."""
        return Usage(
            later.input_tokens if later.input_tokens is not None else self.input_tokens,
            later.output_tokens if later.output_tokens is not None else self.output_tokens,
        )


@dataclass
class AIRequest:
    """An outbound HTTP request recognised as an AI call."""

    provider: str  # who serves it: "openai", "azure-openai", "anthropic", ... or a policy-declared name
    api: str  # the wire format: "openai", "anthropic", "gemini", "bedrock", "ollama"
    operation: str  # e.g. "chat.completions", "responses", "messages", "generateContent", "converse"
    model: str | None
    stream: bool
    body: Any  # the parsed JSON body (dict), or None when the body was empty
    # every string of the body but the wire format's own words (ids, roles, enums, schema keywords, base64)
    text_parts: list[TextPart] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)  # names of tools offered to the model
    # how a call whose body is not JSON (a gRPC message) travels: None for JSON over HTTP
    messages: MessageCodec | None = None


class MessageCodec(Protocol):
    """A call carried in messages that are not JSON (gRPC's protobuf): `body` is their REST twin's JSON."""

    def request_bytes(self, body: Any) -> bytes:
        """The request message holding what the twin `body` (changed: redacted, stripped) holds now."""
        ...

    def answer_json(self, message: bytes) -> Any:
        """One answer message as its REST twin's JSON (a streamed chunk, or the whole answer); ValueError if not."""
        ...

    def answer_bytes(self, message: bytes, answer: Any) -> bytes:
        """The answer message holding what its twin `answer` (changed: values restored, masked) holds now."""
        ...


class WireFormat(Protocol):
    """One wire format (openai, anthropic, gemini, bedrock, ollama): parses requests and responses."""

    name: str

    def parse_request(
        self, operation: str, path_params: Mapping[str, str], body: Any
    ) -> tuple[str | None, bool, list[TextPart], list[str]]:
        """Return (model, stream, text_parts, tool_names) read from a parsed JSON body."""
        ...

    def text_parts(self, operation: str, body: Any) -> list[TextPart]:
        """Every string of a body that goes to the provider, but the format's own words and payloads."""
        ...

    def usage_from_json(self, operation: str, body: Any) -> Usage:
        """Usage from a complete (non-streaming) JSON response body."""
        ...

    def usage_from_event(self, operation: str, event: Any, usage: Usage) -> Usage:
        """Fold one decoded stream event (an SSE data JSON, an NDJSON line, ...) into the usage so far."""
        ...

    def usage_from_headers(self, operation: str, headers: Mapping[str, str]) -> Usage:
        """Usage a provider reports in response headers (Bedrock invoke); Usage() when none."""
        ...


def value_at(body: Any, path: JsonPath) -> Any:
    """The value at a JSON path, e.g. value_at(body, part.path) == part.text."""
    for key in path:
        body = body[key]
    return body


def set_at(body: Any, path: JsonPath, value: Any) -> None:
    """Replace the value at a JSON path in place (how redaction writes a TextPart back)."""
    for key in path[:-1]:
        body = body[key]
    body[path[-1]] = value


def as_int(value: Any) -> int | None:
    """A token count from JSON: ints only (bools and junk are None)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_str(value: Any) -> str | None:
    """A JSON value if it is a string, else None."""
    return value if isinstance(value, str) else None


def as_list(value: Any) -> list[Any]:
    """A JSON value if it is a list, else []."""
    return value if isinstance(value, list) else []


def add_counts(*values: Any) -> int | None:
    """Sum the token counts that are present; None when none is."""
    counts = [v for v in map(as_int, values) if v is not None]
    return sum(counts) if counts else None


def string_leaves(value: Any, path: JsonPath, role: str | None) -> list[TextPart]:
    """Every string inside a JSON value (a tool result's data), each as a TextPart with its own path."""
    if isinstance(value, str):
        return [TextPart(path, value, role)] if value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in string_leaves(v, (*path, k), role)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in string_leaves(v, (*path, i), role)]
    return []


def header_value(headers: Mapping[str, Any] | None, name: str) -> str:
    """A header's value ("" when absent): client header objects look up case-insensitively, a plain dict
    (botocore's) may hold any casing and is scanned; bytes values are decoded."""
    if not headers:
        return ""
    value = headers.get(name)
    if value is None and type(headers) is dict:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value) if value is not None else ""
