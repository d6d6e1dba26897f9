"""A progress bar for long exports: tqdm's widget in a notebook, its text bar in a terminal."""

from __future__ import annotations

from types import TracebackType
from typing import Any


class Progress:
    """Bytes done out of ``total``; does nothing when not ``enabled``."""

    def __init__(self, total: int, description: str, *, enabled: bool) -> None:
        self._bar: Any = None
        if enabled:
            from tqdm.auto import tqdm  # the ipywidgets bar in a kernel, text on stderr elsewhere

            self._bar = tqdm(total=total, desc=description, unit="B", unit_scale=True, unit_divisor=1024, leave=True)

    def update(self, done: int) -> None:
        """Count ``done`` more bytes."""
        if self._bar is not None:
            self._bar.update(done)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.close()
