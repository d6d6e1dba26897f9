"""End to end in headless Chromium (Debian's, driven by Playwright through its executable path): JupyterLab with
the extension, a notebook whose AI call is blocked, the status bar, the panel, the notification and an exported
bundle. Screenshots are kept under build/screenshots/labextension/ as the run's artifacts."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Browser, Page, expect
from registry_client.conftest import Registry

from aigov_core.bundle.verify import verify_bundle
from jupyter_aigov.testing import StandInProvider
from jupyter_aigov.testing.chromium import headless_chromium

from .lab import Lab, running_lab

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "labextension"
POLICY = """version: 1
models:
  allow: ["gpt-4o-mini"]
redaction:
  entities: {PERSON: redact, EMAIL_ADDRESS: redact}
"""
CALL_TIMEOUT_MS = 120_000  # the first redacted call waits for the spaCy pipeline to load in the kernel


def _notebook(provider: StandInProvider) -> nbformat.NotebookNode:
    """A model registered and its assessment submitted, then three calls through the real openai SDK: one
    redacted, one allowed, one refused by the model policy."""
    client = f"client = openai.OpenAI(base_url={provider.openai_base_url!r}, api_key='sk-test', max_retries=0)"
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("%load_ext aigov"),
            nbformat.v4.new_code_cell(
                "import aigov\n"
                "model = aigov.register_model(name='gpt-4o-mini', provider='openai-compatible', owner='churn-team', "
                "intended_purpose='Explain churn drivers', risk_tier='limited')\n"
                "aigov.assess(model.id, framework='nist-ai-rmf', assessor='ana', status='submitted').status"
            ),
            nbformat.v4.new_code_cell(f"import openai\n{client}"),
            nbformat.v4.new_code_cell(
                "client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': "
                "'Write to Jane Doe at jane.doe@example.com about her churn risk.'}]).choices[0].message.content"
            ),
            nbformat.v4.new_code_cell(
                "client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': "
                "'Name three churn drivers.'}]).choices[0].message.content"
            ),
            nbformat.v4.new_code_cell(
                "client.chat.completions.create(model='gpt-4o', messages=[{'role': 'user', 'content': 'Hi'}])"
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; the test fails (never skips) when it is not installed."""
    with headless_chromium() as launched:
        yield launched


