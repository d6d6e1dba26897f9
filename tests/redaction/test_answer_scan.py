"""Scanning answers as they stream: findings masked in text and tool arguments, cut anywhere, held only briefly."""

from __future__ import annotations

import base64
import gzip
import json
import random
from collections.abc import Sequence
from typing import NoReturn

import pytest

from aigov_core.errors import PolicyViolation
from jupyter_aigov.pipeline.answer_stream import AnswerStream
from jupyter_aigov.redaction import DetectionEngine, merge_spans
from jupyter_aigov.redaction.answer_scan import AnswerScanner
from jupyter_aigov.redaction.answer_text import outside_placeholders
from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.testing.aws_eventstream import CONTENT_TYPE, event

from .test_restore_stream import FORMATS, SSE, openai_chat_deltas, parse, sse

KEY = "sk-proj-4fT9aQ2LmZ8xW1cV7bN3kJ6hG5dS0pR2"
TEXT = f"Here is what I found. The key is {KEY} and it works.\nWrite to frank.holt@example.com today. Hi <PERSON_1>."
MASKED = "Here is what I found. The key is <SECRET> and it works.\nWrite to <EMAIL_ADDRESS> today. Hi <PERSON_1>."
ARGS = {"to": "frank.holt@example.com", "note": f"use {KEY}", "n": "ok"}
MASKED_ARGS = {"to": "<EMAIL_ADDRESS>", "note": "use <SECRET>", "n": "ok"}


class EngineJudge:
    """The judge over a real (pattern-only) engine: every finding of SECRET and EMAIL_ADDRESS is new."""

    def __init__(self, engine: DetectionEngine, blocking: bool = False) -> None:
        self.engine, self.blocking = engine, blocking
        self.scanned: list[str] = []

    def find(self, texts: Sequence[str]) -> list[list[Finding]]:
        found = self.engine.analyze_many(texts, {"SECRET", "EMAIL_ADDRESS"})
        found = [outside_placeholders(text, part) for text, part in zip(texts, found, strict=True)]
        if self.blocking and any(found):
            raise PolicyViolation("redaction.response_blocked", "blocked")
        self.scanned += texts
        return [merge_spans(part, {}) for part in found]

    def unreadable(self, why: str) -> NoReturn:
        raise PolicyViolation("redaction.response_failed", why)


def stream_of(judge: EngineJudge, content_type: str, api: str = "openai") -> tuple[AnswerStream, AnswerScanner]:
    scanner = AnswerScanner(judge)
    return AnswerStream(api, "chat.completions", {"Content-Type": content_type}, scanner=scanner), scanner


def run(judge: EngineJudge, content_type: str, chunks: list[bytes]) -> bytes:
    answer, _ = stream_of(judge, content_type)
    return b"".join(answer.feed(chunk) for chunk in chunks) + answer.close()


@pytest.mark.parametrize("size", [1, 4, 11, 500])
@pytest.mark.parametrize("name", list(FORMATS))
def test_when_a_streamed_answer_carries_a_key_cut_anywhere_then_the_caller_gets_it_masked(pattern_engine, name, size):
    content_type, build, collect, has_args = FORMATS[name]
    stream = build(size, TEXT, ARGS)
    rng = random.Random(size)
    cuts = sorted(rng.sample(range(1, len(stream)), min(len(stream) - 1, 40)))
    chunks = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    judge = EngineJudge(pattern_engine)
    deltas = collect(parse(run(judge, content_type, chunks), content_type))
    assert deltas["text"] == MASKED
    assert deltas.get("done_text", MASKED) == MASKED
    for key in ("args0", "args1") if name == "openai-chat" else ("args0",) if has_args else ():
        assert json.loads(deltas[key]) == MASKED_ARGS
    if "done_args" in deltas:
        assert json.loads(deltas["done_args"]) == MASKED_ARGS
    assert not any("sk-proj" in text and KEY not in text for text in judge.scanned)  # never half a key


