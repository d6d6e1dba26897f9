"""Read the usage of an answer from its frames, folded per wire format; best effort, it never raises.

>>> reader = UsageReader("ollama", "chat")
>>> for frame in framer_for("application/x-ndjson").feed(b'{"done": true, "prompt_eval_count": 5}\\n'):
...     reader.frame(frame)
>>> reader.close()
Usage(input_tokens=5, output_tokens=None)
"""

from __future__ import annotations

from collections.abc import Mapping

from jupyter_aigov.providers.base import Usage
from jupyter_aigov.providers.catalogue import wire_format
from jupyter_aigov.providers.framing import NOT_JSON, Body, EventStreamMessage, Frame, Unframed


class UsageReader:
    """Folds the usage of one answer from its frames: frame() each, then close() for the total."""

    def __init__(self, api: str, operation: str, headers: Mapping[str, str] | None = None) -> None:
        self.operation = operation
        self._wire = wire_format(api)
        # kept as given (copying a client's header object costs more than reading the usage)
        self._headers: Mapping[str, str] = headers if headers is not None else {}
        self.usage = Usage()
        self.error: str | None = None  # why usage could not be read (all of it), when it could not
        self._problem: str | None = None  # a framing error: the usage may miss what it skipped

    def frame(self, frame: Frame) -> None:
        """Fold one frame into the usage; a reading error is kept (its type, never its message) and ends it."""
        if self.error is not None:
            return
        try:
            if isinstance(frame, Unframed):
                self._problem = frame.problem or self._problem
                return
            if isinstance(frame, EventStreamMessage) and frame.message_type != "event":
                return  # an exception or error message: no usage in it
            payload = frame.payload
            if payload is NOT_JSON:
                return
            if isinstance(frame, Body):
                self.usage = self.usage.updated_by(self._wire.usage_from_json(self.operation, payload))
            else:
                self.usage = self._wire.usage_from_event(self.operation, payload, self.usage)
        except Exception as exc:  # a usage-reading bug must not break the caller's answer
            self.error = type(exc).__name__  # recorded: a message may quote the answer

    def close(self) -> Usage:
        """The usage read from the whole answer, with counts from the headers filling any gap."""
        self.error = self.error or self._problem
        return self._wire.usage_from_headers(self.operation, self._headers).updated_by(self.usage)
