"""`%load_ext aigov` / `%unload_ext aigov`: governance on, magics registered, refusals shown briefly."""

from __future__ import annotations

import sys
import warnings
from types import FrameType
from typing import Any

from aigov_core.errors import PolicyError, PolicyViolation

from . import governance
from .announce import RED, RESET, load_line, problems
from .magics import aigov_magic
from .pipeline import Refusal

_previous_custom_exc: dict[int, tuple[tuple[type[BaseException], ...], Any]] = {}


def render_violation(violation: PolicyViolation) -> list[str]:
    """A refusal in three short lines: what and why, how to proceed, where it is recorded."""
    lines = [f"\x1b[1;31m{type(violation).__name__}\x1b[0m: {violation.reason} [rule {violation.rule}]"]
    if violation.hint:
        lines.append(f"To proceed: {violation.hint}")
    record = violation.record or {}
    if record.get("seq") is not None:
        lines.append(f"Recorded as evidence record #{record['seq']} ({record.get('event')}).")
    return lines


def _show_violation(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> Any:
    if not isinstance(value, PolicyViolation | Refusal):
        # another extension's exception: its own handler, as if aigov were not there
        previous_types, previous_handler = _previous_custom_exc.get(id(shell), ((), None))
        if previous_handler is not None and isinstance(value, previous_types):
            return previous_handler(etype, value, tb, tb_offset=tb_offset)
        return shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    violation = value.violation if isinstance(value, Refusal) else value
    stb = render_violation(violation)
    # _showtraceback publishes an error output (ename, evalue, our short traceback) in a kernel
    shell._showtraceback(type(violation), violation, stb)
    return stb


def _flush_after_cell(result: Any = None) -> None:
    """Each cell's calls have their usage on disk when the cell is done; what it changed behind aigov is found."""
    governance.check_integrity()
    governance.flush_evidence()


def load_ipython_extension(ipython: Any) -> None:
    """Start governing this kernel, and say in one line what governs it (each problem in red beneath)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            governance.enable(user_ns=ipython.user_ns)
        except PolicyError as error:
            from IPython.core.error import UsageError

            if governance.status()["enabled"]:  # a reload with a bad policy: the one in force stays
                _register(ipython)
                raise UsageError(
                    f"{RED}aigov did not reload: the policy in force before stays in force. {error} "
                    f"Fix it, then run `%reload_ext aigov` again.{RESET}"
                ) from None
            # shown as one clear message, not a traceback through IPython's extension manager
            raise UsageError(
                f"{RED}aigov did not load: nothing is governed. {error} "
                f"Fix it, then run `%load_ext aigov` again.{RESET}"
            ) from None
    info = governance.status()
    print(load_line(info))
    for line in problems(info, [str(w.message).removeprefix("aigov: ") for w in caught]):
        print(line, file=sys.stderr)
    _register(ipython)


def _register(ipython: Any) -> None:
    if _flush_after_cell not in ipython.events.callbacks["post_run_cell"]:
        ipython.events.register("post_run_cell", _flush_after_cell)
    ipython.register_magic_function(aigov_magic, magic_kind="line", magic_name="aigov")
    if id(ipython) not in _previous_custom_exc:
        _previous_custom_exc[id(ipython)] = (ipython.custom_exceptions, ipython.CustomTB)
        ipython.set_custom_exc((PolicyViolation, Refusal, *ipython.custom_exceptions), _show_violation)


def _reloading() -> bool:
    """Whether IPython's %reload_ext is what unloads us (it loads us again at once)."""
    frame: FrameType | None = sys._getframe(1)
    for _ in range(8):
        if frame is None:
            return False
        if frame.f_code.co_name == "reload_extension" and frame.f_globals.get("__name__") == "IPython.core.extensions":
            return True
        frame = frame.f_back
    return False


def unload_ipython_extension(ipython: Any) -> None:
    """Stop governing and restore every patched client (on %reload_ext, the gateway stays until replaced)."""
    if _reloading():
        governance.begin_reload()  # no moment ungoverned: the patches stay, the load hands them to the new gateway
    else:
        governance.disable(from_extension=True)
    if _flush_after_cell in ipython.events.callbacks["post_run_cell"]:
        ipython.events.unregister("post_run_cell", _flush_after_cell)
    previous = _previous_custom_exc.pop(id(ipython), None)
    if previous is not None:
        ipython.custom_exceptions, ipython.CustomTB = previous
    ipython.magics_manager.magics["line"].pop("aigov", None)
