"""SSE framing: events cut anywhere, any line ends, multi-line data, comments, an unterminated last event."""

from __future__ import annotations

import time

import pytest

from jupyter_aigov.providers.framing import NOT_JSON, SSEEvent, SSEFramer, Unframed, frame

# (name, stream, the data of each event, in order)
STREAMS = [
    ("lf", b'data: {"a": 1}\n\ndata: {"b": 2}\n\n', [b'{"a": 1}', b'{"b": 2}']),
    ("crlf", b'data: {"a": 1}\r\n\r\ndata: {"b": 2}\r\n\r\n', [b'{"a": 1}', b'{"b": 2}']),
    ("cr", b'data: {"a": 1}\r\rdata: {"b": 2}\r\r', [b'{"a": 1}', b'{"b": 2}']),
    ("mixed", b'event: x\r\ndata: {"a": 1}\n\rdata: {"b": 2}\r\n\n', [b'{"a": 1}', b'{"b": 2}']),
    ("multi-line data", b'data: {"a":\ndata:  1}\nid: 7\n\n', [b'{"a":\n 1}']),
    ("no space after the colon", b'data:{"a": 1}\n\n', [b'{"a": 1}']),
    ("comment and keep-alive", b': keep-alive\n\ndata: {"a": 1}\n\n', [b"", b'{"a": 1}']),
    ("done", b'data: {"a": 1}\n\ndata: [DONE]\n\n', [b'{"a": 1}', b"[DONE]"]),
    ("unterminated last event", b'data: {"a": 1}\n\ndata: {"b": 2}', [b'{"a": 1}', b'{"b": 2}']),
    ("last line without its blank line", b'data: {"a": 1}\n', [b'{"a": 1}']),
    ("not json", b"data: {not json\n\nevent: x\ndata: [1, 2\n\n", [b"{not json", b"[1, 2"]),
    ("utf-8", 'data: {"t": "Grüße 🙂"}\n\n'.encode(), ['{"t": "Grüße 🙂"}'.encode()]),
]


def frames_of(chunks: list[bytes]) -> list:
    framer = SSEFramer()
    frames = [f for chunk in chunks for f in framer.feed(chunk)]
    return frames + framer.close()


@pytest.mark.parametrize(("stream", "data"), [s[1:] for s in STREAMS], ids=[s[0] for s in STREAMS])
def test_when_a_stream_is_split_at_any_byte_then_the_same_events_come_out(stream: bytes, data: list[bytes]) -> None:
    for cut in range(len(stream) + 1):
        frames = frames_of([stream[:cut], stream[cut:]])
        assert [f.data for f in frames] == data, cut
        assert b"".join(f.raw for f in frames) == stream
        assert all(isinstance(f, SSEEvent) for f in frames)


@pytest.mark.parametrize(("stream", "data"), [s[1:] for s in STREAMS], ids=[s[0] for s in STREAMS])
def test_when_a_stream_comes_one_byte_at_a_time_then_the_same_events_come_out(stream: bytes, data: list[bytes]) -> None:
    frames = frames_of([stream[i : i + 1] for i in range(len(stream))])
    assert [f.data for f in frames] == data
    assert b"".join(f.raw for f in frames) == stream


def test_when_an_event_is_complete_then_it_comes_out_at_once_and_its_payload_is_parsed() -> None:
    framer = SSEFramer()
    assert framer.feed(b'data: {"a": 1}\n') == []
    (event,) = framer.feed(b"\n")
    assert event.payload == {"a": 1} and event.complete


@pytest.mark.parametrize("data", [b"[DONE]", b"", b"{not json"])
def test_when_the_data_is_not_json_then_the_payload_says_so(data: bytes) -> None:
    (event,) = SSEFramer().feed(b"data: " + data + b"\n\n")
    assert event.payload is NOT_JSON


def test_when_the_stream_ends_inside_an_event_then_close_gives_it_unterminated() -> None:
    framer = SSEFramer()
    assert framer.feed(b'event: x\r\ndata: {"a": 1}') == []
    (event,) = framer.close()
    assert event.payload == {"a": 1} and not event.complete
    assert event.terminator() == b"\r\n\r\n"


@pytest.mark.parametrize(
    ("stream", "data", "rewritten"),
    [
        (b'event: x\ndata: {"a":\ndata: 1}\nid: 3\n\n', b'{"a":2}', b'event: x\ndata: {"a":2}\nid: 3\n\n'),
        (b"data: a\r\n\r\n", b"b\nc", b"data: b\r\ndata: c\r\n\r\n"),
        (b": ping\n\n", b"{}", b": ping\ndata: {}\n\n"),
    ],
)
def test_when_an_event_is_given_new_data_then_only_its_data_lines_change(
    stream: bytes, data: bytes, rewritten: bytes
) -> None:
    (event,) = SSEFramer().feed(stream)
    assert event.with_data(data).raw == rewritten


def test_when_an_event_is_made_like_another_then_it_keeps_its_name_and_line_ends() -> None:
    (event,) = SSEFramer().feed(b'event: delta\r\nid: 9\r\ndata: {"a": 1}\r\n\r\n')
    assert event.like(b'{"b":2}').raw == b'event: delta\r\ndata: {"b":2}\r\n\r\n'


@pytest.mark.parametrize("step", [1, 5, 1000])
def test_when_an_event_is_over_the_bound_then_it_passes_unframed_and_later_events_are_framed(
    monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    monkeypatch.setattr(frame, "MAX_EVENT_BYTES", 100)
    big = b"data: " + b"x" * 150 + b"\r\ndata: " + b"y" * 150 + b"\r\n\r\n"
    stream = b'data: {"a": 1}\n\n' + big + b'data: {"b": 2}\n\n'
    frames = frames_of([stream[i : i + step] for i in range(0, len(stream), step)])
    assert b"".join(f.raw for f in frames) == stream
    assert [f.payload for f in frames if isinstance(f, SSEEvent)] == [{"a": 1}, {"b": 2}]
    problems = [f.problem for f in frames if isinstance(f, Unframed) and f.problem]
    assert problems == ["an event over 100 bytes was skipped"]


def test_when_a_long_event_comes_one_byte_at_a_time_then_framing_stays_linear() -> None:
    stream = b"data: " + b"x" * 200_000 + b"\n\n"
    framer = SSEFramer()
    started = time.perf_counter()
    frames = [f for i in range(len(stream)) for f in framer.feed(stream[i : i + 1])]
    assert time.perf_counter() - started < 20  # quadratic rescanning would take many minutes
    assert [len(f.data) for f in frames] == [200_000]
