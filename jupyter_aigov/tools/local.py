"""`@aigov.tool`: a Python function an agent runs in-process, checked against the tool policy at every call."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, overload

from jupyter_aigov.state import active_gateway

F = TypeVar("F", bound=Callable[..., Any])


def _arguments(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return dict(kwargs)  # the call itself will raise the TypeError, as it would without aigov
    bound.apply_defaults()
    return dict(bound.arguments)


@overload
def tool(function: F, *, name: str | None = None) -> F: ...
@overload
def tool(function: None = None, *, name: str | None = None) -> Callable[[F], F]: ...


def tool(function: F | None = None, *, name: str | None = None) -> F | Callable[[F], F]:
    """Mark a function an agent may run: each call is decided by `tools:` in the policy and recorded.

    >>> @aigov.tool
    ... def run_sql(query: str) -> list: ...     # doctest: +SKIP

    A forbidden call raises aigov.ToolCallBlocked before the function runs.
    """

    def decorate(fn: F) -> F:
        tool_name = name or fn.__name__
        signature = inspect.signature(fn)

        def check(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
            gateway = active_gateway()
            if gateway is not None:
                gateway.pipeline.tools.check_local(tool_name, _arguments(signature, args, kwargs))

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def checked_async(*args: Any, **kwargs: Any) -> Any:
                check(args, kwargs)
                return await fn(*args, **kwargs)

            wrapper: F = checked_async  # type: ignore[assignment]
        else:

            @functools.wraps(fn)
            def checked(*args: Any, **kwargs: Any) -> Any:
                check(args, kwargs)
                return fn(*args, **kwargs)

            wrapper = checked  # type: ignore[assignment]
        wrapper.__aigov_tool__ = tool_name  # type: ignore[attr-defined]
        return wrapper

    return decorate(function) if function is not None else decorate
