"""The one gateway governing this process, if any, and whether it is locked: read on every intercepted request.

Both are held in a closure, not in module globals: `state._active = None`, or any other plain assignment to this
module, changes nothing. Once locked (locked mode), the gateway cannot be switched, and the governing objects
refuse plain assignment (`sealed_setattr`), each attempt refused and recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .gateway import Gateway
    from .locked import LockedMode


def _holder() -> tuple[
    Callable[[], Gateway | None],
    Callable[[Gateway | None], None],
    Callable[[], LockedMode | None],
    Callable[[LockedMode], None],
]:
    active: list[Gateway | None] = [None]
    locked: list[LockedMode | None] = [None]

    def active_gateway() -> Gateway | None:
        """The gateway in force, or None when governance is off."""
        return active[0]

    def set_active_gateway(gateway: Gateway | None) -> None:
        """Switch governance on (a gateway) or off (None); refused once locked, unless it is the same gateway."""
        mode = locked[0]
        if mode is not None and gateway is not active[0]:
            raise mode.refuse("switching off the gateway that governs this kernel")
        active[0] = gateway

    def locked_mode() -> LockedMode | None:
        """Locked mode, once the gateway in force was locked; None otherwise."""
        return locked[0]

    def lock(mode: LockedMode) -> None:
        """Lock the gateway in force for the rest of this process: there is no way back but a new process."""
        if locked[0] is None:
            locked[0] = mode

    return active_gateway, set_active_gateway, locked_mode, lock


active_gateway, set_active_gateway, locked_mode, lock = _holder()


def sealed_setattr(locked: Callable[[], LockedMode | None] = locked_mode) -> Callable[[Any, str, Any], None]:
    """A `__setattr__` for an object that governs: once locked, rebinding any of its attributes is refused.

    Its own methods that must change a field after locking (a use case declared) use `object.__setattr__`.
    """

    def __setattr__(self: Any, name: str, value: Any) -> None:
        mode = locked()
        if mode is not None:
            raise mode.refuse(f"setting {type(self).__name__}.{name}")
        object.__setattr__(self, name, value)

    return __setattr__
