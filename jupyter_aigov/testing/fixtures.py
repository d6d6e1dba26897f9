"""pytest fixtures for the stand-in provider, for this project's tests and a plugin's: import them in a conftest.

from jupyter_aigov.testing.fixtures import provider, running_provider  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jupyter_aigov.testing.exchange import DEFAULT_REPLY_TEXT
from jupyter_aigov.testing.server import StandInProvider


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
