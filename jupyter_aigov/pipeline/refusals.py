"""How a refusal reaches the caller as itself, whichever SDK is in between; and the marks a call carries."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NoReturn

from aigov_core.errors import PolicyViolation

if TYPE_CHECKING:
    from .answer import CallInFlight


class _Mark:
    """A mark a call carries (a context variable) that only aigov can set: the token `held` makes, while it runs.

    Setting the variable to anything else (True, an object) marks nothing, so it cannot switch governance off.
    """

    def __init__(self, name: str) -> None:
        self._variable: ContextVar[object | None] = ContextVar(name, default=None)
        self._live: set[int] = set()

    def is_set(self) -> bool:
        return id(self._variable.get()) in self._live

    @contextmanager
    def held(self) -> Iterator[None]:
        token_object = object()
        self._live.add(id(token_object))
        token = self._variable.set(token_object)
        try:
            yield
        finally:
            self._variable.reset(token)
            self._live.discard(id(token_object))

    def around(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` (sync or a coroutine function) run with the mark held; a call already marked costs one test.

        Generators are returned as they are: a mark set inside one would stay set in its caller between steps.
        """
        if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
            return function
        variable, live = self._variable, self._live
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def marked_async(*args: Any, **kwargs: Any) -> Any:
                if id(variable.get()) in live:
                    return await function(*args, **kwargs)
                token_object = object()
                live.add(id(token_object))
                token = variable.set(token_object)
                try:
                    return await function(*args, **kwargs)
                finally:
                    variable.reset(token)
                    live.discard(id(token_object))

            return marked_async

        @functools.wraps(function)
        def marked(*args: Any, **kwargs: Any) -> Any:
            if id(variable.get()) in live:
                return function(*args, **kwargs)
            token_object = object()
            live.add(id(token_object))
            token = variable.set(token_object)
            try:
                return function(*args, **kwargs)
            finally:
                variable.reset(token)
                live.discard(id(token_object))

        return marked


# Set while one layer handles a call, so the layers beneath it (requests -> urllib3, botocore -> urllib3)
# let it through instead of deciding a second time.
_sending = _Mark("aigov_sending")
outer_layer_has_it = _sending.is_set


@contextmanager
def sending(call: CallInFlight) -> Iterator[None]:
    """Around an allowed request going out: the layers beneath pass it through, a failure ends the call."""
    with _sending.held():
        try:
            yield
        except BaseException as exc:
            call.finish(None, error=type(exc).__name__)
            raise


# Set while a client layer's patch runs (intercept's PatchSet marks the wrappers of layers and guards): a connection
# opened beneath it comes from a governed layer, which the backstop (jupyter_aigov/backstop) lets through.
_in_layer = _Mark("aigov_in_layer")
in_governed_layer = _in_layer.is_set
through_layer = _in_layer.around


# Set while an SDK that retries or wraps transport errors (anthropic, botocore, google-genai) is on the stack.
_shielded = _Mark("aigov_shielded")


class Refusal(BaseException):
    """Carries a PolicyViolation past an SDK's `except Exception` (no retry, no wrapping), to its shield."""

    def __init__(self, violation: PolicyViolation) -> None:
        super().__init__(str(violation))
        self.violation = violation


def refuse(violation: PolicyViolation) -> NoReturn:
    """Raise the violation so that the caller receives it as itself, whichever SDK is in between."""
    if _shielded.is_set():
        raise Refusal(violation)
    raise violation


def carried_violation(exc: BaseException) -> PolicyViolation | None:
    """The violation an exception is, carries, or wraps (its `__cause__` / `__context__` chain, a group's members)."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, PolicyViolation):
            return current
        if isinstance(current, Refusal):
            return current.violation
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__context__, current.__cause__) if e is not None)
    return None


@contextmanager
def _shielded_step() -> Iterator[None]:
    """Mark one step of an SDK call as shielded; the outermost shield hands the violation itself to the caller.

    Beneath an outer shield (litellm over openai), a refusal goes on as a Refusal, past the outer SDK's
    `except Exception` and retries. A violation that an SDK wrapped in its own error anyway (raised where no
    shield was marked, or by a version that catches more) is recognised in the error's chain and unwrapped.
    """
    outermost = not _shielded.is_set()
    with _shielded.held():
        try:
            yield
        except BaseException as exc:
            violation = carried_violation(exc)
            if violation is None or (not outermost and isinstance(exc, Refusal)):
                raise
            if not outermost:
                raise Refusal(violation) from None
            raise violation from None


def shield(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an SDK entry point so a refusal raised beneath it reaches its caller as the PolicyViolation."""
    if inspect.isasyncgenfunction(original):

        @functools.wraps(original)
        async def shielded_agen(*args: Any, **kwargs: Any) -> Any:
            # each step is shielded on its own: between steps the caller's code runs unshielded
            agen = original(*args, **kwargs)
            try:
                while True:
                    with _shielded_step():
                        try:
                            item = await agen.__anext__()
                        except StopAsyncIteration:
                            return
                    yield item
            finally:
                await agen.aclose()

        return shielded_agen

    if inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def shielded_coro(*args: Any, **kwargs: Any) -> Any:
            with _shielded_step():
                return await original(*args, **kwargs)

        return shielded_coro

    if inspect.isgeneratorfunction(original):

        @functools.wraps(original)
        def shielded_gen(*args: Any, **kwargs: Any) -> Any:
            gen = original(*args, **kwargs)
            try:
                while True:
                    with _shielded_step():
                        try:
                            item = next(gen)
                        except StopIteration as stop:
                            return stop.value
                    yield item
            finally:
                gen.close()

        return shielded_gen

    @functools.wraps(original)
    def shielded(*args: Any, **kwargs: Any) -> Any:
        with _shielded_step():
            return original(*args, **kwargs)

    return shielded
