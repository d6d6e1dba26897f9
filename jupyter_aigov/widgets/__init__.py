"""ipywidgets front ends: the registration and assessment forms and the dashboard."""

from __future__ import annotations

from typing import Any


def show_dashboard() -> Any:
    """The governance dashboard of this notebook: decisions over time, blocks and redactions, registered models.

    ipywidgets and matplotlib load here, on first use, not with `%load_ext aigov`.
    """
    from jupyter_aigov.widgets.dashboard import dashboard as build

    return build()
