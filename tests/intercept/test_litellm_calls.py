"""litellm against the stand-in provider, governed: it maps any exception to its own and retries, yet a refused
call reaches the caller as aigov.PolicyViolation, once, with one evidence record and nothing sent."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # else importing litellm fetches prices from the web

import litellm

import aigov
from jupyter_aigov.testing import Reply, ToolCall

POLICY = """
version: 1
models:
  allow: ["gpt-4o-mini", "claude-*"]
tools:
  deny: ["run_shell"]
  on_forbidden_definition: strip
"""
USER = [{"role": "user", "content": "hello"}]
SHELL = ToolCall("run_shell", {"command": "rm -rf /srv/canary-7f3a"})
TOOLS = [{"type": "function", "function": {"name": "run_shell", "parameters": {"type": "object", "properties": {}}}}]


def _base(provider, model: str) -> str:
    return provider.openai_base_url if model.startswith("openai/") else provider.anthropic_base_url


def test_when_litellm_completion_is_allowed_then_it_is_sent_and_recorded(governed, provider):
    governed(POLICY)
    reply = litellm.completion(
        model="openai/gpt-4o-mini", api_base=provider.openai_base_url, api_key="x", messages=USER
    )
    assert "hello" in reply.choices[0].message.content
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["model"]) == ("allow", "gpt-4o-mini")


@pytest.mark.parametrize("model", ["openai/gpt-4o", "anthropic/gpt-4o"])
def test_when_litellm_model_is_refused_then_policy_violation_once_not_its_own_error(governed, provider, model):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        litellm.completion(model=model, api_base=_base(provider, model), api_key="x", messages=USER, num_retries=2)
    assert not isinstance(refused.value, litellm.exceptions.APIError | litellm.InternalServerError)
    assert refused.value.rule == "models.allow"
    (record,) = governed.records("ai.call")
    assert (record["decision"], record["model"], refused.value.record["seq"]) == ("block", "gpt-4o", record["seq"])
    assert provider.received == []


async def test_when_litellm_acompletion_is_refused_then_policy_violation_once(governed, provider):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation):
        await litellm.acompletion(
            model="openai/gpt-4o", api_base=provider.openai_base_url, api_key="x", messages=USER, num_retries=2
        )
    assert [r["decision"] for r in governed.records("ai.call")] == ["block"]
    assert provider.received == []


def test_when_a_litellm_stream_carries_a_forbidden_tool_call_then_tool_call_blocked(governed, provider):
    governed(POLICY)
    provider.script(Reply(text="Sure.", tool_calls=[SHELL]))
    stream = litellm.completion(
        model="openai/gpt-4o-mini", api_base=provider.openai_base_url, api_key="x", messages=USER, tools=TOOLS,
        stream=True,
    )  # fmt: skip
    text = []
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        for chunk in stream:
            assert not chunk.choices[0].delta.tool_calls
            text.append(chunk.choices[0].delta.content or "")
    assert "".join(text) == "Sure."
    assert refused.value.rule == "tools.deny"
    blocked = [r for r in governed.records("tool.call") if r["decision"] == "block"]
    assert [r["tool"] for r in blocked] == ["run_shell"]
    assert len(provider.received) == 1
