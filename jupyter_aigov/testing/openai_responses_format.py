"""OpenAI's Responses API: POST /v1/responses, JSON or an SSE stream of typed events."""

from __future__ import annotations

import json
import time
from typing import Any

from jupyter_aigov.testing.exchange import (
    Answer,
    Call,
    json_answer,
    last_user_text,
    new_id,
    sse,
    sse_answer,
    thirds,
    words,
)


def _prompt(call: Call) -> str:
    given = call.get("input", "")
    return given if isinstance(given, str) else last_user_text(given)


def _response(
    call: Call, response_id: str, output: list[dict[str, Any]], usage: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed" if usage else "in_progress",
        "error": None,
        "incomplete_details": None,
        "instructions": call.get("instructions"),
        "max_output_tokens": call.get("max_output_tokens"),
        "model": str(call.get("model") or call.params.get("deployment") or "gpt-4o-mini"),
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": call.get("previous_response_id"),
        "reasoning": {"effort": None, "summary": None},
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": call.get("tools", []),
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": usage,
        "user": None,
        "metadata": {},
    }


def _message(item_id: str, text: str, done: bool) -> dict[str, Any]:
    content = [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}] if done else []
    status = "completed" if done else "in_progress"
    return {"type": "message", "id": item_id, "status": status, "role": "assistant", "content": content}


def _function_call(item_id: str, call_id: str, name: str, arguments: str, done: bool) -> dict[str, Any]:
    status = "completed" if done else "in_progress"
    return {
        "type": "function_call",
        "id": item_id,
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": status,
    }


def responses(call: Call) -> Answer:
    """POST /v1/responses: a response object, or response.created ... response.completed events."""
    text = call.text(_prompt(call))
    response_id = new_id("resp_", 32)
    message_id = new_id("msg_", 32)
    calls = [
        (new_id("fc_", 32), tc.id or new_id("call_"), tc.name, json.dumps(tc.arguments)) for tc in call.reply.tool_calls
    ]
    output = [_message(message_id, text, done=True)] if text else []
    output += [_function_call(*c, done=True) for c in calls]
    prompt, completion = call.input_tokens, call.output_tokens(text)
    usage = {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": prompt + completion,
    }
    if not call.get("stream"):
        return json_answer(_response(call, response_id, output, usage))

    events: list[tuple[str, dict[str, Any]]] = []
    started = _response(call, response_id, [], None)
    events += [("response.created", {"response": started}), ("response.in_progress", {"response": started})]
    index = 0
    if text:
        at = {"item_id": message_id, "output_index": 0, "content_index": 0}
        part = {"type": "output_text", "text": "", "annotations": []}
        events.append(("response.output_item.added", {"output_index": 0, "item": _message(message_id, "", False)}))
        events.append(("response.content_part.added", {**at, "part": part}))
        events += [("response.output_text.delta", {**at, "delta": p, "logprobs": []}) for p in words(text)]
        events.append(("response.output_text.done", {**at, "text": text, "logprobs": []}))
        events.append(("response.content_part.done", {**at, "part": {**part, "text": text}}))
        events.append(("response.output_item.done", {"output_index": 0, "item": output[0]}))
        index = 1
    for offset, (item_id, call_id, name, arguments) in enumerate(calls):
        at = {"item_id": item_id, "output_index": index + offset}
        added = _function_call(item_id, call_id, name, "", done=False)
        events.append(("response.output_item.added", {"output_index": index + offset, "item": added}))
        events += [("response.function_call_arguments.delta", {**at, "delta": p}) for p in thirds(arguments)]
        events.append(("response.function_call_arguments.done", {**at, "name": name, "arguments": arguments}))
        events.append(("response.output_item.done", {"output_index": index + offset, "item": output[index + offset]}))
    events.append(("response.completed", {"response": _response(call, response_id, output, usage)}))
    return sse_answer(
        [sse({"type": kind, "sequence_number": n, **data}, kind) for n, (kind, data) in enumerate(events)]
    )
