"""botocore (boto3): `Endpoint._send_request` holds the request before it is signed, and the whole retry loop.

Deciding here, not in urllib3, keeps any later change to the body ahead of the SigV4 signature, and keeps
a refusal out of botocore's `except Exception` that would turn it into HTTPClientError.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..redaction.restore import restore_value
from ..tools.calls import calls_in_answer
from .patches import PatchSet
from .response_tap import ResponseTap
from .scope import deciding_gateway, sending
from .urllib3_pool import as_bytes, ask_for_identity, routed_headers, tap_response, with_length


def _finish(exchange: Any, result: Any) -> None:
    """Read usage (and restore values) as the caller reads a streamed body; else from what botocore parsed."""
    http_response, parsed = result
    raw = getattr(http_response, "raw", None)
    streamed = isinstance(parsed, dict) and any(
        hasattr(value, "_event_generator") or hasattr(value, "_raw_stream") for value in parsed.values()
    )
    if streamed and raw is not None:
        # converse-stream, invoke-with-response-stream, invoke_model's body: read when the caller reads
        tap_response(raw, exchange)
        if exchange.restoring:
            for value in parsed.values():
                if hasattr(value, "_content_length"):
                    value._content_length = None  # restored values change the length it would check
        return
    tap = ResponseTap(exchange, http_response.status_code, http_response.headers)
    content = getattr(http_response, "_content", None)
    if content is not None:
        tap.feed(content)
    tap.close()
    if exchange.gating and isinstance(parsed, dict):  # converse: botocore has read and parsed the answer
        calls = calls_in_answer(exchange.call.api, exchange.call.operation, parsed)
        if calls:
            exchange.judge(calls)
    if exchange.restoring and isinstance(parsed, dict) and "output" in parsed:
        parsed["output"] = restore_value(parsed["output"], exchange.gateway.vault)  # converse: already parsed


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern botocore endpoints (bedrock-runtime and any other AWS service traffic passes through)."""
    from ..gateway import OutboundRequest

    def wrap(original: Any) -> Any:
        def _send_request(self: Any, request_dict: dict[str, Any], operation_model: Any) -> Any:
            gateway = deciding_gateway()
            if gateway is None:
                return original(self, request_dict, operation_model)
            outbound = OutboundRequest(
                "botocore",
                request_dict.get("method", "POST"),
                request_dict.get("url", ""),
                request_dict.get("headers"),
                as_bytes(request_dict.get("body")),
            )
            exchange = gateway.begin(outbound)
            if exchange is None:
                return original(self, request_dict, operation_model)
            if exchange.route is not None:  # before signing: the signature covers the new URL
                request_dict["url"] = exchange.route.url
                request_dict["headers"] = routed_headers(request_dict.get("headers"), exchange.route)
            if exchange.body is not None:  # redacted before SigV4 signs the request: the signature covers it
                request_dict["body"] = exchange.body
                request_dict["headers"] = with_length(request_dict.get("headers"), len(exchange.body))
            if exchange.filters_response:
                request_dict["headers"] = ask_for_identity(request_dict.get("headers"))
            with sending(exchange):
                result = original(self, request_dict, operation_model)
            _finish(exchange, result)
            return result

        return _send_request

    patches.replace(module.Endpoint, "_send_request", wrap)
