"""The AWS event-stream binary encoding (application/vnd.amazon.eventstream) that Bedrock streams in.

A message is: total length (uint32) | headers length (uint32) | CRC32 of those 8 bytes |
headers | payload | CRC32 of everything before it. All integers big-endian. A header is:
name length (uint8) | name | value type (7 = string) | value length (uint16) | value.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Mapping
from typing import Any

CONTENT_TYPE = "application/vnd.amazon.eventstream"
_STRING = 7


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack(">B", len(raw_name)) + raw_name + struct.pack(">BH", _STRING, len(raw_value)) + raw_value


def encode(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One event-stream message with string headers."""
    raw_headers = b"".join(_header(k, v) for k, v in headers.items())
    prelude = struct.pack(">II", 12 + len(raw_headers) + len(payload) + 4, len(raw_headers))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + raw_headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event(event_type: str, payload: Any) -> bytes:
    """An event message whose payload is JSON, as botocore's rest-json event parser expects."""
    headers = {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"}
    return encode(headers, json.dumps(payload).encode())
