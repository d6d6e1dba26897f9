"""NDJSON framing: one line per frame, cut anywhere, any line ends, a last line without one."""

from __future__ import annotations

import pytest

from jupyter_aigov.providers.framing import NOT_JSON, NDJSONFramer, NDJSONLine, Unframed, frame

# (name, stream, each line's data)
STREAMS = [
    ("lf", b'{"a": 1}\n{"b": 2}\n', [b'{"a": 1}', b'{"b": 2}']),
    ("crlf", b'{"a": 1}\r\n{"b": 2}\r\n', [b'{"a": 1}', b'{"b": 2}']),
    ("cr", b'{"a": 1}\r{"b": 2}\r', [b'{"a": 1}', b'{"b": 2}']),
    ("blank lines", b'{"a": 1}\n\n{"b": 2}\n', [b'{"a": 1}', b"", b'{"b": 2}']),
    ("no last line end", b'{"a": 1}\n{"b": 2}', [b'{"a": 1}', b'{"b": 2}']),
]


def frames_of(chunks: list[bytes]) -> list:
    framer = NDJSONFramer()
    return [f for chunk in chunks for f in framer.feed(chunk)] + framer.close()


@pytest.mark.parametrize(("stream", "data"), [s[1:] for s in STREAMS], ids=[s[0] for s in STREAMS])
def test_when_a_stream_is_split_at_any_byte_then_the_same_lines_come_out(stream: bytes, data: list[bytes]) -> None:
    for cut in range(len(stream) + 1):
        frames = frames_of([stream[:cut], stream[cut:]])
        assert [f.data for f in frames] == data, cut
        assert b"".join(f.raw for f in frames) == stream


@pytest.mark.parametrize(("stream", "data"), [s[1:] for s in STREAMS], ids=[s[0] for s in STREAMS])
def test_when_a_stream_comes_one_byte_at_a_time_then_the_same_lines_come_out(stream: bytes, data: list[bytes]) -> None:
    frames = frames_of([stream[i : i + 1] for i in range(len(stream))])
    assert [f.data for f in frames] == data
    assert b"".join(f.raw for f in frames) == stream


def test_when_a_line_is_parsed_then_blank_or_broken_lines_are_not_json() -> None:
    frames = NDJSONFramer().feed(b'{"a": 1}\n\n{oops\n')
    assert [f.payload for f in frames] == [{"a": 1}, NOT_JSON, NOT_JSON]


@pytest.mark.parametrize(("stream", "terminator"), [(b'{"a": 1}', b"\n"), (b'{"a": 1}\r', b"")])
def test_when_the_last_line_has_no_end_then_it_says_what_would_end_it(stream: bytes, terminator: bytes) -> None:
    framer = NDJSONFramer()
    assert framer.feed(stream) == []
    (line,) = framer.close()
    assert line.terminator() == terminator


def test_when_a_line_is_given_new_data_then_its_line_end_is_kept() -> None:
    (line,) = NDJSONFramer().feed(b'{"a": 1}\r\n')
    assert line.with_data(b'{"a":2}').raw == b'{"a":2}\r\n'
    assert line.like(b"{}").raw == b"{}\r\n"
    assert isinstance(line.like(b"{}"), NDJSONLine)


@pytest.mark.parametrize("step", [1, 7, 60])
def test_when_a_line_grows_over_the_bound_then_it_passes_unframed_and_later_lines_are_framed(
    monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    monkeypatch.setattr(frame, "MAX_EVENT_BYTES", 100)
    stream = b'{"a": 1}\n' + b"x" * 250 + b'\r\n{"b": 2}\n'
    frames = frames_of([stream[i : i + step] for i in range(0, len(stream), step)])
    assert b"".join(f.raw for f in frames) == stream
    assert [f.payload for f in frames if isinstance(f, NDJSONLine)] == [{"a": 1}, {"b": 2}]
    assert [f.problem for f in frames if isinstance(f, Unframed) and f.problem] == ["a line over 100 bytes was skipped"]


def test_when_a_line_over_the_bound_arrives_whole_then_it_is_framed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frame, "MAX_EVENT_BYTES", 100)  # the bound keeps what is buffered small, not what came
    (line,) = NDJSONFramer().feed(b'{"a": "' + b"x" * 200 + b'"}\n')
    assert line.payload == {"a": "x" * 200}
