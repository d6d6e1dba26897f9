"""Plugins' recognizers: their entities work in redaction.entities; one that fails makes detection fail closed."""

from __future__ import annotations

import json

import httpx2
import pytest

import aigov

RECOGNIZING = """
import aigov

@aigov.hookimpl
def aigov_recognizers():
    {body}
"""
BADGE = """from presidio_analyzer import Pattern, PatternRecognizer
    return [PatternRecognizer("BADGE_NUMBER", patterns=[Pattern("badge", r"\\bBDG\\d{5}\\b", 0.9)])]"""


def chat(text: str) -> dict[str, object]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}


def policy(plugin: str) -> str:
    entities = "{BADGE_NUMBER: redact, EMAIL_ADDRESS: redact}"
    return f"version: 1\nplugins: [{plugin}]\nredaction: {{entities: {entities}}}\n"


def test_when_a_plugin_recognizes_an_entity_the_policy_redacts_then_it_is_redacted(install, governed, provider):
    install("badges", RECOGNIZING.format(body=BADGE))
    governed(policy("badges"))
    text = "Badge BDG12345 belongs to jo@example.com"
    httpx2.post(provider.openai_base_url + "/chat/completions", json=chat(text))
    sent = provider.received[-1].json["messages"][0]["content"]
    assert sent == "Badge <BADGE_NUMBER_1> belongs to <EMAIL_ADDRESS_1>"
    (call,) = governed.records("ai.call")
    assert call["entities"] == {"BADGE_NUMBER": 1, "EMAIL_ADDRESS": 1}


@pytest.mark.parametrize(
    ("name", "body", "said"),
    [
        ("raising", "raise KeyError('BDG12345')", "plugin 'raising' raised KeyError in aigov_recognizers()"),
        ("wrong", "return ['BDG']", "plugin 'wrong' returned str, not a Presidio recognizer"),
        ("empty", "return []", "no recognizer finds BADGE_NUMBER, which the policy names under redaction.entities"),
    ],
)
def test_when_a_plugins_recognizers_cannot_be_made_then_calls_that_need_detection_are_refused(
    install, governed, provider, name, body, said
):
    install(name, RECOGNIZING.format(body=body))
    governed(policy(name))
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=chat("Badge BDG12345, please"))
    assert (refused.value.rule, provider.received) == ("redaction.failed", [])
    assert said in refused.value.reason
    assert "BDG12345" not in json.dumps(governed.records())


def test_when_the_policy_names_an_entity_no_recognizer_finds_then_the_call_is_refused_not_passed(governed, provider):
    governed("version: 1\nredaction:\n  entities:\n    EMPLOYEE_ID: block\n")  # its plugin is not listed
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=chat("EMP-123456 asks"))
    assert refused.value.rule == "redaction.failed"
    assert "no recognizer finds EMPLOYEE_ID" in refused.value.reason
    assert "list the plugin that provides it under plugins:" in refused.value.reason
    assert provider.received == []


STAFF = """from presidio_analyzer import Pattern, PatternRecognizer
    pattern = Pattern("employee_id", r"\\bEMP-\\d{6}\\b", 0.4)
    return [PatternRecognizer("EMPLOYEE_ID", patterns=[pattern], context=["employee", "staff"])]"""
STAFF_PATTERN = (
    r"{name: employee_id, regex: '\bEMP-\d{6}\b', entity: EMPLOYEE_ID, score: 0.4, context: [employee, staff]}"
)


@pytest.mark.parametrize("source", ["plugin", "policy"])
@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("Reassign the tickets of employee EMP-123456", "Reassign the tickets of employee <EMPLOYEE_ID_1>"),
        ("Staff: EMP-123456", "Staff: <EMPLOYEE_ID_1>"),
        ("Ticket EMP-123456 is closed", "Ticket EMP-123456 is closed"),  # 0.4, under the threshold, no context word
    ],
)
def test_when_a_plugin_pattern_recognizer_has_context_words_then_it_acts_as_the_same_policy_pattern(
    install, governed, provider, source, text, sent
):
    if source == "plugin":
        install("staff", RECOGNIZING.format(body=STAFF))
        governed("version: 1\nplugins: [staff]\nredaction: {entities: {EMPLOYEE_ID: redact}}\n")
    else:
        governed(f"version: 1\nredaction:\n  entities: {{EMPLOYEE_ID: redact}}\n  patterns: [{STAFF_PATTERN}]\n")
    httpx2.post(provider.openai_base_url + "/chat/completions", json=chat(text))
    assert provider.received[-1].json["messages"][0]["content"] == sent


FRAGILE = """from presidio_analyzer import EntityRecognizer

    class Fragile(EntityRecognizer):
        def load(self):
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            if "tripwire" in text:
                raise RuntimeError("cannot read " + text)
            return []

    return [Fragile(supported_entities=["BADGE_NUMBER"])]"""


def test_when_detection_fails_on_an_answer_then_the_answer_is_refused_not_passed(install, governed, provider):
    from jupyter_aigov.testing import Reply

    install("fragile", RECOGNIZING.format(body=FRAGILE))
    governed(policy("fragile").replace("redaction: {", "redaction: {responses: redact, "))
    provider.script(Reply(text="A tripwire answer with BDG12345."))
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=chat("A clean question"))
    assert refused.value.rule == "redaction.response_failed"
    assert "RuntimeError" in refused.value.reason and "tripwire" not in refused.value.reason
    (record,) = governed.records("response.redaction")
    assert record["decision"] == "block"
    assert "tripwire" not in governed.log_path.read_text()
