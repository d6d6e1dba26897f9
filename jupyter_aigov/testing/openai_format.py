"""OpenAI's wire format (also Azure OpenAI and Mistral): chat completions, completions, embeddings, models."""

from __future__ import annotations

import json
import time
from typing import Any

from jupyter_aigov.testing import openai_responses_format
from jupyter_aigov.testing.exchange import (
    Answer,
    Call,
    Route,
    embedding,
    float32_base64,
    json_answer,
    last_user_text,
    new_id,
    sse,
    sse_answer,
    thirds,
    words,
)

LABEL = "OpenAI"
_ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 403: "permission_denied"}
_ERROR_CODES = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}
MODELS = ("gpt-4o-mini", "gpt-4.1", "text-embedding-3-small")


def error(status: int, message: str) -> Answer:
    """OpenAI's error body: {"error": {"message", "type", "param", "code"}}."""
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body = {"error": {"message": message, "type": kind, "param": None, "code": _ERROR_CODES.get(status)}}
    return json_answer(body, status, {"x-request-id": new_id("req_")})


def _model(call: Call, default: str = "gpt-4o-mini") -> str:
    return str(call.get("model") or call.params.get("deployment") or default)


def _usage(call: Call, text: str) -> dict[str, Any]:
    prompt, completion = call.input_tokens, call.output_tokens(text)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }


def _include_usage(call: Call) -> bool:
    options = call.get("stream_options")
    return isinstance(options, dict) and bool(options.get("include_usage"))


def chat_completions(call: Call) -> Answer:
    """POST /v1/chat/completions, JSON or (stream: true) SSE chunks ending in data: [DONE]."""
    text = call.text(last_user_text(call.get("messages")))
    ids = [tc.id or new_id("call_") for tc in call.reply.tool_calls]
    base = {"id": new_id("chatcmpl-"), "created": int(time.time()), "model": _model(call)}
    base["system_fingerprint"] = "fp_standin"
    finish = "tool_calls" if ids else "stop"
    if not call.get("stream"):
        message: dict[str, Any] = {"role": "assistant", "content": text or None, "refusal": None}
        message["annotations"] = []
        if ids:
            message["tool_calls"] = [
                {
                    "id": i,
                    "type": "function",
                    "function": {"name": tc.name, "arguments": json.dumps(tc.arguments)},
                }
                for i, tc in zip(ids, call.reply.tool_calls, strict=True)
            ]
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
        body = {**base, "object": "chat.completion", "choices": [choice], "usage": _usage(call, text)}
        return json_answer(body)

    with_usage = _include_usage(call)

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        body = {**base, "object": "chat.completion.chunk", "choices": [choice]}
        return sse({**body, "usage": None} if with_usage else body)

    events = [chunk({"role": "assistant", "content": "", "refusal": None})]
    if text:
        events += [chunk({"content": piece}) for piece in words(text)]
    for index, (tool_id, tc) in enumerate(zip(ids, call.reply.tool_calls, strict=True)):
        start = {
            "index": index,
            "id": tool_id,
            "type": "function",
            "function": {"name": tc.name, "arguments": ""},
        }
        events.append(chunk({"tool_calls": [start]}))
        for piece in thirds(json.dumps(tc.arguments)):
            events.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
    events.append(chunk({}, finish))
    if with_usage:
        usage_chunk = {**base, "object": "chat.completion.chunk", "choices": [], "usage": _usage(call, text)}
        events.append(sse(usage_chunk))
    return sse_answer([*events, sse("[DONE]")])


def completions(call: Call) -> Answer:
    """POST /v1/completions (the legacy text completions), JSON or SSE."""
    prompt = call.get("prompt", "")
    text = call.text(str(prompt[-1] if isinstance(prompt, list) and prompt else prompt))
    base = {
        "id": new_id("cmpl-"),
        "object": "text_completion",
        "created": int(time.time()),
        "model": _model(call),
    }

    def choice(piece: str, finish: str | None) -> dict[str, Any]:
        return {"text": piece, "index": 0, "logprobs": None, "finish_reason": finish}

    if not call.get("stream"):
        return json_answer({**base, "choices": [choice(text, "stop")], "usage": _usage(call, text)})
    events = [sse({**base, "choices": [choice(piece, None)]}) for piece in words(text)]
    events.append(sse({**base, "choices": [choice("", "stop")]}))
    if _include_usage(call):
        events.append(sse({**base, "choices": [], "usage": _usage(call, text)}))
    return sse_answer([*events, sse("[DONE]")])


def embeddings(call: Call) -> Answer:
    """POST /v1/embeddings; honours encoding_format "base64", which the SDK asks for by default."""
    given = call.get("input", "")
    inputs = given if isinstance(given, list) and all(isinstance(i, str) for i in given) else [given]
    dimensions = int(call.get("dimensions") or 8)
    data = []
    for index, item in enumerate(inputs):
        vector = embedding(item if isinstance(item, str) else json.dumps(item), dimensions)
        encoded: Any = float32_base64(vector) if call.get("encoding_format") == "base64" else vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    usage = {"prompt_tokens": call.input_tokens, "total_tokens": call.input_tokens}
    return json_answer({"object": "list", "data": data, "model": _model(call, MODELS[2]), "usage": usage})


def models(call: Call) -> Answer:
    """GET /v1/models."""
    data = [{"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "stand-in"} for m in MODELS]
    return json_answer({"object": "list", "data": data})


def _routes(prefix: str) -> tuple[Route, ...]:
    return (
        Route("POST", f"{prefix}/chat/completions", LABEL, chat_completions, error),
        Route("POST", f"{prefix}/responses", LABEL, openai_responses_format.responses, error),
        Route("POST", f"{prefix}/completions", LABEL, completions, error),
        Route("POST", f"{prefix}/embeddings", LABEL, embeddings, error),
    )


ROUTES: tuple[Route, ...] = (
    *_routes("/v1"),
    Route("GET", "/v1/models", LABEL, models, error),
    *_routes("/openai/v1"),  # Azure OpenAI's v1 API
    *_routes("/openai/deployments/{deployment}"),  # Azure OpenAI with ?api-version=
)