def test_when_text_streams_then_each_sentence_goes_out_once_it_ends_not_at_the_end_of_the_answer(pattern_engine):
    answer, _ = stream_of(EngineJudge(pattern_engine), SSE)
    released = []
    for word in ("Here ", "is ", "one. ", "The ", "key ", f"{KEY} ", "works.\n", "More"):
        out = answer.feed(sse({"choices": [{"index": 0, "delta": {"content": word}}]}).encode())
        released.append(openai_chat_deltas(parse(out, SSE)).get("text", ""))
    assert released == ["", "", "Here is one. ", "", "", "", "The key <SECRET> works.\n", ""]
    assert openai_chat_deltas(parse(answer.close(), SSE))["text"] == "More"


def test_when_blocking_then_the_sentence_with_the_key_never_reaches_the_caller(pattern_engine):
    answer, _ = stream_of(EngineJudge(pattern_engine, blocking=True), SSE)
    out = b""
    with pytest.raises(PolicyViolation) as refused:
        for size in range(0, len(TEXT), 5):
            out += answer.feed(sse({"choices": [{"index": 0, "delta": {"content": TEXT[size : size + 5]}}]}).encode())
    assert refused.value.rule == "redaction.response_blocked"
    assert openai_chat_deltas(parse(out, SSE))["text"] == "Here is what I found. "
    assert answer.feed(b"data: [DONE]\n\n") == b"" and answer.close() == b""


def test_when_a_json_answer_carries_a_key_then_text_and_arguments_are_masked_and_ids_left(pattern_engine):
    body = {
        "id": "chatcmpl-" + KEY,  # an id is the provider's, never the model's text
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": TEXT,
                    "tool_calls": [{"id": "c", "function": {"name": "send", "arguments": json.dumps(ARGS)}}],
                },
            }
        ],
    }
    answer, scanner = stream_of(EngineJudge(pattern_engine), "application/json")
    out = json.loads(answer.feed(json.dumps(body).encode()) + answer.close())
    message = out["choices"][0]["message"]
    assert (message["content"], json.loads(message["tool_calls"][0]["function"]["arguments"])) == (MASKED, MASKED_ARGS)
    assert out["id"] == body["id"]
    assert scanner.entities == {"SECRET": 2, "EMAIL_ADDRESS": 2}


def test_when_a_json_answer_is_clean_then_it_passes_byte_identical(pattern_engine):
    body = json.dumps({"choices": [{"index": 0, "message": {"content": "All clear."}}]}).encode()
    answer, scanner = stream_of(EngineJudge(pattern_engine), "application/json")
    assert answer.feed(body) + answer.close() == body and not scanner.changed


