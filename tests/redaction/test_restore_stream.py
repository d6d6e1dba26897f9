"""Restoring streamed answers: SSE (OpenAI chat and Responses, Anthropic, Gemini) and NDJSON (Ollama), cut anywhere."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from jupyter_aigov.pipeline.answer_stream import AnswerStream
from jupyter_aigov.redaction.placeholders import PlaceholderVault

SSE, NDJSON = "text/event-stream", "application/x-ndjson"
TRICKY = 'O"Brien \\ Jr'
VALUES = {"<PERSON_1>": "Frank Holt", "<PERSON_2>": TRICKY, "<EMAIL_ADDRESS_1>": "frank@example.com"}
# Placeholders of the vault, an unknown one, a `<` that is no placeholder, and a placeholder cut off at the end.
TEXT = "Hello <PERSON_1>, meet <PERSON_2> at <EMAIL_ADDRESS_1>. Note a < b and <PERSON_99>.<PERSON_1>\nDear <PERS"
ARGS = {"to": "<EMAIL_ADDRESS_1>", "name": "<PERSON_2>", "note": "<PERSON_1> < <PERSON_99>"}


def restored(text: str) -> str:
    for placeholder, value in VALUES.items():
        text = text.replace(placeholder, value)
    return text


def make_vault() -> PlaceholderVault:
    vault = PlaceholderVault()
    for placeholder, value in VALUES.items():
        entity = placeholder[1:-1].rsplit("_", 1)[0]
        assert vault.placeholder_for(entity, value) == placeholder
    return vault


def restorer_for(content_type: str | None) -> AnswerStream:
    """An answer whose frames are restored (no tool-call gate)."""
    headers = {"Content-Type": content_type} if content_type else {}
    return AnswerStream("openai", "chat.completions", headers, vault=make_vault())


def pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def sse(event: dict[str, Any], name: str | None = None, eol: str = "\n") -> str:
    head = f"event: {name}{eol}" if name else ""
    return f"{head}data: {json.dumps(event)}{eol}{eol}"


# Each builder returns a whole stream whose text deltas are `size` characters long, placeholders cut anywhere.


def openai_chat(size: int, text: str = TEXT, args: dict[str, str] = ARGS) -> bytes:
    envelope = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    usage = {"prompt_tokens": 3, "completion_tokens": 6, "total_tokens": 9}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return sse({**envelope, "choices": [choice]})

    out = chunk({"role": "assistant", "content": ""}) + ": keep-alive\n\n"
    out += "".join(chunk({"content": p}) for p in pieces(text, size))
    for index in (0, 1):  # two parallel tool calls
        first = {"index": index, "id": f"call_{index}", "type": "function", "function": {"name": "send"}}
        out += chunk({"tool_calls": [{**first, "function": {"name": "send", "arguments": ""}}]})
        for p in pieces(json.dumps(args), size):
            out += chunk({"tool_calls": [{"index": index, "function": {"arguments": p}}]})
    out += chunk({}, "tool_calls") + sse({**envelope, "choices": [], "usage": usage}) + "data: [DONE]\n\n"
    return out.encode()


def openai_chat_deltas(events: list[tuple[str | None, Any]]) -> dict[str, str]:
    got: dict[str, str] = defaultdict(str)
    for _, event in events:
        for choice in event.get("choices", []):
            got["text"] += choice["delta"].get("content", "")
            for call in choice["delta"].get("tool_calls", []):
                got[f"args{call['index']}"] += call["function"].get("arguments", "")
    return got


def openai_responses(size: int, text: str = TEXT, args: dict[str, str] = ARGS) -> bytes:
    out = sse({"type": "response.created", "response": {"id": "r", "output": []}}, "response.created")
    for p in pieces(text, size):
        event = {"type": "response.output_text.delta", "item_id": "m1", "output_index": 0, "content_index": 0}
        out += sse({**event, "delta": p}, "response.output_text.delta")
    out += sse({"type": "response.output_text.done", "item_id": "m1", "text": text}, "response.output_text.done")
    for p in pieces(json.dumps(args), size):
        event = {"type": "response.function_call_arguments.delta", "item_id": "f1", "output_index": 1, "delta": p}
        out += sse(event, event["type"])
    done = {"type": "response.function_call_arguments.done", "item_id": "f1", "arguments": json.dumps(args)}
    out += sse(done, done["type"])
    return out.encode()


def openai_responses_deltas(events: list[tuple[str | None, Any]]) -> dict[str, str]:
    got: dict[str, str] = defaultdict(str)
    for name, event in events:
        assert name == event["type"]
        if event["type"].endswith(".delta"):
            got["text" if "output_text" in event["type"] else "args0"] += event["delta"]
        elif event["type"] == "response.output_text.done":
            got["done_text"] = event["text"]
        elif event["type"] == "response.function_call_arguments.done":
            got["done_args"] = event["arguments"]
    return got


def anthropic(size: int, text: str = TEXT, args: dict[str, str] = ARGS) -> bytes:
    out = sse({"type": "message_start", "message": {"id": "m", "content": []}}, "message_start")
    out += sse(
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        "content_block_start",
    )
    out += sse({"type": "ping"}, "ping")
    for p in pieces(text, size):
        event = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
        out += sse(event, "content_block_delta")
    out += sse({"type": "content_block_stop", "index": 0}, "content_block_stop")
    block = {"type": "tool_use", "id": "t1", "name": "send", "input": {}}
    out += sse({"type": "content_block_start", "index": 1, "content_block": block}, "content_block_start")
    for p in pieces(json.dumps(args), size):
        event = {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": p}}
        out += sse(event, "content_block_delta")
    out += sse({"type": "content_block_stop", "index": 1}, "content_block_stop")
    out += sse({"type": "message_delta", "delta": {"stop_reason": "tool_use"}}, "message_delta")
    out += sse({"type": "message_stop"}, "message_stop")
    return out.encode()


def anthropic_deltas(events: list[tuple[str | None, Any]]) -> dict[str, str]:
    got: dict[str, str] = defaultdict(str)
    stopped: set[int] = set()
    for name, event in events:
        assert name == event["type"]
        if event["type"] == "content_block_delta":
            assert event["index"] not in stopped, "a delta after its block stopped"
            delta = event["delta"]
            got["text" if delta["type"] == "text_delta" else "args0"] += delta.get("text", delta.get("partial_json"))
        elif event["type"] == "content_block_stop":
            stopped.add(event["index"])
    return got


def gemini(size: int, text: str = TEXT, args: dict[str, str] = ARGS) -> bytes:
    def chunk(parts: list[dict[str, Any]], finish: str | None = None) -> str:
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
        if finish:
            candidate["finishReason"] = finish
        return sse({"candidates": [candidate], "usageMetadata": {"promptTokenCount": 3}}, eol="\r\n")

    out = "".join(chunk([{"text": p}]) for p in pieces(text, size))
    out += chunk([{"functionCall": {"name": "send", "args": args}}], "STOP")
    return out.encode()


def gemini_deltas(events: list[tuple[str | None, Any]]) -> dict[str, str]:
    got: dict[str, str] = defaultdict(str)
    for _, event in events:
        for part in event["candidates"][0]["content"]["parts"]:
            got["text"] += part.get("text", "")
            if "functionCall" in part:
                got["args0"] += json.dumps(part["functionCall"]["args"])
    return got


def ollama(size: int, text: str = TEXT, args: dict[str, str] = ARGS) -> bytes:
    def line(content: str, done: bool) -> str:
        message = {"role": "assistant", "content": content}
        # Ollama is written in Go, whose JSON encoder writes < and > as \u003c and \u003e
        return json.dumps({"model": "m", "message": message, "done": done}).replace("<", "\\u003c") + "\n"

    out = "".join(line(p, False) for p in pieces(text, size)) + line("", True)
    return out.encode()


def ollama_deltas(events: list[tuple[str | None, Any]]) -> dict[str, str]:
    return {"text": "".join(event["message"]["content"] for _, event in events)}


Builder = Callable[[int, str, dict[str, str]], bytes]
Collector = Callable[[list[tuple[str | None, Any]]], dict[str, str]]
FORMATS: dict[str, tuple[str, Builder, Collector, bool]] = {
    "openai-chat": (SSE, openai_chat, openai_chat_deltas, True),
    "openai-responses": (SSE, openai_responses, openai_responses_deltas, True),
    "anthropic": (SSE, anthropic, anthropic_deltas, True),
    "gemini": (SSE, gemini, gemini_deltas, True),
    "ollama": (NDJSON, ollama, ollama_deltas, False),
}


def parse(stream: bytes, content_type: str) -> list[tuple[str | None, Any]]:
    """Every event of a stream as (SSE event name, JSON); fails on any data that is not JSON."""
    text = stream.decode().replace("\r\n", "\n")
    if content_type == NDJSON:
        return [(None, json.loads(line)) for line in text.split("\n") if line.strip()]
    events = []
    for block in text.split("\n\n"):
        fields = [line.partition(":")[::2] for line in block.split("\n") if line and not line.startswith(":")]
        data = "\n".join(value.removeprefix(" ") for name, value in fields if name == "data")
        names = [value.strip() for name, value in fields if name == "event"]
        if data and data != "[DONE]":
            events.append((names[0] if names else None, json.loads(data)))
    return events


def run(content_type: str, chunks: list[bytes]) -> bytes:
    restorer = restorer_for(content_type)
    return b"".join(restorer.feed(chunk) for chunk in chunks) + restorer.close()


def check(name: str, output: bytes, text: str = TEXT, args: dict[str, str] = ARGS) -> None:
    content_type, _, collect, has_args = FORMATS[name]
    deltas = collect(parse(output, content_type))
    assert deltas["text"] == deltas.get("done_text", restored(text)) == restored(text)
    for key in ("args0", "args1") if name == "openai-chat" else ("args0",) if has_args else ():
        assert json.loads(deltas[key]) == {k: restored(v) for k, v in args.items()}
    if "done_args" in deltas:  # the whole arguments, restored as a JSON document
        assert json.loads(deltas["done_args"]) == {k: restored(v) for k, v in args.items()}


@pytest.mark.parametrize("size", [1, 3, 7, 200])
@pytest.mark.parametrize("name", list(FORMATS))
def test_when_a_stream_arrives_in_random_chunks_then_every_delta_path_is_restored(name: str, size: int) -> None:
    content_type, build, _, _ = FORMATS[name]
    stream = build(size)
    rng = random.Random(size)
    for _ in range(5):
        cuts = sorted(rng.sample(range(1, len(stream)), min(len(stream) - 1, rng.randint(1, 60))))
        check(name, run(content_type, [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]))
    check(name, run(content_type, [stream[i : i + 1] for i in range(len(stream))]))


@pytest.mark.parametrize("name", list(FORMATS))
def test_when_a_stream_is_cut_at_every_point_then_it_is_restored(name: str) -> None:
    content_type, build, _, _ = FORMATS[name]
    text, args = "Hi <PERSON_2> a<b <PERS", {"n": "<PERSON_2>"}
    stream = build(5, text, args)
    for cut in range(len(stream) + 1):
        check(name, run(content_type, [stream[:cut], stream[cut:]]), text, args)


def test_when_a_chunk_is_split_inside_a_utf8_character_then_it_is_restored() -> None:
    stream = json.dumps({"choices": [{"index": 0, "delta": {"content": "café <PERSON_1> ✓"}}]}, ensure_ascii=False)
    stream = f"data: {stream}\n\n".encode()
    cut = stream.index("é".encode()) + 1
    output = run(SSE, [stream[:cut], stream[cut:]])
    assert openai_chat_deltas(parse(output, SSE))["text"] == "café Frank Holt ✓"


def test_when_events_hold_no_placeholder_then_they_pass_byte_identical() -> None:
    stream = (
        b': keep-alive\r\n\r\nevent: x\r\ndata: {"choices": [{"index": 0, "delta": {"content": "a < b"}}]}\r\n\r\n'
        b"data: [DONE]\r\n\r\n"
    )
    assert run(SSE, [stream]) == stream


def test_when_a_placeholder_is_split_then_the_caller_waits_only_for_its_end() -> None:
    restorer = restorer_for(SSE)
    first = restorer.feed(sse({"choices": [{"index": 0, "delta": {"content": "Hello <PER"}}]}).encode())
    assert openai_chat_deltas(parse(first, SSE))["text"] == "Hello "
    second = restorer.feed(sse({"choices": [{"index": 0, "delta": {"content": "SON_1>, welcome"}}]}).encode())
    assert openai_chat_deltas(parse(second, SSE))["text"] == "Frank Holt, welcome"


def test_when_a_held_suffix_is_no_placeholder_then_it_is_released_unchanged() -> None:
    restorer = restorer_for(SSE)
    first = restorer.feed(sse({"choices": [{"index": 0, "delta": {"content": "if a <"}}]}).encode())
    second = restorer.feed(sse({"choices": [{"index": 0, "delta": {"content": " b then"}}]}).encode())
    assert [openai_chat_deltas(parse(out, SSE))["text"] for out in (first, second)] == ["if a ", "< b then"]


@pytest.mark.parametrize(
    ("content_type", "stream"),
    [
        (SSE, sse({"choices": [{"index": 0, "delta": {"content": "Dear <PERS"}}]})[:-1].encode()),
        (SSE, sse({"choices": [{"index": 0, "delta": {"content": "Dear <PERS"}}]})[:-2].encode()),
        (SSE, sse({"choices": [{"index": 0, "delta": {"content": "Dear <PERS"}}]}).encode()),
        (NDJSON, b'{"message": {"role": "assistant", "content": "Dear <PERS"}, "done": false}'),
        (NDJSON, b'{"message": {"role": "assistant", "content": "Dear <PERS"}, "done": false}\n'),
    ],
)
def test_when_the_stream_ends_with_a_held_suffix_then_close_releases_it(content_type: str, stream: bytes) -> None:
    events = parse(run(content_type, [stream]), content_type)
    collect = ollama_deltas if content_type == NDJSON else openai_chat_deltas
    assert collect(events)["text"] == "Dear <PERS"
    assert len(events) == 2


def test_when_choices_interleave_then_each_keeps_its_own_suffix() -> None:
    def chunk(index: int, content: str) -> bytes:
        return sse({"choices": [{"index": index, "delta": {"content": content}}]}).encode()

    stream = chunk(0, "A <PER") + chunk(1, "B <PERSON") + chunk(0, "SON_1>") + chunk(1, "_2>") + b"data: [DONE]\n\n"
    got: dict[int, str] = defaultdict(str)
    for _, event in parse(run(SSE, [stream]), SSE):
        for choice in event["choices"]:
            got[choice["index"]] += choice["delta"]["content"]
    assert got == {0: "A Frank Holt", 1: f"B {TRICKY}"}


@pytest.mark.parametrize("content_type", ["application/octet-stream", None])
def test_when_the_content_type_is_not_supported_then_bytes_pass_unchanged(content_type: str | None) -> None:
    restorer = restorer_for(content_type)
    assert not restorer.filters
    assert restorer.feed(b"\x00<PERSON_1>") == b"\x00<PERSON_1>"
    assert restorer.close() == b""


def test_when_the_body_is_plain_json_then_it_is_restored_at_close() -> None:
    restorer = restorer_for("application/json; charset=utf-8")
    assert restorer.feed(b'{"content": "<PERS') == b""
    assert restorer.feed(b'ON_1>"}') == b""
    assert json.loads(restorer.close()) == {"content": "Frank Holt"}


def test_when_the_openai_sdk_accumulates_the_restored_stream_then_it_gets_the_original_values() -> None:
    from openai.lib.streaming.chat import ChatCompletionStreamState
    from openai.types.chat import ChatCompletionChunk

    stream = openai_chat(3)
    state = ChatCompletionStreamState()
    for _, event in parse(run(SSE, [stream[i : i + 5] for i in range(0, len(stream), 5)]), SSE):
        state.handle_chunk(ChatCompletionChunk.model_validate(event))
    message = state.get_final_completion().choices[0].message
    assert message.content == restored(TEXT)
    assert [(call.id, call.function.name) for call in message.tool_calls or []] == [
        ("call_0", "send"),
        ("call_1", "send"),
    ]
    assert all(
        json.loads(call.function.arguments) == {k: restored(v) for k, v in ARGS.items()}
        for call in message.tool_calls or []
    )
