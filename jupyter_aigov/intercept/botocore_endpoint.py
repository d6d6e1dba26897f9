"""botocore (boto3): `Endpoint._send_request` holds the request before it is signed, and the whole retry loop.

Deciding here, not in urllib3, keeps any later change to the body ahead of the SigV4 signature, and keeps
a refusal out of botocore's `except Exception` that would turn it into HTTPClientError.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .patches import PatchSet
from .response_tap import ResponseTap
from .scope import deciding_gateway, sending
from .urllib3_pool import as_bytes, tap_response, with_length


def _finish(exchange: Any, result: Any) -> None:
    """Read usage from what botocore parsed, or tap the raw stream of an event-stream operation."""
    http_response, parsed = result
    raw = getattr(http_response, "raw", None)
    if isinstance(parsed, dict) and any(hasattr(v, "_event_generator") for v in parsed.values()) and raw is not None:
        tap_response(raw, exchange)  # converse-stream, invoke-with-response-stream: read as the caller reads
        return
    tap = ResponseTap(exchange, http_response.status_code, http_response.headers)
    content = getattr(http_response, "_content", None)
    if content is not None and "body" not in (parsed or {}):
        tap.feed(content)
    tap.close()


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
            if exchange.body is not None:  # redacted before SigV4 signs the request: the signature covers it
                request_dict["body"] = exchange.body
                request_dict["headers"] = with_length(request_dict.get("headers"), len(exchange.body))
            with sending(exchange):
                result = original(self, request_dict, operation_model)
            _finish(exchange, result)
            return result

        return _send_request

    patches.replace(module.Endpoint, "_send_request", wrap)
