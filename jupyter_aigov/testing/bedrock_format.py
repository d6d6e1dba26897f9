"""Amazon Bedrock runtime: /model/{modelId}/converse, converse-stream, invoke, invoke-with-response-stream."""

from __future__ import annotations

import base64
import json
from typing import Any

from jupyter_aigov.testing import anthropic_format, aws_eventstream
from jupyter_aigov.testing.exchange import (
    Answer,
    Call,
    Route,
    json_answer,
    last_user_text,
    new_id,
    thirds,
    words,
)

LABEL = "Bedrock"
_ERRORS = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    408: "ModelTimeoutException",
    424: "ModelErrorException",
    429: "ThrottlingException",
    503: "ServiceUnavailableException",
}
_LATENCY_MS = 42


def error(status: int, message: str) -> Answer:
    """Bedrock's error: the exception name in x-amzn-ErrorType, {"message"} in the body."""
    kind = _ERRORS.get(status, "InternalServerException")
    headers = {"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
    return json_answer({"message": message}, status, {**headers, "x-amzn-RequestId": new_id("", 32)})


def _prompt(call: Call) -> str:
    messages = call.get("messages")
    if isinstance(messages, list):
        return last_user_text(messages)
    return ""


def _tool_ids(call: Call) -> list[str]:
    return [tc.id or new_id("tooluse_", 22) for tc in call.reply.tool_calls]


def _usage(call: Call, text: str) -> dict[str, int]:
    prompt, completion = call.input_tokens, call.output_tokens(text)
    return {"inputTokens": prompt, "outputTokens": completion, "totalTokens": prompt + completion}


def _stop_reason(call: Call) -> str:
    return "tool_use" if call.reply.tool_calls else "end_turn"


def converse(call: Call) -> Answer:
    """POST /model/{modelId}/converse."""
    text = call.text(_prompt(call))
    content: list[dict[str, Any]] = [{"text": text}] if text else []
    content += [
        {"toolUse": {"toolUseId": i, "name": tc.name, "input": dict(tc.arguments)}}
        for i, tc in zip(_tool_ids(call), call.reply.tool_calls, strict=True)
    ]
    body = {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": _stop_reason(call),
        "usage": _usage(call, text),
        "metrics": {"latencyMs": _LATENCY_MS},
    }
    return json_answer(body, headers={"x-amzn-RequestId": new_id("", 32)})


def converse_stream(call: Call) -> Answer:
    """POST /model/{modelId}/converse-stream: messageStart, content blocks, messageStop, metadata."""
    text = call.text(_prompt(call))
    events = [aws_eventstream.event("messageStart", {"role": "assistant"})]
    index = 0
    if text:
        for piece in words(text):
            events.append(
                aws_eventstream.event("contentBlockDelta", {"delta": {"text": piece}, "contentBlockIndex": 0})
            )
        events.append(aws_eventstream.event("contentBlockStop", {"contentBlockIndex": 0}))
        index = 1
    for offset, (tool_id, tc) in enumerate(zip(_tool_ids(call), call.reply.tool_calls, strict=True)):
        at = index + offset
        start = {"start": {"toolUse": {"toolUseId": tool_id, "name": tc.name}}, "contentBlockIndex": at}
        events.append(aws_eventstream.event("contentBlockStart", start))
        for piece in thirds(json.dumps(tc.arguments)):
            delta = {"delta": {"toolUse": {"input": piece}}, "contentBlockIndex": at}
            events.append(aws_eventstream.event("contentBlockDelta", delta))
        events.append(aws_eventstream.event("contentBlockStop", {"contentBlockIndex": at}))
    events.append(aws_eventstream.event("messageStop", {"stopReason": _stop_reason(call)}))
    metadata = {"usage": _usage(call, text), "metrics": {"latencyMs": _LATENCY_MS}}
    events.append(aws_eventstream.event("metadata", metadata))
    return _stream(events)


def _stream(events: list[bytes]) -> Answer:
    headers = {"x-amzn-RequestId": new_id("", 32), "X-Amzn-Bedrock-Content-Type": "application/json"}
    return Answer(content_type=aws_eventstream.CONTENT_TYPE, events=events, headers=headers)


def invoke(call: Call) -> Answer:
    """POST /model/{modelId}/invoke: the Anthropic message body, token counts in x-amzn-bedrock-* headers."""
    body = anthropic_format.message(call, call.params["modelId"])
    headers = {
        "x-amzn-RequestId": new_id("", 32),
        "x-amzn-bedrock-input-token-count": str(body["usage"]["input_tokens"]),
        "x-amzn-bedrock-output-token-count": str(body["usage"]["output_tokens"]),
        "x-amzn-bedrock-invocation-latency": str(_LATENCY_MS),
    }
    return json_answer(body, headers=headers)


def invoke_with_response_stream(call: Call) -> Answer:
    """POST /model/{modelId}/invoke-with-response-stream: Anthropic stream events as base64 `chunk` events."""
    events = anthropic_format.stream_events(call, call.params["modelId"])
    start, delta = events[0], next(e for e in events if e["type"] == "message_delta")
    events[-1]["amazon-bedrock-invocationMetrics"] = {
        "inputTokenCount": start["message"]["usage"]["input_tokens"],
        "outputTokenCount": delta["usage"]["output_tokens"],
        "invocationLatency": _LATENCY_MS,
        "firstByteLatency": _LATENCY_MS // 2,
    }
    chunks = [{"bytes": base64.b64encode(json.dumps(e).encode()).decode()} for e in events]
    return _stream([aws_eventstream.event("chunk", c) for c in chunks])


ROUTES: tuple[Route, ...] = (
    Route("POST", "/model/{modelId}/converse", LABEL, converse, error),
    Route("POST", "/model/{modelId}/converse-stream", LABEL, converse_stream, error),
    Route("POST", "/model/{modelId}/invoke", LABEL, invoke, error),
    Route("POST", "/model/{modelId}/invoke-with-response-stream", LABEL, invoke_with_response_stream, error),
)


def sigv4_signature(received: Any, endpoint_url: str, secret: str = "secret", region: str = "us-east-1") -> str:
    """The SigV4 signature a received Bedrock request should carry, recomputed over the bytes that arrived.

    Equal to the one in its Authorization header exactly when the body was changed before signing, not after.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signed = received.headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    request = AWSRequest(
        method="POST",
        url=endpoint_url + received.path,
        data=received.body,
        headers={name: received.headers[name] for name in signed},
    )
    request.context["timestamp"] = received.headers["x-amz-date"]
    signer = SigV4Auth(Credentials("AKIDEXAMPLE", secret), "bedrock", region)
    signer._modify_request_before_signing(request)
    return str(signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request))
