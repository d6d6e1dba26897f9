"""Capture the HTTP requests the real SDKs send, and hand them canned responses (no network)."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2

from jupyter_aigov.pipeline.answer_stream import AnswerStream
from jupyter_aigov.providers import Usage


@dataclass
class Captured:
    """One request as it would have left the kernel."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


class Recorder:
    """An httpx2 transport handler that records requests and answers with one canned response."""

    def __init__(self, content: bytes | Any = b"{}", content_type: str = "application/json") -> None:
        self.content = content if isinstance(content, bytes) else json.dumps(content).encode()
        self.content_type = content_type
        self.requests: list[Captured] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(Captured(request.method, str(request.url), dict(request.headers), request.content))
        return httpx2.Response(200, content=self.content, headers={"content-type": self.content_type})

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    @property
    def last(self) -> Captured:
        return self.requests[-1]


class _RawBody:
    """What botocore reads a response body from."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body

    def close(self) -> None:
        pass


def boto_client(service: str, content: bytes, content_type: str, headers: dict[str, str] | None = None) -> Any:
    """A boto3 client whose requests are recorded (client.captured) and answered with `content`."""
    import boto3
    from botocore.awsrequest import AWSResponse

    client = boto3.client(
        service, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"
    )
    client.captured = []

    def before_send(request: Any, **_: Any) -> AWSResponse:
        raw_headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        client.captured.append(Captured(request.method, request.url, raw_headers, request.body or b""))
        response_headers = {"content-type": content_type, **(headers or {})}
        return AWSResponse(request.url, 200, response_headers, _RawBody(content))

    client.meta.events.register(f"before-send.{service}", before_send)
    return client


def sse(*events: Any, crlf: bool = False) -> bytes:
    """Server-sent events: each a JSON data line (or a raw string), with an `event:` line when typed."""
    eol = "\r\n" if crlf else "\n"
    out = []
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event, ensure_ascii=False)
        kind = event.get("type") if isinstance(event, dict) else None
        out.append((f"event: {kind}{eol}" if kind else "") + f"data: {data}{eol}{eol}")
    return "".join(out).encode()


def ndjson(*lines: Any) -> bytes:
    return b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)


def event_message(headers: dict[str, str | int | bool | bytes], payload: bytes) -> bytes:
    """One application/vnd.amazon.eventstream message (prelude, headers, payload, CRC32s)."""
    raw = b""
    for name, value in headers.items():
        raw += bytes([len(name)]) + name.encode()
        if isinstance(value, bool):
            raw += bytes([0 if value else 1])
        elif isinstance(value, int):
            raw += bytes([4]) + struct.pack(">i", value)
        elif isinstance(value, bytes):
            raw += bytes([6]) + struct.pack(">H", len(value)) + value
        else:
            raw += bytes([7]) + struct.pack(">H", len(value.encode())) + value.encode()
    prelude = struct.pack(">II", 12 + len(raw) + len(payload) + 4, len(raw))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + raw + payload
    return message + struct.pack(">I", zlib.crc32(message))


def aws_event(event_type: str, payload: Any) -> bytes:
    headers: dict[str, str | int | bool | bytes] = {
        ":event-type": event_type,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return event_message(headers, json.dumps(payload).encode())


def invoke_chunk(event: Any) -> bytes:
    """An InvokeModelWithResponseStream `chunk` event: the model's JSON event, base64 in `bytes`."""
    return aws_event("chunk", {"bytes": base64.b64encode(json.dumps(event).encode()).decode()})


def splits(data: bytes) -> list[tuple[str, list[bytes]]]:
    """Awkward ways a byte stream may arrive: whole, 1 byte at a time, uneven primes."""
    return [
        ("whole", [data]),
        ("bytewise", [data[i : i + 1] for i in range(len(data))]),
        ("sevens", [data[i : i + 7] for i in range(0, len(data), 7)]),
        ("halves", [data[: len(data) // 2], data[len(data) // 2 :]]),
    ]


class UsageTap:
    """An answer read for its usage only, fed as bytes, as a layer feeds one that nothing filters."""

    def __init__(
        self, api: str, operation: str, content_type: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        headers = dict(headers or {})
        if content_type is not None:
            headers["Content-Type"] = content_type
        self._answer = AnswerStream(api, operation, headers)

    @property
    def error(self) -> str | None:
        return self._answer.error

    def feed(self, chunk: bytes) -> None:
        assert self._answer.feed(chunk) is chunk  # passed on as it came

    def close(self) -> Usage:
        assert self._answer.close() == b""
        return self._answer.read_usage()
