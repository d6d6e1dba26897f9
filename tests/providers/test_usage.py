"""Each wire format reads the token counts a provider reports, in a body, in stream events or in headers."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_aigov.providers import Usage, wire_format


@pytest.mark.parametrize(
    ("api", "operation", "body", "usage"),
    [
        (
            "openai",
            "chat.completions",
            {"usage": {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14}},
            Usage(10, 4),
        ),
        (
            "openai",
            "responses",
            {"usage": {"input_tokens": 7, "output_tokens": 2, "total_tokens": 9}},
            Usage(7, 2),
        ),
        ("openai", "embeddings", {"usage": {"prompt_tokens": 8, "total_tokens": 8}}, Usage(8, None)),
        ("openai", "chat.completions", {"usage": None}, Usage()),
        ("openai", "chat.completions", ["not", "a", "dict"], Usage()),
        ("anthropic", "messages", {"usage": {"input_tokens": 5, "output_tokens": 6}}, Usage(5, 6)),
        (
            "anthropic",
            "messages",
            {
                "usage": {
                    "input_tokens": 5,
                    "cache_creation_input_tokens": 100,
                    "cache_read_input_tokens": 20,
                    "output_tokens": 6,
                }
            },
            Usage(125, 6),
        ),
        ("anthropic", "messages.count_tokens", {"input_tokens": 12}, Usage()),
        (
            "gemini",
            "generateContent",
            {"usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4}},
            Usage(3, 4),
        ),
        (
            "gemini",
            "generateContent",
            {"usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4, "thoughtsTokenCount": 10}},
            Usage(3, 14),
        ),
        ("gemini", "countTokens", {"totalTokens": 31}, Usage()),
        (
            "bedrock",
            "converse",
            {"usage": {"inputTokens": 9, "outputTokens": 1, "totalTokens": 10}},
            Usage(9, 1),
        ),
        (
            "bedrock",
            "invoke",
            {"type": "message", "usage": {"input_tokens": 4, "output_tokens": 2}},
            Usage(4, 2),
        ),
        (
            "bedrock",
            "invoke",
            {"generation": "x", "prompt_token_count": 6, "generation_token_count": 3},
            Usage(6, 3),
        ),
        (
            "bedrock",
            "invoke",
            {"inputTextTokenCount": 5, "results": [{"tokenCount": 8, "outputText": "x"}]},
            Usage(5, 8),
        ),
        (
            "bedrock",
            "invoke",
            {"choices": [], "usage": {"prompt_tokens": 2, "completion_tokens": 1}},
            Usage(2, 1),
        ),
        ("ollama", "chat", {"done": True, "prompt_eval_count": 26, "eval_count": 290}, Usage(26, 290)),
        ("ollama", "embed", {"embeddings": [[0.1]], "prompt_eval_count": 8}, Usage(8, None)),
    ],
)
def test_when_a_response_body_reports_usage_then_it_is_read(api: str, operation: str, body: Any, usage: Usage) -> None:
    assert wire_format(api).usage_from_json(operation, body) == usage


@pytest.mark.parametrize(
    ("api", "operation", "events", "usage"),
    [
        (
            "anthropic",
            "messages",
            [
                {"type": "message_start", "message": {"usage": {"input_tokens": 10, "output_tokens": 1}}},
                {"type": "message_delta", "usage": {"output_tokens": 5}},
                {"type": "message_delta", "usage": {"output_tokens": 9}},
            ],
            Usage(10, 9),
        ),
        (
            "anthropic",
            "messages",
            [
                {"type": "message_start", "message": {"usage": {"input_tokens": 10, "output_tokens": 1}}},
                {"type": "message_delta", "usage": {"input_tokens": 12, "output_tokens": 9}},
            ],
            Usage(12, 9),
        ),
        ("openai", "chat.completions", [{"choices": [], "usage": None}, {"choices": []}], Usage()),
        (
            "gemini",
            "streamGenerateContent",
            [
                {"usageMetadata": {"promptTokenCount": 3}},
                {"candidates": []},
                {"usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 8}},
            ],
            Usage(3, 8),
        ),
        (
            "ollama",
            "generate",
            [{"done": False, "eval_count": 99}, {"done": True, "eval_count": 4}],
            Usage(None, 4),
        ),
        (
            "bedrock",
            "converse-stream",
            [{"metadata": {"usage": {"inputTokens": 2, "outputTokens": 3}}}],
            Usage(2, 3),
        ),
        ("bedrock", "invoke-with-response-stream", [{"bytes": "not base64!"}], Usage()),
    ],
)
def test_when_stream_events_are_folded_then_the_last_cumulative_counts_win(
    api: str, operation: str, events: list[Any], usage: Usage
) -> None:
    folded = Usage()
    for event in events:
        folded = wire_format(api).usage_from_event(operation, event, folded)
    assert folded == usage


@pytest.mark.parametrize(
    ("api", "headers", "usage"),
    [
        (
            "bedrock",
            {"X-Amzn-Bedrock-Input-Token-Count": "11", "X-Amzn-Bedrock-Output-Token-Count": "2"},
            Usage(11, 2),
        ),
        ("bedrock", {"x-amzn-bedrock-input-token-count": "lots"}, Usage()),
        ("openai", {"x-ratelimit-remaining-tokens": "100"}, Usage()),
    ],
)
def test_when_usage_is_in_response_headers_then_it_is_read(api: str, headers: dict[str, str], usage: Usage) -> None:
    assert wire_format(api).usage_from_headers("invoke", headers) == usage
