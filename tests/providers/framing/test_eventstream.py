"""AWS event-stream framing: messages cut anywhere, both CRCs checked, headers of every type, re-encoding."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from jupyter_aigov.providers.framing import (
    EventStreamFramer,
    EventStreamMessage,
    Unframed,
    encode_message,
    frame,
    parse_headers,
)
from jupyter_aigov.testing.aws_eventstream import encode, event

from ..sdk_fixtures import event_message

STREAM = (
    event("messageStart", {"role": "assistant"})
    + event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Olá"}})
    + encode({":message-type": "exception", ":exception-type": "throttlingException"}, b'{"message": "slow"}')
)
PAYLOADS = [{"role": "assistant"}, {"contentBlockIndex": 0, "delta": {"text": "Olá"}}, {"message": "slow"}]


def frames_of(chunks: list[bytes]) -> list:
    framer = EventStreamFramer()
    return [f for chunk in chunks for f in framer.feed(chunk)] + framer.close()


def corrupted(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0xFF
    return bytes(changed)


def test_when_a_stream_is_split_at_any_byte_then_the_same_messages_come_out() -> None:
    for cut in range(len(STREAM) + 1):
        frames = frames_of([STREAM[:cut], STREAM[cut:]])
        assert [f.payload for f in frames] == PAYLOADS, cut
        assert b"".join(f.raw for f in frames) == STREAM


def test_when_a_stream_comes_one_byte_at_a_time_then_the_same_messages_come_out() -> None:
    frames = frames_of([STREAM[i : i + 1] for i in range(len(STREAM))])
    assert [f.payload for f in frames] == PAYLOADS
    assert [(f.message_type, f.event_type) for f in frames] == [
        ("event", "messageStart"),
        ("event", "contentBlockDelta"),
        ("exception", None),
    ]


FIRST = len(event("messageStart", {"role": "assistant"}))


@pytest.mark.parametrize(
    ("name", "stream", "problem"),
    [
        ("prelude CRC", corrupted(STREAM, FIRST + 9), "a message prelude failed its CRC32 or length check"),
        ("total length", corrupted(STREAM, FIRST + 1), "a message prelude failed its CRC32 or length check"),
        ("message CRC", corrupted(STREAM, 2 * FIRST - 2), "a message failed its CRC32 check"),
        ("payload byte", corrupted(STREAM, FIRST + 30), "a message failed its CRC32 check"),
    ],
)
@pytest.mark.parametrize("step", [1, 13, 100_000])
def test_when_a_crc_fails_then_it_is_a_framing_error_and_nothing_after_it_is_framed(
    name: str, stream: bytes, problem: str, step: int
) -> None:
    frames = frames_of([stream[i : i + step] for i in range(0, len(stream), step)])
    assert b"".join(f.raw for f in frames) == stream  # passed on as it came, for the client to refuse
    assert [f.payload for f in frames if isinstance(f, EventStreamMessage)] == PAYLOADS[:1]
    assert [f.problem for f in frames if isinstance(f, Unframed) and f.problem] == [
        f"event stream unreadable from here on: {problem}"
    ]


def test_when_a_message_is_longer_than_the_bound_then_it_is_a_framing_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frame, "MAX_EVENT_BYTES", 64)
    (unframed,) = EventStreamFramer().feed(event("chunk", {"bytes": "x" * 100}))
    assert isinstance(unframed, Unframed) and "length check" in (unframed.problem or "")


def test_when_headers_do_not_parse_then_it_is_a_framing_error() -> None:
    (unframed,) = EventStreamFramer().feed(encode_message(b"\x03abc\x63", b"{}"))  # value type 99
    assert unframed.problem == "event stream unreadable from here on: a message's headers could not be read"


@pytest.mark.parametrize("cut", [1, 11, 12, 20, len(STREAM) - FIRST - 1])
def test_when_the_stream_ends_inside_a_message_then_its_bytes_pass_unframed_without_a_problem(cut: int) -> None:
    stream = STREAM[: FIRST + cut]
    frames = frames_of([stream])
    assert b"".join(f.raw for f in frames) == stream
    assert isinstance(frames[-1], Unframed) and frames[-1].problem is None


def test_when_headers_have_every_value_type_then_each_is_read() -> None:
    headers = {":event-type": "metadata", "yes": True, "no": False, "count": 7, "blob": b"\x00\x01"}
    raw = event_message(headers, b"{}")
    typed = struct.pack(">B", 4) + b"byte" + bytes([2, 0xFF]) + struct.pack(">B", 5) + b"short" + b"\x03\x00\x05"
    typed += struct.pack(">B", 4) + b"long" + b"\x05" + (2**40).to_bytes(8, "big")
    typed += struct.pack(">B", 2) + b"ts" + b"\x08" + (1700).to_bytes(8, "big")
    typed += struct.pack(">B", 4) + b"uuid" + b"\x09" + bytes(range(16))
    (message,) = EventStreamFramer().feed(raw)
    assert message.headers == headers
    assert parse_headers(typed) == {"byte": -1, "short": 5, "long": 2**40, "ts": 1700, "uuid": bytes(range(16))}


def test_when_a_message_is_given_new_data_then_both_crcs_are_computed_afresh() -> None:
    (message,) = EventStreamFramer().feed(event("chunk", {"a": 1}))
    changed = message.with_data(json.dumps({"a": 2}).encode())
    assert changed.raw == event("chunk", {"a": 2})
    (again,) = EventStreamFramer().feed(changed.raw)
    assert again.payload == {"a": 2} and again.headers == message.headers
    prelude_crc, message_crc = struct.unpack_from(">I", changed.raw, 8)[0], struct.unpack(">I", changed.raw[-4:])[0]
    assert (prelude_crc, message_crc) == (zlib.crc32(changed.raw[:8]), zlib.crc32(changed.raw[:-4]))
