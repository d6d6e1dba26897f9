"""Plugins' pre-send checks: they run after the built-in ones, can only add a refusal, and fail closed."""

from __future__ import annotations

import json

import httpx2
import pytest

import aigov

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}
POLICY = "version: 1\nredaction: {entities: {}}\nplugins: [p]\n"
CHECK = """
import aigov
from aigov import Verdict

@aigov.hookimpl
def aigov_check(call, policy, user, use_case):
    {body}
"""


def checking(body: str) -> str:
    return CHECK.format(body=body)


@pytest.mark.parametrize(
    ("body", "rule", "said"),
    [
        ("return Verdict.block('plugin.p.size', 'Too long.', 'shorten it.')", "plugin.p.size", "Too long."),
        ("raise ValueError('the prompt said hello')", "plugins.failed", "The plugin 'p' raised ValueError in"),
        ("return 'no'", "plugins.failed", "returned str from aigov_check(), not a Verdict or None"),
        ("return Verdict.block('models.deny', 'Denied.')", "plugins.failed", "named the rule 'models.deny'"),
        ("return Verdict('block')", "plugins.failed", "named no rule in its verdict; a plugin's rules are plugin.p.*"),
        ("return Verdict.allow('budgets.ok', 'Fine.')", "plugins.failed", "named the rule 'budgets.ok'"),
    ],
    ids=["blocks", "raises", "not a verdict", "built-in rule", "no rule", "allows with a built-in rule"],
)
def test_when_a_plugin_check_refuses_or_fails_then_the_call_is_refused_under_its_rule(
    install, governed, provider, body, rule, said
):
    install("p", checking(body))
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    assert (refused.value.rule, provider.received) == (rule, [])
    assert said in refused.value.reason
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["rules"]) == ("block", [rule])
    assert "said hello" not in json.dumps(governed.records())  # an exception's message never goes on record


@pytest.mark.parametrize(
    "body",
    [
        "return None",
        "return Verdict.allow('plugin.p.checked', 'Checked by p.')",
        "return Verdict('redact', ('plugin.p.x',))",
    ],
    ids=["none", "allows", "redacts"],
)
def test_when_a_plugin_check_does_not_block_then_the_call_goes_as_the_built_in_checks_decided(
    install, governed, provider, body
):
    install("p", checking(body))
    governed(POLICY)
    assert httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT).status_code == 200
    (call,) = governed.records("ai.call")
    assert call["decision"] == "allow"
    assert call["rules"][0] == "models.allowed"


def test_when_the_built_in_checks_refuse_then_a_plugin_that_allows_cannot_lift_it(install, governed, provider):
    install("p", checking("return Verdict.allow('plugin.p.fine', 'p says fine.')"))
    governed(POLICY + "models: {deny: ['gpt-*']}\n")
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    assert refused.value.rule == "models.deny"
    assert provider.received == []


def test_when_a_check_names_fewer_arguments_then_it_gets_those_it_names(install, governed, provider):
    install("p", BY_USER)
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation, match="ada may not"):
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)


BY_USER = """
import aigov

@aigov.hookimpl
def aigov_check(user):
    return aigov.Verdict.block("plugin.p.user", f"{user} may not.") if user == "ada" else None
"""


@pytest.mark.parametrize(("listed", "rule"), [("[p, q]", "plugin.p.first"), ("[q, p]", "plugin.q.first")])
def test_when_two_plugins_refuse_then_the_first_the_policy_lists_decides(install, governed, provider, listed, rule):
    install("p", checking("return Verdict.block('plugin.p.first', 'p refuses.')"))
    install("q", checking("return Verdict.block('plugin.q.first', 'q refuses.')"))
    governed(POLICY.replace("[p]", listed))
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    assert refused.value.rule == rule


def test_when_a_plugin_check_changes_the_call_it_is_shown_then_what_is_checked_and_sent_is_unchanged(
    install, governed, provider
):
    # a check sees a copy: changing it cannot hide a prompt from redaction nor change what is sent
    install("p", checking("call.body['messages'][0]['content'] = 'x'; call.text_parts.clear(); call.model = 'other'"))
    governed(POLICY.replace("entities: {}", "entities: {EMAIL_ADDRESS: block}"))
    mail = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "write to ada@example.org"}]}
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=mail)
    assert (refused.value.rule, provider.received) == ("redaction.block", [])
    assert httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT).status_code == 200
    (sent,) = provider.received
    assert json.loads(sent.body) == CHAT
    assert [call["model"] for call in governed.records("ai.call")] == ["gpt-4o-mini", "gpt-4o-mini"]
