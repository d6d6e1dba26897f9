"""Each wire format finds every string to analyse (with its path), the model, the stream flag and the tools."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_aigov.providers import value_at, wire_format

# (api, operation, path params, body, expected model, stream, [(path, text)], tools)
CASES: list[tuple[str, str, dict[str, str], Any, str | None, bool, list[tuple[tuple[Any, ...], str]], list[str]]] = [
    (
        "openai",
        "chat.completions",
        {},
        {
            "model": "m",
            "stream": True,
            "messages": [
                {
                    "role": "developer",
                    "content": [
                        {"type": "text", "text": "dev"},
                        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}},
                    ],
                },
                {
                    "role": "assistant",
                    "content": None,
                    "function_call": {"name": "f", "arguments": '{"a": 1}'},
                },
                {"role": "function", "name": "f", "content": "result"},
            ],
            "functions": [{"name": "f"}],
        },
        "m",
        True,
        [
            (("messages", 0, "content", 0, "text"), "dev"),
            (("messages", 0, "content", 1, "image_url", "url"), "https://example.com/a.png"),  # a web address
            (("messages", 1, "function_call", "arguments"), '{"a": 1}'),
            (("messages", 2, "name"), "f"),
            (("messages", 2, "content"), "result"),
        ],
        ["f"],
    ),
    (
        "openai",
        "responses",
        {},
        {
            "model": "m",
            "input": "just a string",
            "tools": [{"type": "code_interpreter", "container": {"type": "auto"}}],
        },
        "m",
        False,
        [(("input",), "just a string")],
        ["code_interpreter"],
    ),
    (
        "openai",
        "responses",
        {},
        {
            "model": "m",
            "input": [
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "earlier answer"}],
                },
                {
                    "type": "function_call_output",
                    "call_id": "c",
                    "output": [{"type": "input_text", "text": "tool text"}],
                },
                {"type": "custom_tool_call", "call_id": "d", "name": "sql", "input": "SELECT 1"},
            ],
        },
        "m",
        False,
        [
            (("input", 0, "content", 0, "text"), "earlier answer"),
            (("input", 1, "output", 0, "text"), "tool text"),
            (("input", 2, "input"), "SELECT 1"),
        ],
        [],
    ),
    (
        "openai",
        "completions",
        {},
        {"model": "m", "prompt": ["a", "b"], "suffix": "end"},
        "m",
        False,
        [(("prompt", 0), "a"), (("prompt", 1), "b"), (("suffix",), "end")],
        [],
    ),
    ("openai", "completions", {}, {"model": "m", "prompt": [1, 2, 3]}, "m", False, [], []),
    (
        "openai",
        "moderations",
        {},
        {"input": [{"type": "text", "text": "is this ok"}, {"type": "image_url", "image_url": {"url": "u"}}]},
        None,
        False,
        [(("input", 0, "text"), "is this ok"), (("input", 1, "image_url", "url"), "u")],
        [],
    ),
    ("openai", "chat.completions", {"model": "azure-dep"}, {"messages": []}, "azure-dep", False, [], []),
    (
        "anthropic",
        "messages",
        {},
        {
            "model": "c",
            "system": "sys",
            "stream": True,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "t", "content": "plain result"},
                        {
                            "type": "document",
                            "source": {"type": "text", "media_type": "text/plain", "data": "doc body"},
                        },
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
                        },
                    ],
                },
                {"role": "assistant", "content": [{"type": "thinking", "thinking": "hmm", "signature": "s"}]},
            ],
            "tools": [{"type": "web_search_20250305", "name": "web_search"}],
        },
        "c",
        True,
        [
            (("system",), "sys"),
            (("messages", 0, "content", 0, "content"), "plain result"),
            (("messages", 0, "content", 1, "source", "data"), "doc body"),
            (("messages", 1, "content", 0, "thinking"), "hmm"),
        ],
        ["web_search"],
    ),
    (
        "gemini",
        "countTokens",
        {"model": "g"},
        {
            "generateContentRequest": {
                "model": "models/g",
                "contents": [{"parts": [{"text": "count this"}]}],
                "system_instruction": {"parts": [{"text": "sys"}]},
            }
        },
        "g",
        False,
        [
            (("generateContentRequest", "contents", 0, "parts", 0, "text"), "count this"),
            (("generateContentRequest", "system_instruction", "parts", 0, "text"), "sys"),
        ],
        [],
    ),
    (
        "gemini",
        "embedContent",
        {"model": "e"},
        {"content": {"parts": [{"text": "embed me"}]}, "taskType": "RETRIEVAL_DOCUMENT"},
        "e",
        False,
        [(("content", "parts", 0, "text"), "embed me")],
        [],
    ),
    (
        "gemini",
        "streamGenerateContent",
        {"model": "g"},
        {
            "contents": [{"role": "model", "parts": [{"text": "thinking...", "thought": True}, {"text": "answer"}]}],
            "tools": [{"googleSearch": {}}, {"functionDeclarations": [{"name": "a"}, {"name": "b"}]}],
        },
        "g",
        True,
        [(("contents", 0, "parts", 0, "text"), "thinking..."), (("contents", 0, "parts", 1, "text"), "answer")],
        ["googleSearch", "a", "b"],
    ),
    (
        "bedrock",
        "invoke",
        {"model": "meta.llama3"},
        {"prompt": "<|begin_of_text|>hello", "max_gen_len": 10},
        "meta.llama3",
        False,
        [(("prompt",), "<|begin_of_text|>hello")],
        [],
    ),
    (
        "bedrock",
        "invoke-with-response-stream",
        {"model": "amazon.nova-lite-v1:0"},
        {
            "schemaVersion": "messages-v1",
            "system": [{"text": "nova sys"}],
            "messages": [{"role": "user", "content": [{"text": "nova hi"}]}],
        },
        "amazon.nova-lite-v1:0",
        True,
        [(("system", 0, "text"), "nova sys"), (("messages", 0, "content", 0, "text"), "nova hi")],
        [],
    ),
    (
        "bedrock",
        "invoke",
        {"model": "cohere.embed-english-v3"},
        {"texts": ["one", "two"], "input_type": "search_document"},
        "cohere.embed-english-v3",
        False,
        [(("texts", 0), "one"), (("texts", 1), "two")],
        [],
    ),
    (
        "bedrock",
        "invoke",
        {"model": "anthropic.claude"},
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 5,
            "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"name": "t", "input_schema": {}}],
        },
        "anthropic.claude",
        False,
        [(("messages", 0, "content"), "hi")],
        ["t"],
    ),
    (
        "ollama",
        "chat",
        {},
        {
            "model": "llama3.2",
            "messages": [
                {"role": "system", "content": "s"},
                {"role": "user", "content": "u"},
                {
                    "role": "assistant",
                    "content": "",
                    "tool_calls": [{"function": {"name": "w", "arguments": {"c": "x"}}}],
                },
                {"role": "tool", "content": "sunny"},
            ],
            "tools": [{"type": "function", "function": {"name": "w"}}],
        },
        "llama3.2",
        True,
        [
            (("messages", 0, "content"), "s"),
            (("messages", 1, "content"), "u"),
            (("messages", 2, "tool_calls", 0, "function", "arguments", "c"), "x"),
            (("messages", 3, "content"), "sunny"),
        ],
        ["w"],
    ),
    (
        "ollama",
        "generate",
        {},
        {"model": "m", "system": "sys", "prompt": "p", "stream": False},
        "m",
        False,
        [(("system",), "sys"), (("prompt",), "p")],
        [],
    ),
    (
        "ollama",
        "embed",
        {},
        {"model": "m", "input": ["a", "b"]},
        "m",
        False,
        [(("input", 0), "a"), (("input", 1), "b")],
        [],
    ),
    ("ollama", "chat", {}, None, None, True, [], []),
]


@pytest.mark.parametrize(
    ("api", "operation", "params", "body", "model", "stream", "texts", "tools"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_when_a_body_is_parsed_then_model_stream_texts_and_tools_are_read(
    api: str,
    operation: str,
    params: dict[str, str],
    body: Any,
    model: str | None,
    stream: bool,
    texts: list[tuple[tuple[Any, ...], str]],
    tools: list[str],
) -> None:
    got_model, got_stream, parts, got_tools = wire_format(api).parse_request(operation, params, body)
    assert (got_model, got_stream, got_tools) == (model, stream, tools)
    assert [(p.path, p.text) for p in parts] == texts
    for part in parts:
        assert value_at(body, part.path) == part.text


@pytest.mark.parametrize(
    ("api", "operation", "body", "texts"),
    [
        (
            "gemini",
            "generateContent",
            {
                "contents": [
                    {
                        "parts": [
                            {
                                "functionResponse": {
                                    "name": "f",
                                    "response": {"rows": [{"name": "Ann", "age": 3}]},
                                }
                            }
                        ]
                    }
                ]
            },
            [(("contents", 0, "parts", 0, "functionResponse", "response", "rows", 0, "name"), "Ann")],
        ),
        (
            "anthropic",
            "messages",
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "tool_result", "tool_use_id": "t", "content": {"note": "x"}}],
                    }
                ]
            },
            [(("messages", 0, "content", 0, "content", "note"), "x")],
        ),
        (
            "openai",
            "responses",
            {"input": [{"type": "function_call_output", "call_id": "c", "output": '{"email": "a@b.c"}'}]},
            [(("input", 0, "output"), '{"email": "a@b.c"}')],
        ),
    ],
)
def test_when_a_tool_result_is_sent_back_then_each_of_its_strings_is_a_text_part(
    api: str, operation: str, body: Any, texts: list[tuple[tuple[Any, ...], str]]
) -> None:
    _, _, parts, _ = wire_format(api).parse_request(operation, {}, body)
    assert [(p.path, p.text) for p in parts] == texts
