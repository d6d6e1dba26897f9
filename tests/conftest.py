"""One stand-in provider for the whole session, emptied before each test that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jupyter_aigov.testing import DEFAULT_REPLY_TEXT, StandInProvider


@pytest.fixture(scope="session")
def running_provider() -> Iterator[StandInProvider]:
    """The server, started once: starting one per test would cost more than the tests."""
    with StandInProvider() as provider:
        yield provider


@pytest.fixture
def provider(running_provider: StandInProvider) -> StandInProvider:
    """The session's server with nothing received, nothing scripted and the default reply text."""
    running_provider.clear()
    running_provider.reply_text = DEFAULT_REPLY_TEXT
    return running_provider
