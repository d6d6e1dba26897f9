"""One answer framed once: usage, the tool-call gate and restore all read the same frames, in that order."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence

import pytest

from jupyter_aigov.pipeline.answer_stream import AnswerStream
from jupyter_aigov.providers import Usage
from jupyter_aigov.redaction.placeholders import PlaceholderVault
from jupyter_aigov.testing.aws_eventstream import CONTENT_TYPE as EVENTSTREAM
from jupyter_aigov.testing.aws_eventstream import event
from jupyter_aigov.tools.calls import RequestedToolCall

SSE = "text/event-stream"


class Refused(Exception):
    pass


class Judge:
    def __init__(self, *forbidden: str) -> None:
        self.forbidden = set(forbidden)
        self.seen: list[str] = []
        self.unreadable_why: list[str] = []

    def judge(self, calls: Sequence[RequestedToolCall]) -> None:
        self.seen += [c.name for c in calls]
        if any(c.name in self.forbidden for c in calls):
            raise Refused(calls)

    def unreadable(self, why: str) -> None:
        self.unreadable_why.append(why)
        raise Refused(why)


def vault() -> PlaceholderVault:
    v = PlaceholderVault()
    v.placeholder_for("PERSON", "Frank Holt")
    return v


def chunk(delta: dict, finish: str | None = None, usage: dict | None = None) -> bytes:
    event = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}], "usage": usage}
    return b"data: " + json.dumps(event).encode() + b"\n\n"


CALL = chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": '{"to": "<PERSON_1>"}'}}]})
STREAM = (
    chunk({"content": "Hello <PER"})
    + chunk({"content": "SON_1>"})
    + CALL
    + chunk({}, "tool_calls", {"prompt_tokens": 3, "completion_tokens": 4})
    + b"data: [DONE]\n\n"
)


def texts(out: bytes) -> tuple[str, list[str]]:
    content, arguments = "", []
    for block in out.decode().split("\n\n"):
        data = block.removeprefix("data: ")
        if not data or data == "[DONE]":
            continue
        for choice in json.loads(data)["choices"]:
            content += choice["delta"].get("content", "")
            arguments += [c["function"]["arguments"] for c in choice["delta"].get("tool_calls", [])]
    return content, arguments


@pytest.mark.parametrize("step", [1, 5, 64, 100_000])
def test_when_an_answer_is_gated_and_restored_then_usage_calls_and_values_all_come_from_one_framing(step: int) -> None:
    judge = Judge()
    answer = AnswerStream("openai", "chat.completions", {"content-type": SSE}, judge=judge, vault=vault())
    out = b"".join(answer.feed(STREAM[i : i + step]) for i in range(0, len(STREAM), step)) + answer.close()
    assert texts(out) == ("Hello Frank Holt", ['{"to": "Frank Holt"}'])
    assert judge.seen == ["f"]
    assert answer.read_usage() == Usage(3, 4) and answer.error is None


def test_when_the_gate_holds_a_call_then_restore_sees_it_only_once_it_is_decided() -> None:
    judge = Judge()
    answer = AnswerStream("openai", "chat.completions", {"content-type": SSE}, judge=judge, vault=vault())
    assert answer.feed(CALL) == b""
    released = answer.feed(chunk({}, "tool_calls"))
    assert texts(released)[1] == ['{"to": "Frank Holt"}']


def test_when_a_call_is_refused_then_nothing_more_reaches_the_caller_and_usage_is_still_read() -> None:
    answer = AnswerStream("openai", "chat.completions", {"content-type": SSE}, judge=Judge("f"), vault=vault())
    with pytest.raises(Refused):
        answer.feed(STREAM)
    assert answer.feed(b"data: {}\n\n") == b"" and answer.close() == b""
    assert answer.read_usage() == Usage(3, 4)


def test_when_nothing_filters_the_answer_then_each_chunk_passes_as_it_came() -> None:
    answer = AnswerStream("openai", "chat.completions", {"content-type": SSE})
    assert not answer.filters
    pieces = [STREAM[:10], STREAM[10:]]
    assert [answer.feed(p) for p in pieces] == pieces
    assert answer.close() == b"" and answer.read_usage() == Usage(3, 4)


BAD_CRC = bytearray(event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "<PERSON_1>"}}))
BAD_CRC[-1] ^= 0xFF


def test_when_an_event_stream_crc_fails_then_the_gate_refuses_the_answer() -> None:
    judge = Judge()
    answer = AnswerStream("bedrock", "converse-stream", {"content-type": EVENTSTREAM}, judge=judge)
    with pytest.raises(Refused):
        answer.feed(bytes(BAD_CRC))
    assert judge.unreadable_why == ["event stream unreadable from here on: a message failed its CRC32 check"]


def test_when_an_event_stream_crc_fails_then_restore_passes_it_unchanged_and_usage_says_why() -> None:
    answer = AnswerStream("bedrock", "converse-stream", {"content-type": EVENTSTREAM}, vault=vault())
    assert answer.feed(bytes(BAD_CRC)) + answer.close() == bytes(BAD_CRC)
    answer.read_usage()
    assert "CRC32" in (answer.error or "")


def test_when_a_compressed_stream_is_gated_then_it_is_read_inflated_and_passed_on_as_it_came() -> None:
    packed = gzip.compress(STREAM)
    judge = Judge()
    answer = AnswerStream(
        "openai", "chat.completions", {"content-type": SSE, "content-encoding": "gzip"}, judge=judge, vault=vault()
    )
    assert answer.feed(packed[:20]) + answer.feed(packed[20:]) == b""
    assert answer.close() == packed
    assert judge.seen == ["f"] and answer.read_usage() == Usage(3, 4)


@pytest.mark.parametrize(
    ("encoding", "why"),
    [("gzip", "the gzip answer could not be inflated"), ("br", "the answer is compressed with 'br', which aigov")],
)
def test_when_a_gated_answer_says_it_is_compressed_and_cannot_be_inflated_then_it_is_refused_at_its_end(
    encoding: str, why: str
) -> None:
    judge = Judge()
    answer = AnswerStream(
        "openai", "chat.completions", {"content-type": SSE, "content-encoding": encoding}, judge=judge
    )
    assert answer.feed(STREAM) == b""
    with pytest.raises(Refused):
        answer.close()
    assert judge.seen == [] and judge.unreadable_why[0].startswith(why)


def test_when_the_sdk_parsed_the_answer_then_its_calls_are_decided_and_its_output_restored_in_place() -> None:
    judge = Judge()
    answer = AnswerStream("bedrock", "converse", {"content-type": "application/json"}, judge=judge, vault=vault())
    body = {"output": {"message": {"content": [{"text": "Hi <PERSON_1>"}, {"toolUse": {"name": "f", "input": {}}}]}}}
    answer.observe(json.dumps({"usage": {"inputTokens": 2, "outputTokens": 1}}).encode())
    answer.decide_parsed(body)
    assert body["output"]["message"]["content"][0] == {"text": "Hi Frank Holt"}
    assert judge.seen == ["f"] and answer.read_usage() == Usage(2, 1)


@pytest.mark.parametrize("filtered", [False, True])
def test_when_the_framer_fails_then_usage_notes_it_and_a_filtered_answer_stops(
    monkeypatch: pytest.MonkeyPatch, filtered: bool
) -> None:
    from jupyter_aigov.providers.framing import SSEFramer

    def broken(self: SSEFramer, chunk: bytes) -> list:
        raise RuntimeError("a framing bug")

    monkeypatch.setattr(SSEFramer, "feed", broken)
    answer = AnswerStream("openai", "chat.completions", {"content-type": SSE}, judge=Judge() if filtered else None)
    if filtered:  # the bytes the framer held are lost: nothing is passed on as if whole
        with pytest.raises(RuntimeError):
            answer.feed(STREAM)
        assert answer.close() == b""
    else:  # usage is best effort: the answer passes as it came
        assert answer.feed(STREAM) == STREAM and answer.feed(b"more") == b"more"
        answer.read_usage()
        assert answer.error == "RuntimeError"
