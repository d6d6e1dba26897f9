"""Bedrock's binary event stream: values restored across messages and chunk boundaries, frames still valid."""

from __future__ import annotations

import base64
import json

import pytest

from jupyter_aigov.pipeline.answer_stream import AnswerStream
from jupyter_aigov.providers.framing import EventStreamFramer, EventStreamMessage, Unframed
from jupyter_aigov.redaction.placeholders import PlaceholderVault
from jupyter_aigov.testing.aws_eventstream import CONTENT_TYPE, event


def _vault() -> PlaceholderVault:
    vault = PlaceholderVault()
    assert vault.placeholder_for("PERSON", "Frank Holt") == "<PERSON_1>"
    return vault


def _converse_stream(pieces: list[str]) -> bytes:
    deltas = [event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": p}, "p": "ab"}) for p in pieces]
    return (
        event("messageStart", {"role": "assistant"})
        + b"".join(deltas)
        + event("contentBlockStop", {"contentBlockIndex": 0})
        + event("messageStop", {"stopReason": "end_turn"})
    )


def _invoke_stream(pieces: list[str]) -> bytes:
    def chunk(payload: dict) -> bytes:
        return event("chunk", {"bytes": base64.b64encode(json.dumps(payload).encode()).decode()})

    deltas = [
        chunk({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}) for p in pieces
    ]
    return b"".join(deltas) + chunk({"type": "content_block_stop", "index": 0})


def _restorer() -> AnswerStream:
    return AnswerStream("bedrock", "converse-stream", {"Content-Type": CONTENT_TYPE}, vault=_vault())


def _restore(data: bytes, step: int) -> bytes:
    restorer = _restorer()
    out = b"".join(restorer.feed(data[i : i + step]) for i in range(0, len(data), step))
    return out + restorer.close()


def _texts(stream: bytes) -> str:
    framer = EventStreamFramer()
    frames = framer.feed(stream) + framer.close()
    problems = [frame.problem for frame in frames if isinstance(frame, Unframed)]
    assert problems == []  # every re-framed message passes its CRC checks
    text = ""
    for item in [frame.payload for frame in frames if isinstance(frame, EventStreamMessage)]:
        if "bytes" in item:
            item = json.loads(base64.b64decode(item["bytes"]))
        text += (item.get("delta") or {}).get("text", "")
    return text


@pytest.mark.parametrize("step", [1, 3, 7, 64, 100_000])
@pytest.mark.parametrize("build", [_converse_stream, _invoke_stream], ids=["converse-stream", "invoke-stream"])
def test_when_a_placeholder_is_split_across_messages_then_the_value_is_restored(build, step):
    pieces = ["Hello <PER", "SON_", "1>, your churn score is 0.42."]
    assert _texts(_restore(build(pieces), step)) == "Hello Frank Holt, your churn score is 0.42."


def test_when_text_only_looks_like_a_placeholder_start_then_it_is_released_unchanged():
    pieces = ["if a <", " b then", " stop"]
    assert _texts(_restore(_converse_stream(pieces), 5)) == "if a < b then stop"


def test_when_nothing_needs_restoring_then_messages_pass_byte_for_byte():
    data = _converse_stream(["plain text ", "only"])
    assert _restore(data, 11) == data


def test_when_bytes_are_not_event_stream_messages_then_they_pass_unchanged():
    # from test_restore_stream.py, where the event stream was a content type that restorer did not support
    restorer = _restorer()
    junk = b"\x00<PERSON_1>" * 2  # long enough for a prelude, whose CRC fails: nothing after it is framed
    assert restorer.feed(junk) == junk
    assert restorer.feed(b"<PERSON_1>") == b"<PERSON_1>"
    assert restorer.close() == b""
