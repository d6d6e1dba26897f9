"""The one gateway governing this process, if any: read on every intercepted request, so kept trivial."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .gateway import Gateway

_active: Gateway | None = None


def active_gateway() -> Gateway | None:
    """The gateway in force, or None when governance is off."""
    return _active


def set_active_gateway(gateway: Gateway | None) -> None:
    """Switch governance on (a gateway) or off (None)."""
    global _active
    _active = gateway
