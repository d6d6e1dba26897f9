"""Ollama's API: /api/chat and /api/generate (NDJSON unless "stream": false), /api/embed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from jupyter_aigov.testing.exchange import Answer, Call, Route, embedding, json_answer, last_user_text, words

LABEL = "Ollama"
NDJSON = "application/x-ndjson"


def error(status: int, message: str) -> Answer:
    """Ollama's error body: {"error": message}."""
    return json_answer({"error": message}, status)


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _totals(call: Call, text: str) -> dict[str, Any]:
    return {
        "done": True,
        "done_reason": "stop",
        "total_duration": 4_200_000,
        "load_duration": 1_000_000,
        "prompt_eval_count": call.input_tokens,
        "prompt_eval_duration": 1_000_000,
        "eval_count": call.output_tokens(text),
        "eval_duration": 2_000_000,
    }


def _tool_calls(call: Call) -> list[dict[str, Any]]:
    return [
        {
            "function": {"index": i, "name": tc.name, "arguments": dict(tc.arguments)},
            **({"id": tc.id} if tc.id else {}),
        }
        for i, tc in enumerate(call.reply.tool_calls)
    ]


def _answer(call: Call, text: str, whole: dict[str, Any], pieces: list[dict[str, Any]]) -> Answer:
    """One JSON object when "stream" is false, else one NDJSON line per piece, the last with the totals."""
    model = str(call.get("model") or "llama3.2")
    if call.get("stream", True) is False:
        return json_answer({"model": model, "created_at": _now(), **whole, **_totals(call, text)})
    lines = [{"model": model, "created_at": _now(), **piece, "done": False} for piece in pieces[:-1]]
    lines.append({"model": model, "created_at": _now(), **pieces[-1], **_totals(call, text)})
    return Answer(content_type=NDJSON, events=[json.dumps(line).encode() + b"\n" for line in lines])


def chat(call: Call) -> Answer:
    """POST /api/chat; tool calls arrive whole in one line, as Ollama sends them."""
    text = call.text(last_user_text(call.get("messages")))
    tools: dict[str, Any] = {"tool_calls": _tool_calls(call)} if call.reply.tool_calls else {}
    whole = {"message": {"role": "assistant", "content": text, **tools}}
    pieces = [{"message": {"role": "assistant", "content": p}} for p in (words(text) if text else [])]
    if tools:
        pieces.append({"message": {"role": "assistant", "content": "", **tools}})
    pieces.append({"message": {"role": "assistant", "content": ""}})
    return _answer(call, text, whole, pieces)


def generate(call: Call) -> Answer:
    """POST /api/generate."""
    text = call.text(str(call.get("prompt", "")))
    pieces = [{"response": p} for p in (words(text) if text else [])]
    return _answer(call, text, {"response": text}, [*pieces, {"response": ""}])


def embed(call: Call) -> Answer:
    """POST /api/embed: one vector per input."""
    given = call.get("input", "")
    inputs = given if isinstance(given, list) else [given]
    body = {
        "model": str(call.get("model") or "all-minilm"),
        "embeddings": [embedding(str(item)) for item in inputs],
        "total_duration": 1_400_000,
        "load_duration": 1_000_000,
        "prompt_eval_count": call.input_tokens,
    }
    return json_answer(body)


ROUTES: tuple[Route, ...] = (
    Route("POST", "/api/chat", LABEL, chat, error),
    Route("POST", "/api/generate", LABEL, generate, error),
    Route("POST", "/api/embed", LABEL, embed, error),
)
