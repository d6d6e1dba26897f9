"""requests: `HTTPAdapter.send` sees each prepared request with its full URL and body, once per hop."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ..state import active_gateway
from .patches import PatchSet
from .scope import governing
from .urllib3_pool import as_bytes, tap_response


def install(patches: PatchSet, module: ModuleType) -> None:
    """Govern requests sessions (urllib3 beneath them then lets the already-decided call through)."""
    from ..gateway import OutboundRequest

    def wrap(original: Any) -> Any:
        def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            gateway = active_gateway()
            if gateway is None or governing.get():
                return original(self, request, *args, **kwargs)
            outbound = OutboundRequest("requests", request.method, request.url, request.headers, as_bytes(request.body))
            exchange = gateway.begin(outbound)
            if exchange is None:
                return original(self, request, *args, **kwargs)
            token = governing.set(True)
            try:
                response = original(self, request, *args, **kwargs)
            except BaseException as exc:
                exchange.finish(None, error=type(exc).__name__)
                raise
            finally:
                governing.reset(token)
            tap_response(response.raw, exchange)
            return response

        return send

    patches.replace(module.adapters.HTTPAdapter, "send", wrap)
