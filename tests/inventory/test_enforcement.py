"""require_registered_model end to end: real SDK calls against the loopback provider, refused or let through
by what the inventory holds."""

from __future__ import annotations

import datetime as real_datetime
import json
import multiprocessing
import os

import anthropic
import openai
import pytest

import aigov
from jupyter_aigov.pipeline import checks

POLICY = "version: 1\nrequire_registered_model: true\n"
HI = [{"role": "user", "content": "hi"}]
# the stand-in provider listens on loopback, a host the catalogue does not know: calls are "openai-compatible"
PROVIDER = "openai-compatible"


def ask(provider, model: str = "gpt-4o-mini") -> str:
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    answer = client.chat.completions.create(model=model, messages=HI)
    return answer.choices[0].message.content or ""


def register(**fields):
    values = {
        "name": "gpt-4o-mini",
        "provider": PROVIDER,
        "owner": "ds-team",
        "intended_purpose": "Summarise support tickets.",
        "risk_tier": "limited",
    }
    values.update(fields)
    return aigov.register_model(**values)


def approve(model_id: str, **fields):
    values = {"framework": "nist-ai-rmf", "assessor": "ana", "status": "approved", "approver": "ben"}
    values.update(fields)
    return aigov.assess(model_id, **values)


def refused(governed, provider, model: str = "gpt-4o-mini") -> aigov.PolicyViolation:
    with pytest.raises(aigov.PolicyViolation) as caught:
        ask(provider, model)
    assert provider.received == []
    return caught.value


def test_when_the_model_is_not_registered_then_the_call_is_refused_before_sending_and_names_the_form(
    governed, provider
):
    governed(POLICY)
    violation = refused(governed, provider)
    assert violation.rule == "inventory.unregistered"
    assert "gpt-4o-mini" in violation.reason and PROVIDER in violation.reason
    assert "aigov.register_model()" in violation.hint and "require_registered_model" in violation.hint
    (record,) = governed.records("ai.call")
    assert record["decision"] == "block" and record["rules"] == ["inventory.unregistered"]


def test_when_registered_but_not_assessed_then_the_call_is_refused_and_names_the_assessment_form(governed, provider):
    governed(POLICY)
    model = register()
    violation = refused(governed, provider)
    assert violation.rule == "inventory.unapproved"
    assert f"aigov.assess('{model.id}')" in violation.hint
    assert "assessments: none yet" in violation.reason


def test_when_the_assessment_is_a_draft_or_rejected_then_the_call_is_refused(governed, provider):
    governed(POLICY)
    model = register()
    aigov.assess(model.id, framework="nist-ai-rmf", assessor="ana")
    assert refused(governed, provider).rule == "inventory.unapproved"
    aigov.assess(model.id, framework="iso-iec-42001", assessor="ana", status="rejected", approver="ben")
    violation = refused(governed, provider)
    assert "nist-ai-rmf: draft" in violation.reason and "iso-iec-42001: rejected" in violation.reason


def test_when_an_approved_assessment_is_in_force_then_the_call_goes_out_and_the_record_says_why(governed, provider):
    governed(POLICY)
    model = register()
    approve(model.id)
    assert ask(provider)
    assert len(provider.received) == 1
    (record,) = governed.records("ai.call")
    assert record["decision"] == "allow" and "inventory.approved" in record["rules"]
    assert model.id in record["reason"]


@pytest.mark.parametrize(
    ("registered", "called", "allowed"),
    [
        ({"aliases": ["mini-latest"]}, "mini-latest", True),
        ({"model_ids": ["gpt-4o-mini-2024-07-18"]}, "GPT-4o-mini-2024-07-18", True),  # model ids match any case
        ({"model_ids": ["gpt-4o-mini-2024-07-18"]}, "gpt-4o-mini", False),  # model_ids replace the name
        ({"provider": "openai"}, "gpt-4o-mini", False),  # the same name from another provider is another model
        ({"provider": "openai", "aliases": [f"{PROVIDER}/gpt-4o-mini"]}, "gpt-4o-mini", True),
    ],
)
def test_when_a_call_names_a_model_then_it_matches_by_provider_and_model_id_or_alias(
    governed, provider, registered, called, allowed
):
    governed(POLICY)
    approve(register(**registered).id)
    if allowed:
        assert ask(provider, called)
    else:
        assert refused(governed, provider, called).rule == "inventory.unregistered"


