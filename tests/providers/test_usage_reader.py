"""The usage reader reads usage from SSE, NDJSON, AWS event-stream and JSON responses, however they are split."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from typing import Any

import pytest

from jupyter_aigov.providers import Usage

from .sdk_fixtures import UsageTap, aws_event, event_message, invoke_chunk, ndjson, splits, sse

SSE_TYPE = "text/event-stream; charset=utf-8"
EVENTSTREAM_TYPE = "application/vnd.amazon.eventstream"


def _chat_chunk(content: str | None, usage: dict[str, int] | None = None) -> dict[str, Any]:
    choices = [] if content is None else [{"index": 0, "delta": {"content": content}, "finish_reason": None}]
    chunk: dict[str, Any] = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    return {**chunk, "choices": choices, "usage": usage}


OPENAI_CHAT_SSE = sse(
    _chat_chunk("Héllo ✓ 🙂"),
    _chat_chunk(" wörld"),
    _chat_chunk(None, {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}),
    "[DONE]",
)
RESPONSE_USAGE = {"input_tokens": 20, "output_tokens": 9, "total_tokens": 29}
OPENAI_RESPONSES_SSE = sse(
    {
        "type": "response.created",
        "sequence_number": 0,
        "response": {"id": "r1", "object": "response", "output": []},
    },
    {
        "type": "response.output_text.delta",
        "sequence_number": 1,
        "item_id": "i",
        "output_index": 0,
        "delta": "Ça",
    },
    {
        "type": "response.completed",
        "sequence_number": 2,
        "response": {
            "id": "r1",
            "object": "response",
            "status": "completed",
            "output": [],
            "usage": RESPONSE_USAGE,
        },
    },
)
ANTHROPIC_SSE = sse(
    {
        "type": "message_start",
        "message": {
            "id": "m1",
            "type": "message",
            "role": "assistant",
            "model": "claude-x",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 25, "cache_read_input_tokens": 5, "output_tokens": 1},
        },
    },
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "ping"},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Grüße 🙂"}},
    {"type": "content_block_stop", "index": 0},
    {
        "type": "message_delta",
        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
        "usage": {"output_tokens": 15},
    },
    {"type": "message_stop"},
)


def _gemini_chunk(text: str, prompt: int, candidates: int) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}],
        "usageMetadata": {"promptTokenCount": prompt, "candidatesTokenCount": candidates},
        "modelVersion": "gemini-2.5-flash",
    }


GEMINI_SSE = sse(_gemini_chunk("日本", 4, 1), _gemini_chunk("語", 4, 3), crlf=True)
OLLAMA_NDJSON = ndjson(
    {"model": "llama3.2", "message": {"role": "assistant", "content": "Ça"}, "done": False},
    {
        "model": "llama3.2",
        "message": {"role": "assistant", "content": ""},
        "done": True,
        "prompt_eval_count": 26,
        "eval_count": 12,
    },
)
CONVERSE_STREAM = b"".join(
    [
        aws_event("messageStart", {"role": "assistant"}),
        aws_event("contentBlockDelta", {"delta": {"text": "Olá"}, "contentBlockIndex": 0}),
        aws_event("contentBlockStop", {"contentBlockIndex": 0}),
        aws_event("messageStop", {"stopReason": "end_turn"}),
        aws_event(
            "metadata",
            {"usage": {"inputTokens": 30, "outputTokens": 8, "totalTokens": 38}, "metrics": {"latencyMs": 5}},
        ),
    ]
)
INVOKE_STREAM = b"".join(
    [
        invoke_chunk({"type": "message_start", "message": {"usage": {"input_tokens": 14, "output_tokens": 1}}}),
        invoke_chunk({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hé"}}),
        invoke_chunk({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 6}}),
        invoke_chunk(
            {
                "type": "message_stop",
                "amazon-bedrock-invocationMetrics": {
                    "inputTokenCount": 14,
                    "outputTokenCount": 6,
                    "invocationLatency": 9,
                },
            }
        ),
    ]
)

STREAMS = [
    ("openai_chat_sse", "openai", "chat.completions", SSE_TYPE, OPENAI_CHAT_SSE, Usage(11, 7)),
    ("openai_responses_sse", "openai", "responses", SSE_TYPE, OPENAI_RESPONSES_SSE, Usage(20, 9)),
    ("anthropic_sse", "anthropic", "messages", SSE_TYPE, ANTHROPIC_SSE, Usage(30, 15)),
    ("gemini_sse_crlf", "gemini", "streamGenerateContent", SSE_TYPE, GEMINI_SSE, Usage(4, 3)),
    ("ollama_ndjson", "ollama", "chat", "application/x-ndjson", OLLAMA_NDJSON, Usage(26, 12)),
    ("ollama_no_content_type", "ollama", "generate", "", OLLAMA_NDJSON, Usage(26, 12)),
    (
        "bedrock_converse_stream",
        "bedrock",
        "converse-stream",
        EVENTSTREAM_TYPE,
        CONVERSE_STREAM,
        Usage(30, 8),
    ),
    (
        "bedrock_invoke_stream",
        "bedrock",
        "invoke-with-response-stream",
        EVENTSTREAM_TYPE,
        INVOKE_STREAM,
        Usage(14, 6),
    ),
    (
        "openai_json_body",
        "openai",
        "chat.completions",
        "application/json",
        json.dumps({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}}).encode(),
        Usage(5, 2),
    ),
    (
        "gemini_json_array",
        "gemini",
        "streamGenerateContent",
        "application/json",
        json.dumps([_gemini_chunk("a", 4, 1), _gemini_chunk("b", 4, 2)]).encode(),
        Usage(4, 2),
    ),
    (
        "ollama_json_body",
        "ollama",
        "chat",
        "application/json; charset=utf-8",
        json.dumps({"done": True, "prompt_eval_count": 3, "eval_count": 4}).encode(),
        Usage(3, 4),
    ),
]
SPLIT_CASES = [
    pytest.param(api, op, ctype, chunks, usage, id=f"{name}-{how}")
    for name, api, op, ctype, data, usage in STREAMS
    for how, chunks in splits(data)
]


@pytest.mark.parametrize(("api", "operation", "content_type", "chunks", "usage"), SPLIT_CASES)
def test_when_a_response_arrives_in_any_split_then_the_tap_reads_its_usage(
    api: str, operation: str, content_type: str, chunks: list[bytes], usage: Usage
) -> None:
    tap = UsageTap(api, operation, headers={"Content-Type": content_type} if content_type else {})
    for chunk in chunks:
        tap.feed(chunk)
    assert tap.close() == usage
    assert tap.error is None


def test_when_a_stream_ends_without_a_blank_line_then_the_last_event_still_counts() -> None:
    tap = UsageTap("openai", "chat.completions", SSE_TYPE)
    tap.feed(b'data: {"usage": {"prompt_tokens": 1, "completion_tokens": 2}}')
    assert tap.close() == Usage(1, 2)


def test_when_usage_is_only_in_headers_then_the_tap_reads_it_there() -> None:
    headers = {
        "Content-Type": "application/json",
        "X-Amzn-Bedrock-Input-Token-Count": "12",
        "X-Amzn-Bedrock-Output-Token-Count": "3",
    }
    tap = UsageTap("bedrock", "invoke", headers=headers)
    tap.feed(b'{"generation": "hi"}')
    assert tap.close() == Usage(12, 3)


USAGE_BODY = json.dumps({"usage": {"prompt_tokens": 8, "completion_tokens": 1}}).encode()


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("gzip", gzip.compress(USAGE_BODY)),
        ("deflate", zlib.compress(USAGE_BODY)),
        ("gzip", USAGE_BODY),  # already decoded by the client, header left as sent
        ("deflate", USAGE_BODY),
    ],
)
def test_when_the_response_bytes_may_still_be_compressed_then_the_tap_reads_them_either_way(
    encoding: str, data: bytes
) -> None:
    tap = UsageTap("openai", "chat.completions", "application/json", headers={"Content-Encoding": encoding})
    for i in range(len(data)):
        tap.feed(data[i : i + 1])
    assert tap.close() == Usage(8, 1)


def test_when_an_event_stream_message_is_corrupted_then_decoding_stops_and_says_why() -> None:
    good = aws_event("metadata", {"usage": {"inputTokens": 1, "outputTokens": 1}})
    bad = bytearray(aws_event("metadata", {"usage": {"inputTokens": 99, "outputTokens": 99}}))
    bad[-6] ^= 0xFF
    tap = UsageTap("bedrock", "converse-stream", EVENTSTREAM_TYPE)
    tap.feed(good + bytes(bad))
    assert tap.close() == Usage(1, 1)
    assert tap.error is not None and "CRC32" in tap.error


def test_when_event_stream_headers_have_every_value_type_then_the_payload_is_still_read() -> None:
    headers: dict[str, str | int | bool | bytes] = {
        ":message-type": "event",
        ":event-type": "metadata",
        "flag": True,
        "off": False,
        "count": 7,
        "blob": b"\x00\x01",
    }
    message = event_message(headers, json.dumps({"usage": {"inputTokens": 2, "outputTokens": 5}}).encode())
    exception = event_message(
        {":message-type": "exception", ":exception-type": "throttlingException"}, b'{"usage": {}}'
    )
    tap = UsageTap("bedrock", "converse-stream", EVENTSTREAM_TYPE)
    tap.feed(message + exception)
    assert tap.close() == Usage(2, 5)


@pytest.mark.parametrize(
    ("content_type", "junk"),
    [
        (SSE_TYPE, b"data: {not json\n\n: comment\n\nevent: x\ndata: [1, 2\n\n"),
        ("application/x-ndjson", b"{oops\n\n[]\n"),
        ("application/json", b"<html>502 Bad Gateway</html>"),
        (EVENTSTREAM_TYPE, b"\x00" * 40),
    ],
)
def test_when_the_response_is_junk_then_the_tap_gives_no_usage_and_never_raises(content_type: str, junk: bytes) -> None:
    tap = UsageTap("openai" if "event-stream" not in content_type else "bedrock", "x", content_type)
    tap.feed(junk)
    assert tap.close() == Usage()


def test_when_a_stream_is_long_then_the_tap_memory_stays_bounded() -> None:
    event = sse(_chat_chunk("a fairly ordinary token " * 4))
    chunk = event * 200  # ~100 kB
    tap = UsageTap("openai", "chat.completions", SSE_TYPE)
    tracemalloc.start()
    try:
        for _ in range(40):  # ~4 MB streamed
            tap.feed(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    tap.feed(sse(_chat_chunk(None, {"prompt_tokens": 1, "completion_tokens": 8000})))
    assert tap.close() == Usage(1, 8000)
    assert peak < 1_000_000


def test_when_one_sse_event_exceeds_the_bound_then_it_is_skipped_and_later_events_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jupyter_aigov.providers.framing import frame

    monkeypatch.setattr(frame, "MAX_EVENT_BYTES", 1000)
    tap = UsageTap("openai", "chat.completions", SSE_TYPE)
    tap.feed(b"data: " + b"x" * 600)
    tap.feed(b"y" * 600 + b"\n\n")
    tap.feed(sse(_chat_chunk(None, {"prompt_tokens": 2, "completion_tokens": 3})))
    assert tap.close() == Usage(2, 3)
    assert tap.error is not None and "skipped" in tap.error


def test_when_reading_usage_raises_then_the_tap_keeps_the_exception_type_not_its_message(monkeypatch) -> None:
    from jupyter_aigov.providers import openai as openai_format

    def broken(operation: str, event: Any, usage: Usage) -> Usage:
        raise ValueError(f"cannot count {event!r}")  # a message quoting the answer, which is evidence-bound

    monkeypatch.setattr(openai_format, "usage_from_event", broken)
    tap = UsageTap("openai", "chat.completions", SSE_TYPE)
    tap.feed(sse(_chat_chunk("Frank Holt wrote back")))
    tap.close()
    assert tap.error == "ValueError"
