"""Registering models: documents as written on disk, the change log, updates, and errors that write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import aigov
from aigov_core.evidence import verify_log
from jupyter_aigov.inventory.registration import register_model
from jupyter_aigov.inventory.store import Inventory

FIELDS = {
    "name": "gpt-4o-mini",
    "provider": "openai",
    "owner": "ds-team",
    "intended_purpose": "Summarise support tickets for the weekly report.",
    "risk_tier": "limited",
}


@pytest.fixture
def inventory(tmp_path: Path) -> Inventory:
    return Inventory(tmp_path / "inventory")


def files(inventory: Inventory) -> dict[str, bytes]:
    return {str(p.relative_to(inventory.root)): p.read_bytes() for p in inventory.root.rglob("*") if p.is_file()}


def changes(inventory: Inventory) -> list[dict]:
    return [json.loads(line) for line in inventory.changes.path.read_text().splitlines()]


def test_when_a_model_is_registered_then_a_schema_versioned_document_and_a_change_record_are_written(inventory):
    model = register_model(inventory, {**FIELDS, "aliases": ["mini"]}, "ana", notebook="triage.ipynb")
    assert model.id == "openai-gpt-4o-mini" and model.revision == 1
    stored = json.loads((inventory.models_dir / "openai-gpt-4o-mini.json").read_text())
    assert stored["schema_version"] == 1 and stored["kind"] == "model"
    assert stored["model_ids"] == ["gpt-4o-mini"] and stored["aliases"] == ["mini"]
    assert stored["operator_role"] == "deployer"  # a notebook team deploys models others provide
    assert (stored["registered_by"], stored["updated_by"]) == ("ana", "ana")
    (record,) = changes(inventory)
    assert record["event"] == "inventory.model.registered" and record["user"] == "ana"
    assert record["notebook"] == "triage.ipynb" and record["id"] == model.id and record["ts"]
    assert record["changes"]["owner"] == {"from": None, "to": "ds-team"}
    assert verify_log(inventory.changes.path).ok


def test_when_registered_again_with_other_fields_then_only_those_change_and_the_record_says_what(inventory):
    register_model(inventory, FIELDS, "ana")
    updated = register_model(
        inventory, {"id": "openai-gpt-4o-mini", "owner": "ml-platform", "overview": "Small."}, "ben"
    )
    assert (updated.revision, updated.owner, updated.model_card.overview) == (2, "ml-platform", "Small.")
    assert updated.intended_purpose == FIELDS["intended_purpose"]  # fields not given keep their value
    assert (updated.registered_by, updated.updated_by) == ("ana", "ben")
    last = changes(inventory)[-1]
    assert last["event"] == "inventory.model.updated" and last["user"] == "ben"
    assert set(last["changes"]) == {"owner", "model_card"}
    assert last["changes"]["owner"] == {"from": "ds-team", "to": "ml-platform"}


def test_when_registered_again_unchanged_then_nothing_is_written(inventory):
    register_model(inventory, FIELDS, "ana")
    before = files(inventory)
    assert register_model(inventory, FIELDS, "ben").revision == 1
    assert files(inventory) == before


@pytest.mark.parametrize(
    ("fields", "problem_field", "says"),
    [
        ({"name": "x"}, "owner", "is required"),
        ({**FIELDS, "risk_tier": "medium"}, "risk_tier", "must be one of: prohibited, high, limited"),
        ({**FIELDS, "operator_role": "user"}, "operator_role", "deployer"),
        ({**FIELDS, "links": ["not a link"]}, "links.0.url", "http:// or https://"),
        ({**FIELDS, "owner": "   "}, "owner", "is required"),
        ({**FIELDS, "colour": "red"}, "colour", "is not a registration field"),
        ({**FIELDS, "id": "Has Spaces"}, "id", "lower-case letters"),
    ],
)
def test_when_a_field_is_invalid_then_the_error_names_it_and_nothing_is_written(inventory, fields, problem_field, says):
    with pytest.raises(aigov.InventoryError) as problem:
        register_model(inventory, fields, "ana")
    assert says in problem.value.problems[problem_field]
    assert "nothing was written" in str(problem.value)
    assert not inventory.models_dir.exists() or not list(inventory.models_dir.iterdir())
    assert not inventory.changes.path.exists() or inventory.changes.path.read_text() == ""


def test_when_a_name_belongs_to_another_registration_of_the_provider_then_it_is_refused(inventory):
    register_model(inventory, FIELDS, "ana")
    with pytest.raises(aigov.InventoryError) as problem:
        register_model(inventory, {**FIELDS, "name": "mini", "aliases": ["GPT-4o-mini"]}, "ana")
    assert "already registered as 'openai-gpt-4o-mini'" in str(problem.value)
    # the same name from another provider is another model
    assert register_model(inventory, {**FIELDS, "provider": "azure-openai"}, "ana").id == "azure-openai-gpt-4o-mini"


def test_when_lists_are_given_as_text_then_they_are_split_as_a_form_would_type_them(inventory):
    model = register_model(
        inventory, {**FIELDS, "aliases": "a, b\nc", "links": ["Model card https://x.example/card"]}, "ana"
    )
    assert model.aliases == ["a", "b", "c"]
    assert (model.links[0].title, model.links[0].url) == ("Model card", "https://x.example/card")


def test_when_the_change_log_cannot_be_written_then_the_document_is_not_written_either(inventory, monkeypatch):
    register_model(inventory, FIELDS, "ana")
    before = files(inventory)

    def fail(*_args, **_kwargs):
        raise aigov.EvidenceError("disk full")

    monkeypatch.setattr(inventory.changes, "append", fail)
    with pytest.raises(aigov.InventoryError) as problem:
        register_model(inventory, {"id": "openai-gpt-4o-mini", "owner": "someone else"}, "ben")
    assert "Nothing was changed" in str(problem.value)
    assert files(inventory) == before  # no document, no temporary file left behind


def test_when_a_document_is_edited_by_hand_into_nonsense_then_reading_it_names_the_file(inventory):
    model = register_model(inventory, FIELDS, "ana")
    path = inventory.models_dir / f"{model.id}.json"
    path.write_text('{"schema_version": 1, "id": "openai-gpt-4o-mini"}')
    with pytest.raises(aigov.InventoryError) as problem:
        inventory.models()
    assert str(path) in str(problem.value) and "owner is required" in str(problem.value)


def test_when_an_unknown_model_is_asked_for_then_the_error_suggests_the_close_one(inventory):
    register_model(inventory, FIELDS, "ana")
    with pytest.raises(aigov.InventoryError) as problem:
        inventory.model("openai-gpt-4o-mni")
    assert "Did you mean 'openai-gpt-4o-mini'?" in str(problem.value)
