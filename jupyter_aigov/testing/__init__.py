"""A loopback stand-in AI provider for tests and demos: real HTTP, every wire format, no key, no network."""

from jupyter_aigov.testing.exchange import DEFAULT_REPLY_TEXT
from jupyter_aigov.testing.script import ReceivedRequest, Reply, ToolCall
from jupyter_aigov.testing.server import StandInProvider

__all__ = ["DEFAULT_REPLY_TEXT", "ReceivedRequest", "Reply", "StandInProvider", "ToolCall"]
