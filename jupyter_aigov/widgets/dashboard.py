"""`aigov.dashboard()`: this notebook's decisions and the model inventory as ipywidgets, kept current.

It refreshes shortly after this kernel writes records (a gateway listener) and polls the evidence log and the
inventory every few seconds for what other kernels write. Both happen on one daemon thread, never on the
path of an AI call.
"""

from __future__ import annotations

import contextlib
import html
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from aigov_core.evidence.timestamps import parse_ts
from jupyter_aigov import charts
from jupyter_aigov.decisions_frame import decision_rows
from jupyter_aigov.gateway import Gateway
from jupyter_aigov.governance import require_gateway
from jupyter_aigov.inventory.api import inventory_rows
from jupyter_aigov.inventory.store import Inventory
from jupyter_aigov.state import active_gateway

REFRESH_DELAY_S = 0.3  # a call writes its records in a burst (decision, usage, tool calls): one refresh for all
POLL_INTERVAL_S = 2.0  # how soon calls made by other kernels show up
NO_CALLS = "No AI calls yet in this notebook."
NO_MODELS = "No models registered yet: aigov.register_model()"
MODEL_COLUMNS = ("Model", "Provider", "Model ids", "Owner", "Risk tier", "Assessments", "Approved", "Next review")


def dashboard() -> Dashboard:
    """The governance dashboard of this notebook; a cell that returns it shows it."""
    return Dashboard(require_gateway())


