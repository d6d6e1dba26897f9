"""requests: `HTTPAdapter.send` sees each prepared request with its full URL and body, once per hop."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..pipeline import OutboundRequest, deciding_pipeline, sending
from .patches import PatchSet
from .urllib3_pool import as_bytes, tap_response


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern requests sessions (urllib3 beneath them then lets the already-decided call through)."""

    def wrap(original: Any) -> Any:
        def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            pipeline = deciding_pipeline()
            if pipeline is None:
                return original(self, request, *args, **kwargs)
            outbound = OutboundRequest("requests", request.method, request.url, request.headers, as_bytes(request.body))
            call = pipeline.begin(outbound)
            if call is None:
                return original(self, request, *args, **kwargs)
            plan = call.plan
            if plan.url is not None:  # the adapter picks its connection from the URL: set before sending
                request.url = plan.url
            if plan.changes_headers:
                request.headers = type(request.headers)(plan.headers(request.headers))
            if plan.body is not None:  # the prepared request carries the new body (and its length)
                request.body = plan.body
            with sending(call):
                response = original(self, request, *args, **kwargs)
            tap_response(response.raw, call)
            return response

        return send

    patches.replace(module.adapters.HTTPAdapter, "send", wrap)