def _converse_stream(pieces: list[str]) -> bytes:
    deltas = [event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": p}}) for p in pieces]
    return b"".join(deltas) + event("contentBlockStop", {"contentBlockIndex": 0})


def _invoke_stream(pieces: list[str]) -> bytes:
    def chunk(payload: dict) -> bytes:
        return event("chunk", {"bytes": base64.b64encode(json.dumps(payload).encode()).decode()})

    deltas = [chunk({"type": "content_block_delta", "index": 0, "delta": {"text": p}}) for p in pieces]
    return b"".join(deltas) + chunk({"type": "content_block_stop", "index": 0})


@pytest.mark.parametrize("build", [_converse_stream, _invoke_stream])
def test_when_a_bedrock_event_stream_carries_a_key_then_its_messages_are_masked_and_still_valid(pattern_engine, build):
    from jupyter_aigov.providers.framing import EventStreamFramer, EventStreamMessage, Unframed

    stream = build([TEXT[i : i + 6] for i in range(0, len(TEXT), 6)])
    answer, _ = stream_of(EngineJudge(pattern_engine), CONTENT_TYPE, api="bedrock")
    out = b"".join(answer.feed(stream[i : i + 13]) for i in range(0, len(stream), 13)) + answer.close()
    framer = EventStreamFramer()
    frames = framer.feed(out) + framer.close()
    assert not [frame for frame in frames if isinstance(frame, Unframed)]  # every message passes its CRC checks
    text = ""
    for payload in [frame.payload for frame in frames if isinstance(frame, EventStreamMessage)]:
        if "bytes" in payload:
            payload = json.loads(base64.b64decode(payload["bytes"]))
        text += payload.get("delta", {}).get("text", "")
    assert text == MASKED


def test_when_an_answer_cannot_be_framed_then_it_is_refused_not_passed(pattern_engine):
    answer, _ = stream_of(EngineJudge(pattern_engine), CONTENT_TYPE, api="bedrock")
    broken = bytearray(event("contentBlockDelta", {"delta": {"text": KEY}}))
    broken[-1] ^= 0xFF  # the message's CRC no longer matches
    with pytest.raises(PolicyViolation) as refused:
        answer.feed(bytes(broken))
        answer.close()
    assert refused.value.rule == "redaction.response_failed"


def test_when_an_answer_comes_compressed_then_it_is_refused_as_it_cannot_be_rewritten(pattern_engine):
    scanner = AnswerScanner(EngineJudge(pattern_engine))
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    answer = AnswerStream("openai", "chat.completions", headers, scanner=scanner)
    with pytest.raises(PolicyViolation, match="compressed"):
        answer.feed(gzip.compress(b'{"choices": []}'))


def test_when_the_sdk_parsed_the_answer_then_its_output_is_masked_in_place(pattern_engine):
    answer = {"output": {"message": {"content": [{"text": TEXT}, {"toolUse": {"name": "send", "input": ARGS}}]}}}
    scanner = AnswerScanner(EngineJudge(pattern_engine))
    scanner.scan_parsed(answer)
    content = answer["output"]["message"]["content"]
    assert (content[0]["text"], content[1]["toolUse"]["input"]) == (MASKED, MASKED_ARGS)


def test_when_a_body_is_not_the_json_it_claims_then_its_text_is_scanned_all_the_same(pattern_engine):
    body = f"upstream error: retry with {KEY} \xff".encode("latin-1")  # not JSON, not even UTF-8
    answer, scanner = stream_of(EngineJudge(pattern_engine), "application/json")
    assert answer.feed(body) + answer.close() == "upstream error: retry with <SECRET> \ufffd".encode()
    assert scanner.entities == {"SECRET": 1}


def test_when_an_answer_holds_a_lone_surrogate_escape_then_it_is_still_scanned(pattern_engine):
    body = b'{"choices": [{"index": 0, "message": {"content": "odd \\ud800 then ' + KEY.encode() + b' here"}}]}'
    answer, _ = stream_of(EngineJudge(pattern_engine), "application/json")
    out = json.loads(answer.feed(body) + answer.close())
    assert out["choices"][0]["message"]["content"] == "odd \ud800 then <SECRET> here"


def test_when_an_answer_carries_log_probabilities_then_they_are_emptied_as_they_spell_the_text(pattern_engine):
    tokens = [{"token": piece, "logprob": -0.1, "bytes": None, "top_logprobs": []} for piece in ("sk-", KEY[3:])]
    chat = {"choices": [{"index": 0, "delta": {"content": f"Use {KEY}. "}, "logprobs": {"content": tokens}}]}
    answer, _ = stream_of(EngineJudge(pattern_engine), SSE)
    out = parse(answer.feed(sse(chat).encode()) + answer.close(), SSE)
    assert [event["choices"][0]["logprobs"] for _, event in out] == [None]
    assert "sk-" not in json.dumps(out)
    responses = {"type": "response.output_text.delta", "delta": "Hi. ", "logprobs": [{"token": "Hi"}]}
    answer, _ = stream_of(EngineJudge(pattern_engine), SSE)
    assert parse(answer.feed(sse(responses).encode()), SSE)[0][1]["logprobs"] == []


def test_when_a_model_writes_code_with_a_key_then_the_code_is_masked_too(pattern_engine):
    part = {"executableCode": {"language": "PYTHON", "code": f"client = Client(api_key='{KEY}')"}}
    body = {"candidates": [{"content": {"parts": [part], "role": "model"}, "index": 0}]}
    answer, _ = stream_of(EngineJudge(pattern_engine), "application/json", api="gemini")
    out = json.loads(answer.feed(json.dumps(body).encode()) + answer.close())
    (part,) = out["candidates"][0]["content"]["parts"]
    assert part["executableCode"]["code"] == "client = Client(api_key='<SECRET>')"
