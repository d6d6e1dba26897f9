"""A shield hands the caller aigov's own violation, however an SDK (or its next version) wraps and retries.

Stand-in SDKs here model what real ones do (the real SDKs are driven in test_sdk_calls.py, test_litellm_calls.py
and tests/test_tool_calls_in_responses.py): catch every Exception, wrap it in their own error, try again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from aigov_core.errors import ToolCallBlocked
from jupyter_aigov.pipeline import Refusal, carried_violation, refuse, shield


class SDKError(Exception):
    """An SDK's own connection error."""


def wrapping_and_retrying(attempts: list[int], send: Callable[[], Any], tries: int = 3) -> Callable[[], Any]:
    """An SDK entry point that wraps whatever `send` raises in its own error and tries again."""

    def call() -> Any:
        for _ in range(tries):
            attempts.append(1)
            try:
                return send()
            except Exception as exc:
                error = SDKError("Connection error.")
                error.__cause__ = exc
        raise error

    return call


def violation() -> ToolCallBlocked:
    return ToolCallBlocked("tools.deny", "Tool 'run_shell' is denied.")


def test_when_refused_beneath_a_shield_then_the_caller_gets_the_violation_after_one_try():
    refused, attempts = violation(), []
    call = shield(wrapping_and_retrying(attempts, lambda: refuse(refused)))
    with pytest.raises(ToolCallBlocked) as caught:
        call()
    assert caught.value is refused and attempts == [1]


def test_when_an_sdk_wraps_another_then_the_refusal_passes_both_and_neither_retries():
    refused, inner_attempts, outer_attempts = violation(), [], []
    inner = shield(wrapping_and_retrying(inner_attempts, lambda: refuse(refused)))
    outer = shield(wrapping_and_retrying(outer_attempts, inner))  # litellm over the openai SDK
    with pytest.raises(ToolCallBlocked) as caught:
        outer()
    assert caught.value is refused and (inner_attempts, outer_attempts) == ([1], [1])


def test_when_the_violation_was_raised_unshielded_and_wrapped_then_the_shield_unwraps_it():
    # a refusal raised on a thread the SDK started carries no shield mark: the SDK wraps it as any error
    refused, attempts = violation(), []

    def send_on_a_thread() -> None:
        failure: list[BaseException] = []
        worker = threading.Thread(target=lambda: failure.append(_raised(lambda: refuse(refused))))
        worker.start()
        worker.join()
        raise failure[0]

    call = shield(wrapping_and_retrying(attempts, send_on_a_thread, tries=1))
    with pytest.raises(ToolCallBlocked) as caught:
        call()
    assert caught.value is refused


def test_when_a_stream_is_read_after_its_call_returned_then_its_shielded_iteration_unwraps_it():
    refused = violation()

    class Stream:
        """A stream object whose iteration wraps what fails while the answer is read (anthropic 2.17)."""

        def __iter__(self) -> Iterator[str]:
            yield "text"
            try:
                refuse(refused)
            except Exception as exc:
                raise SDKError("Connection error.") from exc

    Stream.__iter__ = shield(Stream.__iter__)  # type: ignore[method-assign]
    seen = []
    with pytest.raises(ToolCallBlocked) as caught:
        for item in Stream():
            seen.append(item)
    assert seen == ["text"] and caught.value is refused


@pytest.mark.parametrize(
    ("raised", "found"),
    [
        (lambda v: v, True),
        (lambda v: Refusal(v), True),
        (lambda v: _wrapped(_wrapped(v)), True),
        (lambda v: ExceptionGroup("task group", [ValueError("other"), _wrapped(v)]), True),
        (lambda v: _wrapped(ValueError("not ours")), False),
    ],
    ids=["itself", "carried", "wrapped twice", "in a group", "unrelated"],
)
def test_when_an_error_chain_is_searched_then_only_our_violation_is_found(raised, found):
    refused = violation()
    assert (carried_violation(raised(refused)) is refused) is found


def test_when_an_unrelated_error_passes_a_shield_then_it_is_left_as_it_is():
    error = SDKError("timeout")

    def fail() -> None:
        raise error

    with pytest.raises(SDKError) as caught:
        shield(fail)()
    assert caught.value is error


def _raised(action: Callable[[], Any]) -> BaseException:
    try:
        action()
    except BaseException as exc:
        return exc
    raise AssertionError("nothing was raised")


def _wrapped(cause: BaseException) -> SDKError:
    try:
        raise cause
    except BaseException:
        try:
            raise SDKError("wrapped") from None
        except SDKError as error:
            return error
