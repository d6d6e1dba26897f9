"""The tool-call gate on an answer: text flows at once, a tool call is held until decided, a refusal releases none."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Sequence

import pytest

from jupyter_aigov.pipeline.answer_stream import AnswerStream
from jupyter_aigov.testing import aws_eventstream
from jupyter_aigov.tools.calls import RequestedToolCall


class Refused(Exception):
    pass


class Judge:
    """Refuses the tools named in `forbidden`; remembers every call it was asked about."""

    def __init__(self, *forbidden: str) -> None:
        self.forbidden = set(forbidden)
        self.seen: list[RequestedToolCall] = []
        self.unreadable_why: str | None = None

    def judge(self, calls: Sequence[RequestedToolCall]) -> None:
        self.seen += calls
        if any(c.name in self.forbidden for c in calls):
            raise Refused(calls)

    def unreadable(self, why: str) -> None:
        self.unreadable_why = why
        raise Refused(why)


def gate_for(api: str, operation: str, content_type: str, encoding: str, judge: Judge) -> AnswerStream:
    """An answer whose frames pass the tool-call gate (nothing restored)."""
    return AnswerStream(api, operation, {"Content-Type": content_type, "Content-Encoding": encoding}, judge=judge)


def sse(event: dict) -> bytes:
    return b"data: " + json.dumps(event).encode() + b"\n\n"


def chat_delta(**delta) -> dict:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}


TEXT = sse(chat_delta(content="Hello"))
START = sse(chat_delta(tool_calls=[{"index": 0, "id": "c1", "function": {"name": "run_sql", "arguments": ""}}]))
PIECE_1 = sse(chat_delta(tool_calls=[{"index": 0, "function": {"arguments": '{"query": "SEL'}}]))
PIECE_2 = sse(chat_delta(tool_calls=[{"index": 0, "function": {"arguments": 'ECT 1"}'}}]))
FINISH = sse({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
DONE = b"data: [DONE]\n\n"


def test_text_is_released_as_soon_as_its_event_is_complete():
    gate = gate_for("openai", "chat.completions", "text/event-stream", "", Judge())
    assert gate.feed(TEXT[:10]) == b""
    assert gate.feed(TEXT[10:]) == TEXT


def test_a_tool_call_is_held_until_complete_then_released_in_order():
    judge = Judge()
    gate = gate_for("openai", "chat.completions", "text/event-stream", "", judge)
    assert gate.feed(TEXT) == TEXT
    assert gate.feed(START + PIECE_1 + PIECE_2) == b""
    assert judge.seen == []
    assert gate.feed(FINISH) == START + PIECE_1 + PIECE_2 + FINISH
    assert judge.seen == [RequestedToolCall("run_sql", {"query": "SELECT 1"})]
    assert gate.feed(DONE) + gate.close() == DONE


def test_byte_by_byte_gives_the_same_bytes_and_decision():
    whole = TEXT + START + PIECE_1 + PIECE_2 + FINISH + DONE
    judge = Judge()
    gate = gate_for("openai", "chat.completions", "text/event-stream", "", judge)
    out = b"".join(gate.feed(whole[i : i + 1]) for i in range(len(whole))) + gate.close()
    assert out == whole and [c.name for c in judge.seen] == ["run_sql"]


def test_a_refused_call_releases_nothing_of_it_and_nothing_after():
    gate = gate_for("openai", "chat.completions", "text/event-stream", "", Judge("run_sql"))
    assert gate.feed(TEXT + START + PIECE_1 + PIECE_2) == TEXT
    with pytest.raises(Refused):
        gate.feed(FINISH)
    assert gate.feed(DONE) == b"" and gate.close() == b""


def test_a_stream_cut_off_mid_call_is_decided_on_what_arrived():
    judge = Judge("run_sql")
    gate = gate_for("openai", "chat.completions", "text/event-stream", "", judge)
    gate.feed(START + PIECE_1)
    with pytest.raises(Refused):
        gate.close()
    assert judge.seen == [RequestedToolCall("run_sql", '{"query": "SEL', readable=False)]


def test_anthropic_blocks_are_held_from_start_to_stop():
    events = [
        {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "name": "f", "input": {}}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"a":'}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": " 1}"}},
        {"type": "content_block_stop", "index": 1},
    ]
    framed = [b"event: " + e["type"].encode() + b"\n" + sse(e) for e in events]
    judge = Judge()
    gate = gate_for("anthropic", "messages", "text/event-stream", "", judge)
    assert [gate.feed(f) for f in framed[:3]] == [b"", b"", b""]
    assert gate.feed(framed[3]) == b"".join(framed)
    assert judge.seen == [RequestedToolCall("f", {"a": 1})]


def test_bedrock_invoke_stream_is_read_through_its_base64_wrapping():
    inner = {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "name": "f", "input": {}}}
    start = aws_eventstream.event("chunk", {"bytes": base64.b64encode(json.dumps(inner).encode()).decode()})
    stop_inner = {"type": "content_block_stop", "index": 0}
    stop = aws_eventstream.event("chunk", {"bytes": base64.b64encode(json.dumps(stop_inner).encode()).decode()})
    judge = Judge("f")
    gate = gate_for("bedrock", "invoke-with-response-stream", "application/vnd.amazon.eventstream", "", judge)
    assert gate.feed(start) == b""
    with pytest.raises(Refused):
        gate.feed(stop)


def test_a_compressed_answer_is_inflated_to_be_checked_and_passed_as_it_came():
    body = {"choices": [{"message": {"tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]}}]}
    packed = gzip.compress(json.dumps(body).encode())
    judge = Judge()
    gate = gate_for("openai", "chat.completions", "application/json", "gzip", judge)
    assert gate.feed(packed) == b""
    assert gate.close() == packed
    assert [c.name for c in judge.seen] == ["f"]


def test_an_answer_in_an_encoding_aigov_cannot_read_is_refused():
    judge = Judge()
    gate = gate_for("openai", "chat.completions", "application/json", "br", judge)
    gate.feed(b"\x1b\x00")
    with pytest.raises(Refused):
        gate.close()
    assert "br" in (judge.unreadable_why or "")


def test_a_json_answer_that_is_not_json_passes():
    gate = gate_for("openai", "chat.completions", "text/html", "", Judge("f"))
    assert gate.feed(b"<html>bad gateway</html>") == b""
    assert gate.close() == b"<html>bad gateway</html>"
