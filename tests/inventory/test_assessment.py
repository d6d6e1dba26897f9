"""Assessments: answers checked against the catalogue, the four-eyes rule, review dates, history in the log."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

import aigov
from jupyter_aigov.inventory.assessment import assess
from jupyter_aigov.inventory.registration import register_model
from jupyter_aigov.inventory.store import Inventory

TODAY = date(2026, 11, 24)
MODEL = {
    "name": "claude-haiku-4-5",
    "provider": "anthropic",
    "owner": "ds-team",
    "intended_purpose": "Draft replies to customer emails for review by an agent.",
    "risk_tier": "limited",
}


@pytest.fixture
def inventory(tmp_path: Path) -> Inventory:
    inventory = Inventory(tmp_path / "inventory")
    register_model(inventory, MODEL, "ana")
    return inventory


def changes(inventory: Inventory) -> list[dict]:
    return [json.loads(line) for line in inventory.changes.path.read_text().splitlines()]


MODEL_ID = "anthropic-claude-haiku-4-5"
NIST = {"framework": "nist-ai-rmf", "assessor": "ana"}
YESTERDAY = TODAY - timedelta(days=1)


def test_when_answers_are_given_then_they_are_stored_per_item_with_the_catalogue_version(inventory):
    done = assess(
        inventory,
        MODEL_ID,
        {
            "framework": "nist-ai-rmf",
            "assessor": "ana",
            "answers": {
                "GOVERN 1.1": {
                    "status": "met",
                    "answer": "Legal review LR-12.",
                    "evidence": ["LR-12 https://x.example/lr"],
                },
                "MAP 1.1": "partially-met",
            },
        },
        "ana",
        TODAY,
    )
    assert done.id == f"{MODEL_ID}.nist-ai-rmf" and done.status == "draft"
    assert done.framework_version == "1.0" and done.answered() == 2
    assert done.answers["GOVERN 1.1"].evidence[0].url == "https://x.example/lr"
    assert done.answers["MAP 1.1"].status == "partially-met"
    stored = json.loads((inventory.assessments_dir / f"{done.id}.json").read_text())
    assert stored["schema_version"] == 1 and stored["kind"] == "assessment"
    assert changes(inventory)[-1]["event"] == "inventory.assessment.draft"


@pytest.mark.parametrize("alias", ["nist", "NIST-AI-RMF", "nist-ai-rmf-1.0"])
def test_when_the_framework_is_named_by_an_alias_then_the_catalogue_id_is_stored(inventory, alias):
    assert assess(inventory, MODEL_ID, {"framework": alias, "assessor": "ana"}, "ana", TODAY).framework == "nist-ai-rmf"


@pytest.mark.parametrize(
    ("fields", "problem_field", "says"),
    [
        ({**NIST, "answers": {"GOVERN 1.9": "met"}}, "answers.GOVERN 1.9", "not an item"),
        ({**NIST, "answers": {"GOVERN 1.1": "done"}}, "answers.GOVERN 1.1.status", "met"),
        ({**NIST, "status": "approved"}, "approver", "names its approver"),
        ({**NIST, "status": "approved", "approver": "Ana"}, "approver", "other than the assessor"),
        ({**NIST, "status": "finished"}, "status", "draft, submitted, approved"),
        ({"framework": "nist-ai-rmf", "status": "draft"}, "assessor", "is required"),
        ({**NIST, "status": "approved", "approver": "ben", "next_review": YESTERDAY}, "next_review", "in the past"),
    ],
)
def test_when_an_assessment_is_invalid_then_the_error_names_the_field_and_nothing_is_written(
    inventory, fields, problem_field, says
):
    before = inventory.changes.path.read_bytes()
    with pytest.raises(aigov.InventoryError) as problem:
        assess(inventory, MODEL_ID, fields, "ana", TODAY)
    assert says in problem.value.problems[problem_field]
    assert inventory.changes.path.read_bytes() == before
    assert not inventory.assessments_dir.exists() or not list(inventory.assessments_dir.iterdir())


def test_when_the_framework_is_unknown_then_the_error_lists_the_known_ones(inventory):
    with pytest.raises(aigov.InventoryError) as problem:
        assess(inventory, MODEL_ID, {"framework": "iso-27001", "assessor": "ana"}, "ana", TODAY)
    assert "nist-ai-rmf" in str(problem.value) and "iso-iec-42001" in str(problem.value)


def test_when_the_model_is_not_registered_then_the_error_says_to_register_it(inventory):
    with pytest.raises(aigov.InventoryError) as problem:
        assess(inventory, "openai-gpt-5", {"framework": "nist-ai-rmf", "assessor": "ana"}, "ana", TODAY)
    assert "aigov.register_model()" in str(problem.value)


def test_when_approved_without_a_review_date_then_it_is_due_again_in_a_year(inventory):
    done = assess(
        inventory,
        MODEL_ID,
        {"framework": "eu-ai-act", "assessor": "ana", "status": "approved", "approver": "ben"},
        "ana",
        TODAY,
    )
    assert done.next_review == TODAY + timedelta(days=365) and done.decided_at
    assert done.in_force(TODAY) and not done.in_force(TODAY + timedelta(days=366))


def test_when_answers_of_an_approved_assessment_change_then_it_goes_back_to_draft(inventory):
    approved = {"framework": "nist-ai-rmf", "assessor": "ana", "status": "approved", "approver": "ben"}
    assess(inventory, MODEL_ID, approved, "ana", TODAY)
    same = assess(inventory, MODEL_ID, {"framework": "nist-ai-rmf", "answers": {}}, "ana", TODAY)
    assert same.status == "approved" and same.revision == 1  # nothing changed, nothing written
    changed = assess(inventory, MODEL_ID, {"framework": "nist-ai-rmf", "answers": {"MAP 1.1": "not-met"}}, "cy", TODAY)
    assert (changed.status, changed.decided_at, changed.revision) == ("draft", "", 2)
    assert changes(inventory)[-1]["event"] == "inventory.assessment.draft"
    assert changes(inventory)[-1]["changes"]["status"] == {"from": "approved", "to": "draft"}
    again = assess(inventory, MODEL_ID, {"framework": "nist-ai-rmf", "status": "approved"}, "ben", TODAY)
    assert again.status == "approved" and again.answers["MAP 1.1"].status == "not-met"


def test_when_one_answer_is_updated_then_the_others_and_its_other_parts_are_kept(inventory):
    first = {"GOVERN 1.1": {"status": "met", "answer": "Yes.", "remarks": "See LR-12."}, "MAP 1.1": "met"}
    assess(inventory, MODEL_ID, {"framework": "nist-ai-rmf", "assessor": "ana", "answers": first}, "ana", TODAY)
    done = assess(
        inventory,
        MODEL_ID,
        {"framework": "nist-ai-rmf", "answers": {"GOVERN 1.1": {"status": "partially-met"}}},
        "ana",
        TODAY,
    )
    assert done.answers["GOVERN 1.1"].status == "partially-met" and done.answers["GOVERN 1.1"].answer == "Yes."
    assert done.answers["MAP 1.1"].status == "met"
    assert changes(inventory)[-1]["changes"]["answers"]["from"]["GOVERN 1.1"]["status"] == "met"


def test_when_the_public_api_is_called_with_fields_then_it_writes_and_returns_the_record(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGOV_INVENTORY_DIR", str(tmp_path / "inventory"))
    monkeypatch.setenv("AIGOV_USER", "ana")
    model = aigov.register_model(**MODEL)
    done = aigov.assess(model.id, framework="nist-ai-rmf", assessor="ana", status="approved", approver="ben")
    assert done.status == "approved" and done.created_by == "ana"
    frame = aigov.inventory()
    assert frame.loc[0, "id"] == model.id and bool(frame.loc[0, "approved"]) is True
    assert frame.loc[0, "assessments"] == {"nist-ai-rmf": "approved"}
    with pytest.raises(aigov.InventoryError, match="Name the model"):
        aigov.assess(framework="nist-ai-rmf")