def test_when_the_review_date_has_passed_then_the_call_is_refused_as_overdue(governed, provider, monkeypatch):
    governed(POLICY)
    model = register()
    approve(model.id, next_review=real_datetime.date.today() + real_datetime.timedelta(days=30))
    assert ask(provider)
    provider.clear()

    class Later(real_datetime.date):
        @classmethod
        def today(cls):
            return real_datetime.date.today() + real_datetime.timedelta(days=31)

    monkeypatch.setattr(checks, "date", Later)
    violation = refused(governed, provider)
    assert violation.rule == "inventory.review_overdue"
    assert "next_review" in violation.hint


def test_when_the_registration_lists_use_cases_then_other_use_cases_are_refused(governed, provider):
    governed(POLICY, AIGOV_USE_CASE="churn-analysis")
    approve(register(use_cases=["ticket-triage"]).id)
    violation = refused(governed, provider)
    assert violation.rule == "inventory.use_case" and "ticket-triage" in violation.reason
    aigov.set_use_case("ticket-triage")
    assert ask(provider)


def test_when_the_model_is_in_the_prohibited_tier_then_it_is_refused_and_cannot_be_approved(governed, provider):
    governed(POLICY)
    model = register(risk_tier="prohibited")
    with pytest.raises(aigov.InventoryError) as problem:
        approve(model.id)
    assert "prohibited" in problem.value.problems["status"]
    assert refused(governed, provider).rule == "inventory.prohibited"


def test_when_anthropic_retries_then_the_refusal_reaches_the_caller_once_with_one_record(governed, provider):
    governed(POLICY)
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x", max_retries=3)
    with pytest.raises(aigov.PolicyViolation) as caught:
        client.messages.create(model="claude-haiku-4-5", max_tokens=20, messages=HI)
    assert caught.value.rule == "inventory.unregistered"
    assert provider.received == []
    assert len(governed.records("ai.call")) == 1


def test_when_the_policy_does_not_require_registration_then_unregistered_models_are_allowed(governed, provider):
    governed("version: 1\n")
    assert ask(provider)
    (record,) = governed.records("ai.call")
    assert not any(rule.startswith("inventory.") for rule in record["rules"])


def _register_elsewhere(inventory_dir: str) -> None:
    os.environ["AIGOV_INVENTORY_DIR"] = inventory_dir
    register()
    approve("openai-compatible-gpt-4o-mini")


def test_when_another_process_registers_and_approves_then_the_next_call_goes_out_without_a_restart(governed, provider):
    gateway = governed(POLICY)
    assert refused(governed, provider).rule == "inventory.unregistered"
    worker = multiprocessing.get_context("spawn").Process(
        target=_register_elsewhere, args=(str(gateway.inventory.root),)
    )
    worker.start()
    worker.join(60)
    assert worker.exitcode == 0
    assert ask(provider)


def test_when_an_inventory_document_is_damaged_then_calls_are_refused_not_let_through(governed, provider):
    gateway = governed(POLICY)
    model = register()
    approve(model.id)
    path = gateway.inventory.models_dir / f"{model.id}.json"
    document = json.loads(path.read_text())
    document["risk_tier"] = "whatever"
    damaged = path.with_suffix(".tmp")
    damaged.write_text(json.dumps(document))
    damaged.replace(path)  # a rename, as an editor or a sync tool would do it
    with pytest.raises(aigov.PolicyViolation) as caught:
        ask(provider)
    assert provider.received == []
    assert caught.value.rule == "on_error.block"
    assert "risk_tier" in caught.value.reason and str(path) in caught.value.reason
