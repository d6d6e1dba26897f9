"""What crosses the seam on the way out: the request a client layer saw, and the plan it applies before sending."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutboundRequest:
    """An HTTP request as an interception layer sees it, before it is sent."""

    library: str
    method: str
    url: str
    headers: Mapping[str, str] | None
    body: bytes | None
    # whether the layer can send the call to another host (a urllib3 pool is bound to its own)
    can_change_host: bool = True
    # lower-case names of headers the layer cannot take off this request (an aiohttp session's defaults)
    fixed_headers: frozenset[str] = frozenset()
    # whether a route can send the call elsewhere at all (a gRPC call's method and message cannot be re-targeted)
    can_route: bool = True


@dataclass(frozen=True)
class SendPlan:
    """How an allowed call goes out: the layer applies it, and knows nothing of why.

    `url`: where to send it instead (a route), None to send it where it was going. `drop_headers` (lower-case)
    and `set_headers`: the identity it goes out with (a route takes the caller's credentials off and puts the
    deployment's on) and, when the answer is read on its way back, `Accept-Encoding: identity`. `body`: the bytes
    to send instead (redacted, tools stripped, model routed), None to send the body as it was.
    """

    url: str | None = None
    drop_headers: frozenset[str] = frozenset()
    set_headers: Mapping[str, str] = field(default_factory=dict, repr=False)  # credentials: kept out of reprs
    body: bytes | None = None

    @property
    def changes_headers(self) -> bool:
        """Whether the request's headers change (else a layer leaves them as they are, None included)."""
        return bool(self.drop_headers or self.set_headers or self.body is not None)

    def headers(self, headers: Mapping[str, str] | None) -> dict[str, str]:
        """A copy of `headers` as the plan sends them (the Content-Length of a new body included)."""
        drop = self.drop_headers | {name.lower() for name in self.set_headers}
        if self.body is not None:
            drop |= {"content-length"}
        copied = {key: value for key, value in dict(headers or {}).items() if str(key).lower() not in drop}
        copied.update(self.set_headers)
        if self.body is not None:
            copied["Content-Length"] = str(len(self.body))
        return copied
