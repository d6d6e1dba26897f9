"""The registration form driven headless: set values, click, look at the widgets and at the files written."""

from __future__ import annotations

import json
from pathlib import Path

import ipywidgets as widgets
import pytest

import aigov
from jupyter_aigov.inventory.store import Inventory
from jupyter_aigov.widgets.registration_form import RegistrationForm


@pytest.fixture
def inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Inventory:
    monkeypatch.setenv("AIGOV_INVENTORY_DIR", str(tmp_path / "inventory"))
    monkeypatch.setenv("AIGOV_USER", "ana")
    return Inventory(tmp_path / "inventory")


def fill(form: RegistrationForm, **values: object) -> None:
    for name, value in values.items():
        target = form.fields.get(name) or form.card_fields[name]
        target.control.value = value


VALID = {
    "name": "gpt-4o-mini",
    "provider": "openai",
    "owner": "ds-team",
    "intended_purpose": "Summarise support tickets.",
    "risk_tier": "limited",
}


def test_when_called_without_fields_then_a_form_with_labelled_fields_and_fitting_controls_is_shown(inventory):
    form = aigov.register_model()
    assert isinstance(form, RegistrationForm) and isinstance(form.widget, widgets.VBox)
    assert isinstance(form.fields["risk_tier"].control, widgets.Dropdown)
    tiers = [value for _, value in form.fields["risk_tier"].control.options]
    assert tiers == [None, "prohibited", "high", "limited", "minimal", "gpai", "gpai-systemic"]
    assert isinstance(form.fields["aliases"].control, widgets.TagsInput)
    assert "openai" in form.fields["provider"].control.options
    assert "Owner" in form.fields["owner"].label.value and "required" in form.fields["owner"].label.value
    assert "application/vnd.jupyter.widget-view+json" in form._repr_mimebundle_()


def test_when_submitted_with_valid_values_then_the_record_is_written_and_the_form_says_so(inventory):
    form = RegistrationForm(inventory)
    fill(form, **VALID, aliases=["mini"], data_categories=["personal"], overview="A small model.")
    fill(form, links="Model card https://platform.openai.com/docs/models/gpt-4o-mini")
    form.submit_button.click()
    assert form.last_record is not None and form.last_record.id == "openai-gpt-4o-mini"
    assert "Registered 'openai-gpt-4o-mini' (revision 1)" in form.status.value
    stored = json.loads((inventory.models_dir / "openai-gpt-4o-mini.json").read_text())
    assert stored["aliases"] == ["mini"] and stored["data_categories"] == ["personal"]
    assert stored["model_card"]["overview"] == "A small model." and stored["registered_by"] == "ana"
    assert stored["links"] == [{"url": "https://platform.openai.com/docs/models/gpt-4o-mini", "title": "Model card"}]


def test_when_fields_are_missing_or_wrong_then_messages_appear_beside_them_and_nothing_is_written(inventory):
    form = RegistrationForm(inventory)
    fill(form, name="gpt-4o-mini", provider="openai", links="not-a-link")
    form.submit_button.click()
    assert form.last_record is None
    assert form.fields["owner"].problem == "is required"
    assert form.fields["intended_purpose"].problem == "is required"
    assert form.fields["risk_tier"].problem == "is required"
    assert "http:// or https://" in form.fields["links"].problem
    assert form.fields["name"].problem == ""
    assert "Not registered" in form.status.value
    assert not inventory.root.joinpath("models").exists() or not list(inventory.models_dir.iterdir())
    fill(form, owner="ds-team")
    assert form.fields["owner"].problem == ""  # editing a field clears its message


def test_when_an_existing_model_is_chosen_then_the_form_fills_and_saving_updates_it(inventory):
    aigov.register_model(**VALID, aliases=["mini"], limitations="English only.")
    form = RegistrationForm(inventory)
    form.start_from.value = "openai-gpt-4o-mini"
    assert form.fields["owner"].control.value == "ds-team"
    assert list(form.fields["aliases"].control.value) == ["mini"]
    fill(form, owner="ml-platform", limitations="")
    record = form.submit()
    assert record is not None and (record.revision, record.owner, record.limitations) == (2, "ml-platform", "")
    assert record.aliases == ["mini"]


def test_when_a_name_is_already_registered_then_the_model_ids_field_says_by_which(inventory):
    aigov.register_model(**VALID)
    form = RegistrationForm(inventory)
    fill(form, **{**VALID, "name": "mini"}, model_ids=["gpt-4o-mini"])
    assert form.submit() is None
    assert "openai-gpt-4o-mini" in form.fields["model_ids"].problem
