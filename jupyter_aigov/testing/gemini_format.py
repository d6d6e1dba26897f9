"""Google's Gemini API: models/{model}:generateContent and :streamGenerateContent?alt=sse."""

from __future__ import annotations

from typing import Any

from jupyter_aigov.testing.exchange import (
    Answer,
    Call,
    Route,
    json_answer,
    last_user_text,
    new_id,
    sse,
    sse_answer,
    words,
)

LABEL = "Gemini"
_STATUSES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def error(status: int, message: str) -> Answer:
    """Google's error body: {"error": {"code", "message", "status"}}."""
    return json_answer(
        {"error": {"code": status, "message": message, "status": _STATUSES.get(status, "UNKNOWN")}}, status
    )


def _prompt(call: Call) -> str:
    contents = call.get("contents")
    if isinstance(contents, list):
        as_messages = [
            {"role": c.get("role", "user"), "content": c.get("parts")} for c in contents if isinstance(c, dict)
        ]
        return last_user_text(as_messages)
    return ""


def _candidate(parts: list[dict[str, Any]], finish: str | None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    return {**candidate, "finishReason": finish} if finish else candidate


def _usage(prompt: int, candidates: int) -> dict[str, Any]:
    return {
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + candidates,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
    }


def generate_content(call: Call) -> Answer:
    """One GenerateContentResponse; functionCall parts for scripted tool calls."""
    text = call.text(_prompt(call))
    parts: list[dict[str, Any]] = [{"text": text}] if text else []
    parts += [_function_call(call, i) for i in range(len(call.reply.tool_calls))]
    body = {
        "candidates": [_candidate(parts, "STOP")],
        "usageMetadata": _usage(call.input_tokens, call.output_tokens(text)),
        "modelVersion": call.params["model"],
        "responseId": new_id("", 22),
    }
    return json_answer(body)


def _function_call(call: Call, index: int) -> dict[str, Any]:
    tc = call.reply.tool_calls[index]
    found: dict[str, Any] = {"name": tc.name, "args": dict(tc.arguments)}
    return {"functionCall": {**found, "id": tc.id} if tc.id else found}


def stream_generate_content(call: Call) -> Answer:
    """SSE of GenerateContentResponse chunks; Gemini sends each functionCall whole, in one chunk."""
    text = call.text(_prompt(call))
    response_id = new_id("", 22)
    pieces: list[list[dict[str, Any]]] = [[{"text": p}] for p in words(text)] if text else []
    pieces += [[_function_call(call, i)] for i in range(len(call.reply.tool_calls))]
    pieces = pieces or [[{"text": ""}]]
    total = call.output_tokens(text)
    events = []
    for n, parts in enumerate(pieces, start=1):
        last = n == len(pieces)
        chunk = {
            "candidates": [_candidate(parts, "STOP" if last else None)],
            "usageMetadata": _usage(call.input_tokens, total if last else max(1, total * n // len(pieces))),
            "modelVersion": call.params["model"],
            "responseId": response_id,
        }
        events.append(sse(chunk))
    return sse_answer(events)


ROUTES: tuple[Route, ...] = (
    Route("POST", "/{version}/models/{model}:generateContent", LABEL, generate_content, error),
    Route("POST", "/{version}/models/{model}:streamGenerateContent", LABEL, stream_generate_content, error),
)
