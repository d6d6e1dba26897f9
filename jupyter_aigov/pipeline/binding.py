"""Who governs: the pipeline the client layers' patches were installed for, read on every intercepted request.

The interceptor binds it when it starts and unbinds it when it stops; binding also makes its owner the process's
active gateway (`state`), in the same step under a lock. A reader that sees the two disagree waits for a bind in
progress before it calls that tampering.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..state import active_gateway, locked_mode, sealed_setattr, set_active_gateway
from .refusals import outer_layer_has_it

if TYPE_CHECKING:
    from ..gateway import Gateway
    from .flow import Pipeline


def _binding(
    set_active: Callable[[Gateway | None], None],
) -> tuple[Callable[[Gateway | None], None], Callable[[], Gateway | None], Callable[[], Gateway | None]]:
    bound: list[Gateway | None] = [None]
    lock = threading.Lock()

    def bind(governed: Gateway | None) -> None:
        with lock:
            set_active(governed)  # first: once locked, switching is refused here, before anything changed
            bound[0] = governed

    def governor() -> Gateway | None:
        return bound[0]

    def settled() -> Gateway | None:
        with lock:
            return bound[0]

    return bind, governor, settled


bind_governor, governor, _settled_governor = _binding(set_active_gateway)


def _deciding(
    outer_layer_has_it: Callable[[], bool],
    governor: Callable[[], Gateway | None],
    settled: Callable[[], Gateway | None],
    active: Callable[[], Gateway | None],
) -> Callable[[], Pipeline | None]:
    """deciding_pipeline, holding what it reads in its closure: rebinding this module's names changes nothing."""

    def deciding_pipeline() -> Pipeline | None:
        """The pipeline that should decide on a request now: None when governance is off or an outer layer has it.

        The governance in force is the one the patches were installed for: switching the process's active gateway
        (state.set_active_gateway) behind governance's back does not turn it off; it is recorded as tampering,
        and every AI call is refused until aigov is loaded again.
        """
        governed, current = governor(), active()
        if governed is not current:  # a bind in progress, or a switch behind aigov's back: look again once done
            governed, current = settled(), active()
        if governed is None:
            if current is None:  # governance is off: a wrapper someone stacked on ours is left passing through
                return None
            governed = current  # patched, but unbound behind the interceptor's back
            governed.pipeline.note_tampering(
                "the gateway the client layers answer to was unbound without unloading aigov"
            )
        elif current is not governed:
            governed.pipeline.note_tampering("the active gateway was switched without unloading aigov")
        return None if outer_layer_has_it() else governed.pipeline

    return deciding_pipeline


__all__ = ["active_gateway", "bind_governor", "deciding_pipeline", "governor", "locked_mode", "sealed_setattr"]

deciding_pipeline = _deciding(outer_layer_has_it, governor, _settled_governor, active_gateway)
