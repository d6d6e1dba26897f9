"""Tools offered to the model, through the real SDKs: a forbidden one refuses the call, or is stripped."""

from __future__ import annotations

import json

import anthropic
import openai
import pytest

import aigov

REFUSE = "version: 1\ntools:\n  deny: ['run_shell']\n"
STRIP = REFUSE + "  on_forbidden_definition: strip\n"
OPENAI_TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}},
    {"type": "function", "function": {"name": "run_shell", "parameters": {"type": "object", "properties": {}}}},
]
ANTHROPIC_TOOLS = [
    {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}},
    {"name": "run_shell", "input_schema": {"type": "object", "properties": {}}},
]
MESSAGES = [{"role": "user", "content": "What is the weather in Lisbon?"}]


def test_when_openai_offers_a_forbidden_tool_then_the_call_is_refused_before_sending(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(REFUSE)
    with pytest.raises(aigov.PolicyViolation) as refused:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, tools=OPENAI_TOOLS)
    assert refused.value.rule == "tools.deny" and "run_shell" in refused.value.reason
    assert "on_forbidden_definition: strip" in refused.value.hint
    assert provider.received == []


def test_when_the_policy_strips_then_openai_sends_the_other_tools(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(STRIP)
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, tools=OPENAI_TOOLS)
    sent = json.loads(provider.received[0].body)
    assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather"]
    (call,) = governed.records("ai.call")
    assert "tools.strip" in call["rules"] and call["tools_stripped"] == ["run_shell"]
    assert call["tools"] == ["get_weather"]


def test_when_the_policy_strips_the_only_tool_then_anthropic_sends_no_tools(governed, provider):
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed(STRIP)
    client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=50,
        messages=MESSAGES,
        tools=ANTHROPIC_TOOLS[1:],
        tool_choice={"type": "auto"},
    )
    sent = json.loads(provider.received[0].body)
    assert "tools" not in sent and "tool_choice" not in sent


def test_when_bedrock_offers_a_forbidden_tool_then_it_is_stripped_before_signing(governed, provider, bedrock):
    governed(STRIP)
    config = {
        "tools": [
            {"toolSpec": {"name": n, "inputSchema": {"json": {"type": "object"}}}} for n in ("get_weather", "run_shell")
        ]
    }
    bedrock.converse(
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        messages=[{"role": "user", "content": [{"text": "weather?"}]}],
        toolConfig=config,
    )
    sent = json.loads(provider.received[0].body)
    assert [t["toolSpec"]["name"] for t in sent["toolConfig"]["tools"]] == ["get_weather"]
