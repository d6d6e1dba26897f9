"""Tool calls read from whole answers of every wire format."""

from __future__ import annotations

import json

import pytest

from jupyter_aigov.tools.calls import RequestedToolCall, calls_in_answer

EXPECTED = [RequestedToolCall("get_weather", {"city": "Paris"})]
NAME, ARGS = "get_weather", {"city": "Paris"}
OPENAI_CHAT = {"choices": [{"message": {"tool_calls": [{"function": {"name": NAME, "arguments": json.dumps(ARGS)}}]}}]}
RESPONSES = {"output": [{"type": "function_call", "name": NAME, "arguments": json.dumps(ARGS)}]}
ANTHROPIC = {"content": [{"type": "text", "text": "x"}, {"type": "tool_use", "name": NAME, "input": ARGS}]}
GEMINI = {"candidates": [{"content": {"parts": [{"functionCall": {"name": NAME, "args": ARGS}}]}}]}
CONVERSE = {"output": {"message": {"content": [{"toolUse": {"name": NAME, "input": ARGS}}]}}}
OLLAMA = {"message": {"tool_calls": [{"function": {"name": NAME, "arguments": ARGS}}]}}


@pytest.mark.parametrize(
    ("api", "operation", "answer"),
    [
        ("openai", "chat.completions", OPENAI_CHAT),
        ("openai", "responses", RESPONSES),
        ("anthropic", "messages", ANTHROPIC),
        ("gemini", "generateContent", GEMINI),
        ("bedrock", "converse", CONVERSE),
        ("bedrock", "invoke", ANTHROPIC),
        ("ollama", "chat", OLLAMA),
    ],
)
def test_each_wire_format(api, operation, answer):
    assert calls_in_answer(api, operation, answer) == EXPECTED


def test_gemini_json_stream_is_a_list_of_answers():
    part = {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}
    answer = [
        {"candidates": [{"content": {"parts": [{"text": "hi"}]}}]},
        {"candidates": [{"content": {"parts": [part]}}]},
    ]
    assert calls_in_answer("gemini", "streamGenerateContent", answer) == EXPECTED


def test_arguments_that_are_not_json_are_kept_as_text_and_marked_unreadable():
    answer = {"choices": [{"message": {"tool_calls": [{"function": {"name": "f", "arguments": "{oops"}}]}}]}
    assert calls_in_answer("openai", "chat.completions", answer) == [RequestedToolCall("f", "{oops", readable=False)]


def test_a_custom_tool_call_is_checked_as_its_input():
    answer = {"output": [{"type": "custom_tool_call", "name": "shell", "input": "ls -la"}]}
    assert calls_in_answer("openai", "responses", answer) == [RequestedToolCall("shell", {"input": "ls -la"})]


def test_answers_without_tool_calls_and_junk_give_none():
    assert calls_in_answer("openai", "chat.completions", {"choices": [{"message": {"content": "hi"}}]}) == []
    assert calls_in_answer("anthropic", "messages", "not a dict") == []
    assert calls_in_answer("gemini", "generateContent", {"candidates": [None, {"content": "x"}]}) == []