class Dashboard:
    """Widgets showing the decisions in a gateway's evidence log and the models in its inventory.

    The data each view is drawn from is kept as plain values: `timeline`, `by_model_use_case`, `summary`, `models`.
    A refresh replaces them in that order, once drawn, and counts itself in `refreshed` last.
    """

    def __init__(
        self, gateway: Gateway, *, poll_interval: float = POLL_INTERVAL_S, refresh_delay: float = REFRESH_DELAY_S
    ) -> None:
        self.gateway = gateway
        self.poll_interval = poll_interval
        self.refresh_delay = refresh_delay
        self.summary: dict[str, Any] = summarise([])
        self.timeline = charts.Timeline()
        self.by_model_use_case: list[dict[str, Any]] = []
        self.models: list[dict[str, Any]] = []
        self.refreshed = 0
        self.error: str | None = None
        self.summary_view = widgets.HTML()
        self.timeline_view = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.breakdown_view = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.charts_view = widgets.VBox(
            [
                widgets.HTML("<h4>Decisions over time</h4>"),
                self.timeline_view,
                widgets.HTML("<h4>Blocks and redactions by model and use case</h4>"),
                self.breakdown_view,
            ],
            layout=widgets.Layout(display="none"),
        )
        self.models_view = widgets.HTML()
        self.error_view = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HTML("<h3>AI governance</h3>"),
                self.summary_view,
                self.error_view,
                self.charts_view,
                widgets.HTML("<h4>Registered models</h4>"),
                self.models_view,
            ],
            layout=widgets.Layout(width="100%", max_width="820px", padding="4px"),
        )
        self._refresh_lock = threading.Lock()
        self._log_key: tuple[int, int] | None = None  # the log file as last read: (size, mtime)
        self._inventory_key: tuple[Any, date] | None = None  # today too: a review falls overdue with the date
        self._stopped = threading.Event()
        self._wake = threading.Event()
        self._listener = self._on_records
        gateway.evidence.listeners.append(self._listener)  # before the first read: no record falls in between
        try:
            self.refresh()
        except Exception:
            gateway.evidence.listeners.remove(self._listener)
            raise
        self._updater = threading.Thread(target=self._keep_current, name="aigov-dashboard", daemon=True)
        self._updater.start()
        self.widget.observe(self._on_widget_comm, names="comm")

    # -- what notebooks call --------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the evidence log and the inventory again, and redraw the views whose data changed."""
        with self._refresh_lock:
            if active_gateway() is self.gateway:  # a call's usage waits in a queue: write it, to show its cost
                self.gateway.evidence.flush()
            log_key = _file_key(self.gateway.evidence.log.path)
            if log_key != self._log_key:
                self._show_decisions(decision_rows(self.gateway.evidence.log.path))
                self._log_key = log_key
            inventory_key = (self.gateway.inventory.version_key(), date.today())
            if inventory_key != self._inventory_key:
                self._show_models(self.gateway.inventory, inventory_key[1])
                self._inventory_key = inventory_key
            self.refreshed += 1

    @property
    def updating(self) -> bool:
        """Whether the update thread still runs (it ends on close(), or when the widget or governance closes)."""
        return self._updater.is_alive()

    def close(self) -> None:
        """Stop refreshing (unsubscribe, end the update thread) and close the widgets."""
        self._stop_updates()
        if self._updater is not threading.current_thread():
            self._updater.join(timeout=5)
        for child in (*self.widget.children, *self.charts_view.children):
            child.close()
        self.widget.close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # -- drawing --------------------------------------------------------------------------------
    def _show_decisions(self, rows: list[dict[str, Any]]) -> None:
        timeline = charts.decisions_over_time(rows)
        if timeline != self.timeline or not self.timeline_view.value:
            self.timeline_view.value = charts.timeline_png(timeline)
        by_model_use_case = charts.tally_by_model_use_case(rows)
        if by_model_use_case != self.by_model_use_case or not self.breakdown_view.value:
            self.breakdown_view.value = charts.breakdown_png(by_model_use_case)
        summary = summarise(rows)
        self.summary_view.value = summary_html(summary, self.gateway.evidence.log.path)
        self.charts_view.layout.display = "flex" if rows else "none"
        # the summary last: another thread that sees the new counts sees the new tallies too
        self.timeline, self.by_model_use_case, self.summary = timeline, by_model_use_case, summary

    def _show_models(self, inventory: Inventory, today: date) -> None:
        rows = inventory_rows(inventory, today)
        self.models_view.value = models_html(rows, overdue_reviews(inventory, today), today)
        self.models = rows  # last, as in _show_decisions: who sees the new rows sees them drawn too

    # -- keeping current ------------------------------------------------------------------------
    def _on_records(self, records: list[dict[str, Any]]) -> None:
        """Called by the gateway in the thread that wrote: only wake the update thread."""
        self._wake.set()

    def _keep_current(self) -> None:
        """Refresh a moment after this kernel writes; poll for what other kernels write."""
        while not self._stopped.is_set():
            woken = self._wake.wait(self.poll_interval)
            if self._stopped.is_set():
                return
            if woken:
                self._stopped.wait(self.refresh_delay)  # let the rest of the burst land
            elif active_gateway() is not self.gateway:
                # governance was switched off (or on again, with another log): this view stays as it was
                self._stop_updates()
                return
            elif not self._changed():
                continue
            self._wake.clear()
            self._refresh_showing_errors()

    def _changed(self) -> bool:
        """Whether the log or the inventory changed since the last refresh: a few stat calls, no reading."""
        try:
            inventory_key = (self.gateway.inventory.version_key(), date.today())
            return _file_key(self.gateway.evidence.log.path) != self._log_key or inventory_key != self._inventory_key
        except OSError:
            return True  # a refresh says what is wrong

    def _refresh_showing_errors(self) -> None:
        """A refresh on the update thread: a failure is shown in the dashboard, and the thread goes on."""
        try:
            self.refresh()
        except Exception as exc:  # shown where the user looks, not lost in a thread that then stops
            self.error = f"{type(exc).__name__}: {exc}"
            self.error_view.value = f'<div style="color:#c62828">Could not refresh: {html.escape(self.error)}</div>'
        else:
            if self.error is not None:
                self.error = None
                self.error_view.value = ""

    def _stop_updates(self) -> None:
        self._stopped.set()
        self._wake.set()
        with contextlib.suppress(ValueError):  # already removed
            self.gateway.evidence.listeners.remove(self._listener)

    def _on_widget_comm(self, change: Mapping[str, Any]) -> None:
        if change["new"] is None:  # the widget was closed (Widget.close_all(), or by its owner)
            self._stop_updates()


def _file_key(path: Path) -> tuple[int, int]:
    with contextlib.suppress(FileNotFoundError):
        status = path.stat()
        return (status.st_size, status.st_mtime_ns)
    return (-1, -1)


