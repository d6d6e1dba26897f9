"""Debian's Chromium, headless, driven by Playwright through its executable path: never a browser download."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# without the background-networking flags Chromium keeps calling Google's hosts, which this closed network refuses
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run")  # fmt: skip


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """A Playwright ``Browser`` on Debian's Chromium; a clear error (never a skip) when it is not installed."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise RuntimeError(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium; install it with "
            "`apt-get install chromium chromium-driver`."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()
