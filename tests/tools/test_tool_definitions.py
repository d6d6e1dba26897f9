"""Forbidden tools taken out of a request, in each wire format's own place for them."""

from __future__ import annotations

import pytest

from jupyter_aigov.tools import strip_tools


def _fn(name):
    return {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}


@pytest.mark.parametrize(
    ("api", "body", "kept"),
    [
        (
            "openai",
            {"tools": [_fn("get_weather"), _fn("run_shell")], "tool_choice": "auto"},
            {"tools": [_fn("get_weather")], "tool_choice": "auto"},
        ),
        ("openai", {"tools": [{"type": "function", "name": "run_shell"}], "tool_choice": "required"}, {}),
        (
            "anthropic",
            {"tools": [{"name": "run_shell"}, {"name": "get_weather"}]},
            {"tools": [{"name": "get_weather"}]},
        ),
        (
            "gemini",
            {"tools": [{"functionDeclarations": [{"name": "run_shell"}, {"name": "get_weather"}]}]},
            {"tools": [{"functionDeclarations": [{"name": "get_weather"}]}]},
        ),
        ("gemini", {"tools": [{"functionDeclarations": [{"name": "run_shell"}]}], "toolConfig": {}}, {}),
        ("bedrock", {"toolConfig": {"tools": [{"toolSpec": {"name": "run_shell"}}]}}, {}),
        (
            "bedrock",
            {"toolConfig": {"tools": [{"toolSpec": {"name": "run_shell"}}, {"toolSpec": {"name": "x"}}]}},
            {"toolConfig": {"tools": [{"toolSpec": {"name": "x"}}]}},
        ),
    ],
)
def test_when_a_forbidden_tool_is_stripped_then_the_rest_of_the_request_is_intact(api, body, kept):
    removed = strip_tools(api, body, {"run_shell"})
    assert removed == ["run_shell"]
    assert body == kept
