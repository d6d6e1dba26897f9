"""requests: `HTTPAdapter.send` sees each prepared request with its full URL and body, once per hop."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .patches import PatchSet
from .scope import deciding_gateway, sending
from .urllib3_pool import as_bytes, routed_headers, tap_response


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern requests sessions (urllib3 beneath them then lets the already-decided call through)."""
    from ..gateway import OutboundRequest

    def wrap(original: Any) -> Any:
        def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            gateway = deciding_gateway()
            if gateway is None:
                return original(self, request, *args, **kwargs)
            outbound = OutboundRequest("requests", request.method, request.url, request.headers, as_bytes(request.body))
            exchange = gateway.begin(outbound)
            if exchange is None:
                return original(self, request, *args, **kwargs)
            if exchange.route is not None:  # the adapter picks its connection from the URL: set before sending
                request.url = exchange.route.url
                request.headers = type(request.headers)(routed_headers(request.headers, exchange.route))
            if exchange.body is not None:  # redacted: the prepared request carries the new body and length
                request.body = exchange.body
                request.headers["Content-Length"] = str(len(exchange.body))
            if exchange.filters_response:
                request.headers["Accept-Encoding"] = "identity"
            with sending(exchange):
                response = original(self, request, *args, **kwargs)
            tap_response(response.raw, exchange)
            return response

        return send

    patches.replace(module.adapters.HTTPAdapter, "send", wrap)
