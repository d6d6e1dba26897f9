"""The one-line outcome a form shows under its submit button."""

from __future__ import annotations

import html


def success_html(text: str) -> str:
    """A green confirmation line."""
    return f'<div style="color:#1b5e20">✔ {html.escape(text, quote=False)}</div>'


def error_html(text: str) -> str:
    """A red line saying what to fix."""
    return f'<div style="color:#b3261e">✘ {html.escape(text, quote=False)}</div>'
