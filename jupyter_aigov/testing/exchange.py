"""The seam between the stand-in server and its wire formats: a Call in, an Answer out, Routes between."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import string
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from jupyter_aigov.testing.script import Reply

DEFAULT_REPLY_TEXT = "Hello from the stand-in {provider} provider. You said: {prompt}"


@dataclass(frozen=True)
class Call:
    """One request as a wire format sees it, with the reply it should give."""

    label: str  # the provider's name in the default text, e.g. "OpenAI"
    params: Mapping[str, str]  # the route's named groups, percent-decoded
    query: Mapping[str, str]
    body: Any  # parsed JSON, or None
    raw_size: int
    reply: Reply = field(default_factory=Reply)
    reply_text: str = DEFAULT_REPLY_TEXT

    def text(self, prompt: str) -> str:
        """The answer text: the scripted one, none beside tool calls, or the template echoing the prompt."""
        if self.reply.text is not None:
            return self.reply.text
        if self.reply.tool_calls:
            return ""
        return self.reply_text.replace("{provider}", self.label).replace("{prompt}", prompt[:40])

    def get(self, name: str, default: Any = None) -> Any:
        """A top-level field of the JSON body, tolerating bodies that are not objects."""
        return self.body.get(name, default) if isinstance(self.body, dict) else default

    @property
    def input_tokens(self) -> int:
        """Prompt tokens to report: scripted, or about one per four request bytes."""
        if self.reply.input_tokens is not None:
            return self.reply.input_tokens
        return max(1, self.raw_size // 4)

    def output_tokens(self, text: str) -> int:
        """Answer tokens to report: scripted, or about one per four characters of text and tool arguments."""
        if self.reply.output_tokens is not None:
            return self.reply.output_tokens
        arguments = sum(len(json.dumps(tc.arguments)) for tc in self.reply.tool_calls)
        return max(1, (len(text) + arguments) // 4)


@dataclass(frozen=True)
class Answer:
    """A response to send: a whole body, or (when events is set) a stream sent one event per chunk."""

    status: int = 200
    content_type: str = "application/json"
    body: bytes = b""
    events: Sequence[bytes] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """One served endpoint: method, a path template such as "/model/{modelId}/converse", and its format."""

    method: str
    path: str
    label: str
    handle: Callable[[Call], Answer]
    error: Callable[[int, str], Answer]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path's percent-decoded parameters when this route serves it, else None."""
        if method != self.method:
            return None
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        found = re.fullmatch(pattern, path)
        return {k: unquote(v) for k, v in found.groupdict().items()} if found else None


def json_answer(obj: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Answer:
    """A complete JSON answer."""
    return Answer(status=status, body=json.dumps(obj).encode(), headers=dict(headers or {}))


def sse(data: Any, event: str | None = None) -> bytes:
    """One server-sent event; data is JSON-encoded unless it is already a string."""
    payload = data if isinstance(data, str) else json.dumps(data)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def sse_answer(events: Sequence[bytes], headers: Mapping[str, str] | None = None) -> Answer:
    """A server-sent-events stream."""
    return Answer(content_type="text/event-stream", events=list(events), headers=dict(headers or {}))


def new_id(prefix: str, size: int = 24) -> str:
    """A random id in the provider's style, e.g. new_id("chatcmpl-")."""
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(size))


def words(text: str) -> list[str]:
    """Text split into streamable pieces (words with their trailing space) that join back to the text."""
    return re.findall(r"\S+\s*|\s+", text) or [""]


def thirds(text: str) -> list[str]:
    """Text split into up to three pieces, so streamed tool arguments arrive over several chunks."""
    step = max(1, -(-len(text) // 3))
    return [text[i : i + step] for i in range(0, len(text), step)] or [""]


def text_of(content: Any) -> str:
    """The text of a message's content: a string, or a list of parts carrying "text"."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p["text"]) for p in content if isinstance(p, dict) and "text" in p)
    return ""


def last_user_text(messages: Any, role_key: str = "role", user: str = "user") -> str:
    """The text of the last message from the user in a list of chat messages."""
    if not isinstance(messages, list):
        return ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get(role_key, user) == user:
            return text_of(message.get("content"))
    return ""


def embedding(text: str, dimensions: int = 8) -> list[float]:
    """A deterministic unit-range vector for a text, so equal inputs embed equally."""
    digest = hashlib.sha256(text.encode()).digest() * (1 + dimensions // 32)
    return [round(b / 127.5 - 1.0, 6) for b in digest[:dimensions]]


def float32_base64(vector: Sequence[float]) -> str:
    """A vector as base64 of little-endian float32, the encoding OpenAI's SDK asks for by default."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