def summarise(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts of decisions by outcome, blocked tool calls, spend, and the time of the last decision."""
    rows = list(rows)
    outcomes = Counter(row.get("decision") for row in rows)
    costs = [row["cost_usd"] for row in rows if isinstance(row.get("cost_usd"), int | float)]
    return {
        "decisions": len(rows),
        "allowed": outcomes["allow"],
        "redacted": outcomes["redact"],
        "blocked": outcomes["block"],
        "tool_calls_blocked": sum(1 for r in rows if r.get("event") == "tool.call" and r.get("decision") == "block"),
        "spend_usd": round(float(sum(costs)), 6),
        "last_decision": rows[-1].get("ts") if rows else None,
    }


def summary_html(summary: Mapping[str, Any], log_path: Path) -> str:
    """The summary line, then where the evidence is."""
    where = f'<div style="color:#666;font-size:smaller">Evidence log: <code>{html.escape(str(log_path))}</code></div>'
    if not summary["decisions"]:
        return f"<div><i>{html.escape(NO_CALLS)}</i> Every AI call made from here on is decided and shown.</div>{where}"
    last, tools = parse_ts(summary["last_decision"]), summary["tool_calls_blocked"]
    parts = [
        f"<b>{summary['decisions']}</b> decisions",
        _coloured(f"{summary['allowed']} allowed", "allow"),
        _coloured(f"{summary['redacted']} redacted", "redact"),
        _coloured(f"{summary['blocked']} blocked", "block") + f" ({tools} tool call{'' if tools == 1 else 's'})",
        f"{_usd(summary['spend_usd'])} spent",
        f"last at {last:%Y-%m-%d %H:%M:%S} UTC" if last else "",
    ]
    return f"<div>{' · '.join(part for part in parts if part)}</div>{where}"


def _coloured(text: str, decision: str) -> str:
    return f'<span style="color:{charts.COLOURS[decision]}">{html.escape(text)}</span>'


def _usd(amount: float) -> str:
    return f"${amount:,.2f}" if amount >= 1 else f"${amount:.4f}"  # cents hide what small calls cost


def overdue_reviews(inventory: Inventory, today: date) -> dict[str, date]:
    """Per model, the earliest review date already past of an approved assessment (no longer in force)."""
    overdue: dict[str, date] = {}
    for item in inventory.assessments():
        if item.status == "approved" and item.next_review is not None and item.next_review < today:
            overdue[item.model_id] = min(item.next_review, overdue.get(item.model_id, item.next_review))
    return overdue


def models_html(rows: list[dict[str, Any]], overdue: Mapping[str, date], today: date) -> str:
    """The registered models as a table, every value escaped."""
    if not rows:
        return f"<div><i>{html.escape(NO_MODELS)}</i></div>"
    cell = 'style="padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"'
    head = "".join(f"<th {cell}>{html.escape(name)}</th>" for name in MODEL_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td {cell}>{value}</td>" for value in _model_cells(row, overdue, today)) + "</tr>"
        for row in rows
    )
    return f'<table style="border-collapse:collapse;font-size:12px"><tr>{head}</tr>{body}</table>'


def _model_cells(row: Mapping[str, Any], overdue: Mapping[str, date], today: date) -> list[str]:
    """One row's cells as HTML: what comes from the inventory is escaped, the marks around it are ours."""
    assessments = row.get("assessments") or {}
    listed = "<br>".join(f"{_text(framework)}: {_text(status)}" for framework, status in sorted(assessments.items()))
    approved = _coloured("✓", "allow") if row.get("approved") else _coloured("✗", "block")
    late = overdue.get(str(row.get("id")))
    if late is not None and not row.get("approved"):
        review = _coloured(f"overdue since {late.isoformat()}", "block")
    elif str(row.get("next_review")) == today.isoformat():
        review = _coloured("due today", "redact")
    else:
        review = _text(row.get("next_review"))
    return [
        f"<code>{_text(row.get('id'))}</code>",
        _text(row.get("provider")),
        _text(", ".join(row.get("model_ids") or [])),
        _text(row.get("owner")),
        _text(row.get("risk_tier")),
        listed or "<i>none yet</i>",
        approved,
        review,
    ]


def _text(value: Any) -> str:
    return html.escape("" if value is None else str(value))
