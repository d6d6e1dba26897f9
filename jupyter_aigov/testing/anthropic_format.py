"""Anthropic's Messages API: POST /v1/messages, JSON or the message_start ... message_stop SSE stream."""

from __future__ import annotations

import json
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
    thirds,
    words,
)

LABEL = "Anthropic"
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}


def error(status: int, message: str) -> Answer:
    """Anthropic's error body: {"type": "error", "error": {"type", "message"}}."""
    request_id = new_id("req_")
    kind = _ERROR_TYPES.get(status, "api_error")
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}
    return json_answer(body, status, {"request-id": request_id})


def _prompt(call: Call) -> str:
    # Bedrock's invoke also sends this shape; other model families there send "prompt" or "inputText".
    return last_user_text(call.get("messages")) or str(call.get("prompt") or call.get("inputText") or "")


def _usage(input_tokens: int, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


def message(call: Call, model: str) -> dict[str, Any]:
    """A complete message object (also the body of Bedrock's invoke for Anthropic models)."""
    text = call.text(_prompt(call))
    content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    content += [
        {"type": "tool_use", "id": tc.id or new_id("toolu_"), "name": tc.name, "input": dict(tc.arguments)}
        for tc in call.reply.tool_calls
    ]
    return {
        "id": new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if call.reply.tool_calls else "end_turn",
        "stop_sequence": None,
        "usage": _usage(call.input_tokens, call.output_tokens(text)),
    }


def stream_events(call: Call, model: str) -> list[dict[str, Any]]:
    """The stream's events as dicts, each with its "type" (Bedrock wraps the same ones in chunk events)."""
    whole = message(call, model)
    started = {**whole, "content": [], "stop_reason": None, "usage": _usage(call.input_tokens, 1)}
    events: list[dict[str, Any]] = [{"type": "message_start", "message": started}]
    for index, block in enumerate(whole["content"]):
        if block["type"] == "text":
            events.append({"type": "content_block_start", "index": index, "content_block": {**block, "text": ""}})
            deltas = [{"type": "text_delta", "text": piece} for piece in words(block["text"])]
        else:
            empty = {**block, "input": {}}
            events.append({"type": "content_block_start", "index": index, "content_block": empty})
            deltas = [{"type": "input_json_delta", "partial_json": p} for p in thirds(json.dumps(block["input"]))]
        if index == 0:
            events.append({"type": "ping"})
        events += [{"type": "content_block_delta", "index": index, "delta": d} for d in deltas]
        events.append({"type": "content_block_stop", "index": index})
    stopped = {"stop_reason": whole["stop_reason"], "stop_sequence": None}
    usage = {"output_tokens": whole["usage"]["output_tokens"]}
    events += [{"type": "message_delta", "delta": stopped, "usage": usage}, {"type": "message_stop"}]
    return events


def messages(call: Call) -> Answer:
    """POST /v1/messages."""
    model = str(call.get("model") or "claude-sonnet-4-6")
    headers = {"request-id": new_id("req_")}
    if not call.get("stream"):
        return json_answer(message(call, model), headers=headers)
    return sse_answer([sse(event, event["type"]) for event in stream_events(call, model)], headers)


ROUTES: tuple[Route, ...] = (Route("POST", "/v1/messages", LABEL, messages, error),)
