"""`aigov.dashboard()` driven headless: real calls through the openai SDK, then the widgets' state and data."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import openai
import pytest

import aigov
from aigov_core.errors import AIGovError
from jupyter_aigov.evidence import EvidenceLog
from jupyter_aigov.gateway import Gateway
from jupyter_aigov.inventory.api import inventory_rows, store_assessment, store_registration
from jupyter_aigov.widgets.dashboard import NO_CALLS, NO_MODELS, Dashboard, dashboard, models_html, overdue_reviews

POLICY = """
version: 1
models: {deny: ["gpt-4o"]}
redaction:
  entities: {EMAIL_ADDRESS: redact}
  deadline_ms: 30000
tools: {deny: ["drop_table"]}
"""
PNG = b"\x89PNG"
WAIT_S = 10.0  # an upper bound for a background refresh, never a timing expectation


@pytest.fixture
def client(provider: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=provider.openai_base_url, api_key="x")


@pytest.fixture
def dashboards() -> Iterator[list[Dashboard]]:
    """Dashboards a test opened, closed after it, so no update thread outlives its test."""
    opened: list[Dashboard] = []
    yield opened
    for board in opened:
        board.close()


@pytest.fixture
def show(dashboards: list[Dashboard]) -> Callable[[], Dashboard]:
    def open_dashboard() -> Dashboard:
        board = dashboard()
        dashboards.append(board)
        return board

    return open_dashboard


def ask(client: openai.OpenAI, prompt: str = "hi", model: str = "gpt-4o-mini") -> None:
    client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])


def allowed_redacted_and_blocked(client: openai.OpenAI) -> None:
    ask(client)
    ask(client, "Write to jane.doe@example.com about the renewal.")
    with pytest.raises(aigov.PolicyViolation):
        ask(client, model="gpt-4o")


def wait_until(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def register(gateway: Gateway, **fields: Any) -> str:
    registration = {
        "name": "gpt-4o-mini",
        "provider": "openai",
        "owner": "ds-team",
        "intended_purpose": "Summarise support tickets",
        "risk_tier": "limited",
        **fields,
    }
    return store_registration(gateway.inventory, registration).id


def test_when_calls_are_allowed_redacted_and_blocked_then_the_summary_counts_each(governed, client, show):
    governed(POLICY)
    allowed_redacted_and_blocked(client)

    @aigov.tool
    def drop_table(name: str) -> None: ...

    with pytest.raises(aigov.ToolCallBlocked):
        drop_table("users")
    board = show()
    costs = [r["cost_usd"] for r in governed.records("ai.response") if r.get("cost_usd") is not None]
    last = governed.records("ai.call", "tool.call")[-1]
    assert board.summary == {
        "decisions": 4,
        "allowed": 1,
        "redacted": 1,
        "blocked": 2,
        "tool_calls_blocked": 1,
        "spend_usd": round(sum(costs), 6),
        "last_decision": last["ts"],
    }
    assert "<b>4</b> decisions" in board.summary_view.value and "1 redacted" in board.summary_view.value
    assert str(governed.log_path) in board.summary_view.value
    assert board.charts_view.layout.display != "none"


def test_when_calls_are_decided_then_blocks_and_redactions_are_tallied_by_model_and_use_case(governed, client, show):
    governed(POLICY, AIGOV_USE_CASE="churn")
    allowed_redacted_and_blocked(client)
    board = show()
    assert board.by_model_use_case == [
        {"model": "gpt-4o", "use_case": "churn", "allow": 0, "redact": 0, "block": 1},
        {"model": "gpt-4o-mini", "use_case": "churn", "allow": 1, "redact": 1, "block": 0},
    ]
    assert sum(board.timeline.counts[-1][1].values()) >= 1
    assert sum(sum(counts.values()) for _, counts in board.timeline.counts) == 3


def test_when_the_dashboard_shows_calls_then_both_charts_are_png_images(governed, client, show):
    governed(POLICY)
    allowed_redacted_and_blocked(client)
    board = show()
    assert board.timeline_view.format == "png" and board.timeline_view.value[:4] == PNG
    assert board.breakdown_view.format == "png" and board.breakdown_view.value[:4] == PNG


def test_when_a_model_is_registered_and_assessed_then_the_table_lists_it_with_its_status(governed, show):
    gateway = governed(POLICY)
    model_id = register(gateway, owner="<b>ds-team</b>")
    store_assessment(gateway.inventory, model_id, {"framework": "nist-ai-rmf", "assessor": "ana", "status": "draft"})
    board = show()
    (row,) = board.models
    assert row["id"] == model_id and row["assessments"] == {"nist-ai-rmf": "draft"} and row["approved"] is False
    table = board.models_view.value
    assert f"<code>{model_id}</code>" in table and "nist-ai-rmf: draft" in table and "✗" in table
    assert "&lt;b&gt;ds-team&lt;/b&gt;" in table and "<b>ds-team</b>" not in table


def test_when_a_model_is_approved_then_the_table_ticks_it_and_shows_its_next_review(governed, show):
    gateway = governed(POLICY)
    model_id = register(gateway)
    review = date.today() + timedelta(days=30)
    approval = {"framework": "nist-ai-rmf", "assessor": "ana", "status": "approved", "approver": "ben"}
    store_assessment(gateway.inventory, model_id, {**approval, "next_review": review.isoformat()})
    board = show()
    assert board.models[0]["approved"] is True
    assert "nist-ai-rmf: approved" in board.models_view.value and "✓" in board.models_view.value
    assert review.isoformat() in board.models_view.value


def test_when_an_approvals_review_date_has_passed_then_the_table_marks_it_overdue(governed):
    gateway = governed(POLICY)
    model_id = register(gateway)
    review = date.today() + timedelta(days=30)
    approval = {"framework": "nist-ai-rmf", "assessor": "ana", "status": "approved", "approver": "ben"}
    store_assessment(gateway.inventory, model_id, {**approval, "next_review": review.isoformat()})
    later = review + timedelta(days=1)
    rows = inventory_rows(gateway.inventory, later)
    overdue = overdue_reviews(gateway.inventory, later)
    assert overdue == {model_id: review} and rows[0]["approved"] is False
    table = models_html(rows, overdue, later)
    assert f"overdue since {review.isoformat()}" in table and "✗" in table


def test_when_nothing_has_happened_yet_then_the_dashboard_says_what_to_do(governed, show):
    governed(POLICY)
    board = show()
    assert board.summary["decisions"] == 0
    assert NO_CALLS in board.summary_view.value
    assert NO_MODELS in board.models_view.value
    assert board.charts_view.layout.display == "none"


def test_when_another_call_is_made_then_the_dashboard_refreshes_by_itself(governed, client, show):
    governed(POLICY)
    ask(client)
    board = show()
    before = board.refreshed
    ask(client, "Write to jane.doe@example.com about the renewal.")
    assert wait_until(lambda: board.refreshed > before and board.summary["decisions"] == 2)
    assert board.summary["redacted"] == 1 and board.by_model_use_case[0]["redact"] == 1
    assert board.breakdown_view.value[:4] == PNG


def test_when_a_model_is_registered_after_opening_then_the_table_shows_it_by_itself(governed, show):
    gateway = governed(POLICY)
    board = show()
    model_id = register(gateway)
    assert wait_until(lambda: [row["id"] for row in board.models] == [model_id])
    assert f"<code>{model_id}</code>" in board.models_view.value


def test_when_another_writer_appends_to_the_log_then_the_poller_picks_it_up(governed, show):
    gateway = governed(POLICY)
    board = show()
    other_kernel = EvidenceLog(gateway.evidence.log.path)
    try:
        other_kernel.append(
            {"event": "ai.call", "provider": "anthropic", "model": "claude-haiku-4-5", "use_case": "triage",
             "decision": "block", "rules": ["models.deny"], "reason": "Denied.", "entities": {}}
        )  # fmt: skip
    finally:
        other_kernel.close()
    assert wait_until(lambda: board.summary["blocked"] == 1)
    assert board.by_model_use_case == [
        {"model": "claude-haiku-4-5", "use_case": "triage", "allow": 0, "redact": 0, "block": 1}
    ]


def test_when_the_log_cannot_be_read_then_the_dashboard_says_so_and_recovers(governed, show):
    gateway = governed(POLICY)
    board = show()
    intact = gateway.evidence.log.path.read_bytes()
    with gateway.evidence.log.path.open("ab") as log:
        log.write(b"this is not a record\n")
    assert wait_until(lambda: board.error is not None)
    assert "Could not refresh" in board.error_view.value and "cannot be read" in board.error_view.value
    gateway.evidence.log.path.write_bytes(intact)
    assert wait_until(lambda: board.error is None)
    assert board.error_view.value == ""


def test_when_closed_then_it_unsubscribes_and_stops_updating(governed, client):
    gateway = governed(POLICY)
    board = dashboard()
    assert gateway.evidence.listeners and board.updating
    board.close()
    assert gateway.evidence.listeners == [] and not board.updating
    refreshed = board.refreshed
    ask(client)
    time.sleep(0.5)  # long enough for a refresh that should not happen to have started
    assert board.refreshed == refreshed


def test_when_the_widget_is_closed_then_updates_stop(governed, show):
    gateway = governed(POLICY)
    board = show()
    board.widget.close()
    assert wait_until(lambda: not board.updating)
    assert gateway.evidence.listeners == []


def test_when_governance_is_switched_off_then_updates_stop(governed, show):
    governed(POLICY)
    board = show()
    aigov.disable()
    assert wait_until(lambda: not board.updating)


def test_when_a_cell_returns_the_dashboard_then_it_displays_as_a_widget(governed, show):
    governed(POLICY)
    bundle = show()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_when_governance_is_off_then_dashboard_says_how_to_turn_it_on():
    with pytest.raises(AIGovError, match=r"aigov is not enabled: run `%load_ext aigov` in the notebook"):
        dashboard()