@pytest.fixture
def lab(tmp_path: Path, running_provider: StandInProvider, registry: Registry) -> Iterator[Lab]:
    """JupyterLab on a folder holding the notebook and the team's policy, configured to push to the registry."""
    root = tmp_path / "work"
    (root / "churn").mkdir(parents=True)
    (root / "churn" / "aigov.yaml").write_text(POLICY)
    nbformat.write(_notebook(running_provider), root / "churn" / "analysis.ipynb")
    pushing = {"AIGOV_REGISTRY_URL": registry.url, "AIGOV_REGISTRY_TOKEN": registry.token("lab", "submit")}
    with running_lab(root, tmp_path / "home", env=pushing) as lab:
        yield lab


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _open(page: Page, lab: Lab, path: str) -> list[str]:
    """Open JupyterLab on a notebook; the console errors of the page are collected in the list returned."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{lab.url}/lab/tree/{path}?token={lab.token}")
    expect(page.locator(".jp-NotebookPanel .jp-Notebook")).to_be_visible(timeout=60_000)
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_be_attached(timeout=60_000)
    return problems


def _run_all(page: Page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator("li[data-command='runmenu:run-all']").click()


def test_when_a_call_is_blocked_then_status_bar_panel_and_notification_show_it_and_the_panel_exports_a_bundle(
    lab: Lab, browser: Browser, tmp_path: Path, registry: Registry
) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 950}, accept_downloads=True)
    problems = _open(page, lab, "churn/analysis.ipynb")
    status = page.locator("#jp-aigov-status")
    expect(status).to_contain_text("not loaded")
    _shot(page, "1-before-any-call")

    _run_all(page)
    expect(status).to_have_attribute("data-blocked", "true", timeout=CALL_TIMEOUT_MS)
    expect(status).to_have_text("aigov.yaml · 3 calls · 2 redactions · 1 blocked")  # PERSON and EMAIL_ADDRESS
    toast = page.locator(".Toastify__toast", has_text="blocked in analysis.ipynb")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("gpt-4o")
    expect(toast).to_contain_text("models.allow")
    page.wait_for_timeout(1000)  # the toast slides in
    _shot(page, "2-blocked-status-and-notification")

    status.click()
    panel = page.locator("#jp-aigov-panel")
    expect(panel).to_be_visible()
    decisions = panel.locator("table.jp-aigov-decisions tbody tr[data-decision]")
    expect(decisions).to_have_count(3)
    expect(panel.locator(".jp-aigov-decisions tr[data-decision='block']")).to_contain_text("gpt-4o")
    expect(panel.locator(".jp-aigov-decisions tr[data-decision='redact']")).to_contain_text("PERSON")
    model = panel.locator("table.jp-aigov-models tbody tr")
    expect(model).to_have_count(1)
    expect(model).to_have_attribute("data-approval", "not-approved")
    expect(model).to_contain_text("gpt-4o-mini")
    expect(model).to_contain_text("submitted")
    _shot(page, "3-panel")

    with page.expect_download(timeout=CALL_TIMEOUT_MS) as downloading:
        panel.locator("button.jp-aigov-export").click()
    bundle = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(bundle)
    assert bundle.suffix == ".zip"
    assert verify_bundle(bundle).ok
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
    assert any(name.endswith("/evidence/analysis.jsonl") for name in names), names
    _shot(page, "4-exported")

    panel.locator("button.jp-aigov-push").click()
    result = panel.locator(".jp-aigov-result")
    expect(result).to_contain_text("Pushed analysis-evidence-", timeout=CALL_TIMEOUT_MS)
    expect(result).to_contain_text(f"{registry.url}/bundles/")
    expect(result).to_have_attribute("data-kind", "success")
    held = registry.get("/api/v1/bundles", registry.token("lab", "read"))
    assert held.status_code == 200, held.text
    assert len(held.json()["items"]) == 1, held.json()
    _shot(page, "5-pushed")

    # renamed in JupyterLab: the status bar and panel follow, and keep the history of the former name
    page.locator(".lm-MenuBar-itemLabel", has_text="File").click()
    page.locator("li[data-command='docmanager:rename']").click()
    name_input = page.locator(".jp-Dialog input")
    name_input.fill("churn-drivers.ipynb")
    name_input.press("Enter")
    expect(page.locator(".jp-aigov-path")).to_have_text("churn/churn-drivers.ipynb")
    expect(status).to_have_text("aigov.yaml · 3 calls · 2 redactions · 1 blocked")
    expect(decisions).to_have_count(3)
    assert not (lab.root / "churn" / "analysis.ipynb").exists()
    _shot(page, "6-renamed")
    assert not [problem for problem in problems if "aigov" in problem.lower()], problems


def test_when_the_server_has_no_aigov_extension_then_the_status_bar_says_how_to_enable_it(
    browser: Browser, tmp_path: Path, running_provider: StandInProvider
) -> None:
    root = tmp_path / "work"
    root.mkdir()
    nbformat.write(_notebook(running_provider), root / "analysis.ipynb")
    disabled = "--ServerApp.jpserver_extensions={'jupyter_aigov': False}"
    with running_lab(root, tmp_path / "home", disabled) as lab:
        assert lab.api("GET", "aigov/notebook", params={"path": "analysis.ipynb"}).status_code == 404
        page = browser.new_page(viewport={"width": 1500, "height": 950})
        _open(page, lab, "analysis.ipynb")
        status = page.locator("#jp-aigov-status")
        expect(status).to_have_attribute("data-state", "not-enabled")
        expect(status).to_contain_text("server extension not enabled")
        page.locator("#jp-aigov-status").click()
        expect(page.locator("#jp-aigov-panel .jp-aigov-not-enabled code")).to_contain_text(
            "jupyter server extension enable jupyter_aigov"
        )
        _shot(page, "7-server-extension-not-enabled")
