"""Framing behind gzip or deflate: compressed or already decoded, told apart by the first bytes."""

from __future__ import annotations

import gzip
import zlib

import pytest

from jupyter_aigov.providers.framing import Inflating, Unframed, framer_for

SSE = b'data: {"a": 1}\n\ndata: {"b": 2}\n\n'


@pytest.mark.parametrize(
    ("encoding", "data", "compressed"),
    [
        ("gzip", gzip.compress(SSE), True),
        ("x-gzip", gzip.compress(SSE), True),
        ("deflate", zlib.compress(SSE), True),
        ("gzip", SSE, False),  # already decoded by the client, the header left as sent
        ("deflate", SSE, False),
    ],
)
def test_when_an_answer_may_be_compressed_then_its_frames_are_read_either_way(
    encoding: str, data: bytes, compressed: bool
) -> None:
    for cut in range(len(data) + 1):
        framer = framer_for("text/event-stream", encoding)
        assert isinstance(framer, Inflating)
        frames = framer.feed(data[:cut]) + framer.feed(data[cut:]) + framer.close()
        assert [f.payload for f in frames] == [{"a": 1}, {"b": 2}], cut
        assert framer.compressed is compressed


def test_when_compressed_bytes_come_one_at_a_time_then_the_frames_are_read() -> None:
    data = gzip.compress(SSE)
    framer = framer_for("text/event-stream", "gzip")
    frames = [f for i in range(len(data)) for f in framer.feed(data[i : i + 1])] + framer.close()
    assert [f.payload for f in frames] == [{"a": 1}, {"b": 2}]


@pytest.mark.parametrize("data", [b"{", b""])
def test_when_a_body_is_too_short_to_be_compressed_then_it_is_read_as_it_is(data: bytes) -> None:
    framer = framer_for("application/json", "gzip")
    assert isinstance(framer, Inflating)
    framer.feed(data)
    assert [f.raw for f in framer.close()] == ([data] if data else [])
    assert framer.compressed is False


def test_when_compressed_bytes_are_corrupt_then_it_is_a_framing_error() -> None:
    data = bytearray(gzip.compress(SSE * 50))
    data[20:30] = b"\xff" * 10
    framer = framer_for("text/event-stream", "gzip")
    frames = framer.feed(bytes(data)) + framer.close()
    problems = [f.problem for f in frames if isinstance(f, Unframed)]
    assert problems == ["the gzip answer could not be inflated"]


def test_when_a_small_chunk_inflates_to_much_then_it_is_handed_on_in_steps() -> None:
    data = gzip.compress(b'data: {"a": 1}\n\n' * 200_000)  # 3.2 MB from a few kB
    framer = framer_for("text/event-stream", "gzip")
    assert len(framer.feed(data) + framer.close()) == 200_000


@pytest.mark.parametrize(
    ("content_type", "api", "framing"),
    [
        ("text/event-stream; charset=utf-8", "openai", "SSEFramer"),
        ("application/vnd.amazon.eventstream", "bedrock", "EventStreamFramer"),
        ("application/x-ndjson", "ollama", "NDJSONFramer"),
        ("application/jsonl", "openai", "NDJSONFramer"),
        ("", "ollama", "NDJSONFramer"),  # Ollama streams NDJSON whatever it says
        ("application/json", "ollama", "BodyFramer"),
        ("application/json", "openai", "BodyFramer"),
        ("text/html", "openai", "BodyFramer"),
        ("", "openai", "BodyFramer"),
    ],
)
def test_when_an_answer_has_a_content_type_then_its_framer_follows(content_type: str, api: str, framing: str) -> None:
    assert type(framer_for(content_type, "identity", api)).__name__ == framing
