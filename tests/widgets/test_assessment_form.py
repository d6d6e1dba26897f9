"""The assessment form driven headless: choose, answer, click; the inventory files say what was saved."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import ipywidgets as widgets
import pytest

import aigov
from jupyter_aigov.inventory.store import Inventory
from jupyter_aigov.widgets.assessment_form import AssessmentForm

MODEL = {
    "name": "gpt-4o-mini",
    "provider": "openai",
    "owner": "ds-team",
    "intended_purpose": "Summarise support tickets.",
    "risk_tier": "limited",
}


@pytest.fixture
def inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Inventory:
    monkeypatch.setenv("AIGOV_INVENTORY_DIR", str(tmp_path / "inventory"))
    monkeypatch.setenv("AIGOV_USER", "ana")
    aigov.register_model(**MODEL)
    return Inventory(tmp_path / "inventory")


def stored(inventory: Inventory, framework: str = "nist-ai-rmf") -> dict:
    return json.loads((inventory.assessments_dir / f"openai-gpt-4o-mini.{framework}.json").read_text())


def test_when_called_with_a_model_then_the_form_shows_its_catalogue_in_sections_built_when_opened(inventory):
    form = aigov.assess("openai-gpt-4o-mini")
    assert isinstance(form, AssessmentForm)
    assert form.model.value == "openai-gpt-4o-mini" and form.framework.value == "nist-ai-rmf"
    assert [value for _, value in form.framework.options] == ["eu-ai-act", "iso-iec-42001", "nist-ai-rmf"]
    titles = [form.sections.get_title(i) for i in range(len(form.sections.children))]
    assert [title.split()[0] for title in titles] == ["GOVERN", "MAP", "MEASURE", "MANAGE"]
    assert form.items == {}  # nothing built until a section opens
    form.sections.selected_index = 0
    assert "GOVERN 1.1" in form.items and "MAP 1.1" not in form.items
    status = form.items["GOVERN 1.1"].status.control
    assert isinstance(status, widgets.Dropdown) and "met" in [value for _, value in status.options]
    assert isinstance(form.fields["status"].control, widgets.Dropdown)
    assert isinstance(form.fields["next_review"].control, widgets.DatePicker)
    assert form.fields["assessor"].control.value == "ana"  # the acting user fills it in
    assert "0/72" in form.progress.value


def test_when_answers_are_given_and_saved_then_only_those_are_stored(inventory):
    form = AssessmentForm(inventory, "openai-gpt-4o-mini", "nist-ai-rmf")
    answer = form.answer("MAP 1.1")
    answer.status.control.value = "partially-met"
    answer.answer.control.value = "Context documented for EU customers only."
    answer.evidence.control.value = "Context note https://wiki.example/ctx"
    form.submit_button.click()
    assert form.last_record is not None and form.last_record.status == "draft"
    saved = stored(inventory)
    assert list(saved["answers"]) == ["MAP 1.1"]  # the other 71 items were left untouched
    assert saved["answers"]["MAP 1.1"]["evidence"] == [{"url": "https://wiki.example/ctx", "title": "Context note"}]
    assert "Saved the nist-ai-rmf assessment" in form.status.value and "1/72" in form.progress.value


def test_when_approval_lacks_an_approver_then_the_message_is_beside_the_approver_and_nothing_is_saved(inventory):
    form = AssessmentForm(inventory, "openai-gpt-4o-mini", "nist-ai-rmf")
    form.fields["status"].control.value = "approved"
    assert form.submit() is None
    assert "names its approver" in form.fields["approver"].problem
    assert not inventory.assessments_dir.exists()
    form.fields["approver"].control.value = "ana"
    assert form.submit() is None and "other than the assessor" in form.fields["approver"].problem
    form.fields["approver"].control.value = "ben"
    record = form.submit()
    assert record is not None and record.status == "approved"
    assert record.next_review == date.today() + timedelta(days=365)
    assert form.fields["next_review"].control.value == record.next_review


def test_when_an_item_status_is_invalid_then_its_own_control_shows_the_message(inventory):
    form = AssessmentForm(inventory, "openai-gpt-4o-mini", "nist-ai-rmf")
    answer = form.answer("GOVERN 1.2")
    answer.evidence.control.value = "no-url-here"
    assert form.submit() is None
    assert "http:// or https://" in answer.evidence.problem


def test_when_the_form_reopens_then_it_shows_the_saved_assessment_and_keeps_untouched_answers(inventory):
    aigov.assess(
        "openai-gpt-4o-mini",
        framework="nist-ai-rmf",
        assessor="ana",
        approver="ben",
        status="approved",
        answers={"GOVERN 1.1": "met"},
    )
    form = AssessmentForm(inventory, "openai-gpt-4o-mini", "nist-ai-rmf")
    assert form.fields["status"].control.value == "approved" and form.fields["approver"].control.value == "ben"
    assert form.answer("GOVERN 1.1").status.control.value == "met"
    form.fields["summary"].control.value = "Reviewed with legal."
    record = form.submit()
    assert record is not None and record.status == "approved"  # a summary is not an answer: still approved
    form.answer("GOVERN 1.1").status.control.value = "not-met"
    record = form.submit()
    assert record is not None and record.status == "draft"  # a changed answer needs a new approval
    assert stored(inventory)["answers"]["GOVERN 1.1"]["status"] == "not-met"


def test_when_the_model_is_unknown_then_the_error_comes_before_any_form(inventory):
    with pytest.raises(aigov.InventoryError, match="Did you mean 'openai-gpt-4o-mini'"):
        aigov.assess("openai-gpt-4o-mni")
