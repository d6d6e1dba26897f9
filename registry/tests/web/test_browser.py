"""End to end in headless Chromium (Debian's, driven by Playwright): a real ``serve``, real bundles, every page.

Screenshots of each page are kept under build/screenshots/registry/ as the run's artifacts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from jupyter_aigov.testing.chromium import headless_chromium
from jupyter_aigov.testing.processes import free_port, stop

from ..projects import START, Project

COMMAND = str(Path(sys.executable).parent / "aigov-registry")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots" / "registry"
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Served:
    """A running ``aigov-registry serve`` on a loopback port, and its database URL."""

    url: str
    database: str


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """``aigov-registry serve`` on a new SQLite file, stopped after the test."""
    database = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    url = f"http://127.0.0.1:{free_port()}"
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [COMMAND, "serve", "--db", database, "--port", url.rsplit(":", 1)[1], "--log-level", "warning"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("AIGOV_")},
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, f"serve exited: {log_path.read_text()}"
            assert time.monotonic() < deadline, f"serve did not answer within {START_TIMEOUT_S} s"
            try:
                if httpx.get(f"{url}/sign-in", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield Served(url, database)
    finally:
        stop(process, timeout_s=10)


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; the test fails (never skips) when it is not installed."""
    with headless_chromium() as launched:
        yield launched


def _token(database: str, team: str, role: str) -> str:
    done = subprocess.run(
        [COMMAND, "token", "create", "--team", team, "--role", role, "--db", database],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def _upload(served: Served, bundle: Path, token: str) -> None:
    answer = httpx.post(
        f"{served.url}/api/v1/bundles",
        content=bundle.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/zip"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_when_a_team_signs_in_in_chromium_then_inventory_usage_decisions_and_bundles_show_its_evidence(
    served: Served, browser: Browser, project: Project, tmp_path: Path
):
    records = project.record(100)
    gpt = project.register(overview="Summarises support tickets.", risk_tier="high")
    project.assess(gpt, status="submitted")
    submit = _token(served.database, "browser-team", "submit")
    _upload(served, project.export(tmp_path / "first.zip"), submit)
    records += project.record(30)
    _upload(served, project.export(tmp_path / "second.zip"), submit)
    calls = [(n, record) for n, record in enumerate(records) if record["model"] == "gpt-4o-mini"]
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    page.goto(f"{served.url}/models")
    expect(page).to_have_url(f"{served.url}/sign-in?next=%2Fmodels")
    _shot(page, "1-sign-in")
    page.fill("input[name=token]", _token(served.database, "browser-team", "read"))
    page.click("button:text('Sign in')")

    expect(page).to_have_url(f"{served.url}/models")
    row = page.locator("tbody tr", has_text=gpt)
    expect(row).to_contain_text("high")
    expect(row).to_contain_text("submitted")
    _shot(page, "2-inventory")

    row.get_by_role("link", name="gpt-4o-mini").click()
    expect(page).to_have_url(f"{served.url}/models/{gpt}")
    figures = {
        name: page.inner_text(f"[data-figure={name}]") for name in ("calls", "blocks", "redactions", "last-used")
    }
    assert figures == {
        "calls": str(len(calls)),
        "blocks": str(sum(record["decision"] == "block" for _, record in calls)),
        "redactions": str(sum(record["decision"] == "redact" for _, record in calls)),
        "last-used": (START + timedelta(minutes=calls[-1][0])).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    expect(page.locator("#card")).to_contain_text("Summarises support tickets.")
    _shot(page, "3-model")

    page.click("header nav >> text=Decisions")
    page.fill("input[name=model]", "gpt-4o-mini")
    page.click("button:text('Filter')")
    expect(page.locator("table.decisions tbody tr")).to_have_count(50)
    _shot(page, "4-decisions")
    page.click("a[rel=next]")
    expect(page.locator("table.decisions tbody tr")).to_have_count(len(calls) - 50)
    assert set(page.locator("table.decisions tbody tr td:nth-child(3)").all_inner_texts()) == {"gpt-4o-mini"}
    assert "cursor=" in page.url and "model=gpt-4o-mini" in page.url
    _shot(page, "5-decisions-next-page")

    page.click("header nav >> text=Bundles")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").first).to_contain_text("verified")
    expect(page.locator("tbody tr").first).to_contain_text("130")
    _shot(page, "6-bundles")
    page.locator("tbody tr").first.get_by_role("link").click()
    expect(page.locator("h2", has_text="Logs")).to_be_visible()
    expect(page.locator("body")).to_contain_text("30 new to the registry")
    _shot(page, "7-bundle")

    page.click("button:text('Sign out')")
    expect(page).to_have_url(f"{served.url}/sign-in")
    assert problems == [], f"the browser reported errors: {problems}"
