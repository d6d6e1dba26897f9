"""botocore (boto3): `Endpoint._send_request` holds the request before it is signed, and the whole retry loop.

Deciding here, not in urllib3, keeps any later change to the body ahead of the SigV4 signature, and keeps
a refusal out of botocore's `except Exception` that would turn it into HTTPClientError.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..pipeline import CallInFlight, OutboundRequest, deciding_pipeline, sending
from .patches import PatchSet
from .urllib3_pool import as_bytes, tap_response


def _finish(call: CallInFlight, result: Any) -> None:
    """Read usage (and restore values) as the caller reads a streamed body; else from what botocore parsed."""
    http_response, parsed = result
    raw = getattr(http_response, "raw", None)
    streamed = isinstance(parsed, dict) and any(
        hasattr(value, "_event_generator") or hasattr(value, "_raw_stream") for value in parsed.values()
    )
    if streamed and raw is not None:
        # converse-stream, invoke-with-response-stream, invoke_model's body: read when the caller reads
        if tap_response(raw, call).filters:
            for value in parsed.values():
                if hasattr(value, "_content_length"):
                    value._content_length = None  # restored values change the length it would check
        return
    # converse: botocore has read the answer and parsed it
    tap = call.tap(http_response.status_code, http_response.headers)
    tap.parsed(getattr(http_response, "_content", None), parsed)


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern botocore endpoints (bedrock-runtime and any other AWS service traffic passes through)."""

    def wrap(original: Any) -> Any:
        def _send_request(self: Any, request_dict: dict[str, Any], operation_model: Any) -> Any:
            pipeline = deciding_pipeline()
            if pipeline is None:
                return original(self, request_dict, operation_model)
            outbound = OutboundRequest(
                "botocore",
                request_dict.get("method", "POST"),
                request_dict.get("url", ""),
                request_dict.get("headers"),
                as_bytes(request_dict.get("body")),
            )
            call = pipeline.begin(outbound)
            if call is None:
                return original(self, request_dict, operation_model)
            plan = call.plan  # applied before SigV4 signs the request: the signature covers the URL and body
            if plan.url is not None:
                request_dict["url"] = plan.url
            if plan.changes_headers:
                request_dict["headers"] = plan.headers(request_dict.get("headers"))
            if plan.body is not None:
                request_dict["body"] = plan.body
            with sending(call):
                result = original(self, request_dict, operation_model)
            _finish(call, result)
            return result

        return _send_request

    patches.replace(module.Endpoint, "_send_request", wrap)
