"""Ollama's API over plain HTTP clients (there is no Ollama SDK here): NDJSON streams and single JSON."""

from __future__ import annotations

import json

import httpx
import pytest
import requests

from jupyter_aigov.testing import Reply, StandInProvider, ToolCall

CHAT = {"model": "llama3.2", "messages": [{"role": "user", "content": "Why is the sky blue?"}]}


def test_when_chat_is_not_told_otherwise_then_it_streams_ndjson_ending_with_counts(
    provider: StandInProvider,
) -> None:
    with httpx.stream("POST", f"{provider.ollama_base_url}/api/chat", json=CHAT) as response:
        lines = [json.loads(line) for line in response.iter_lines() if line]

    assert response.headers["content-type"] == "application/x-ndjson"
    assert all(not line["done"] for line in lines[:-1]) and lines[-1]["done"]
    text = "".join(line["message"]["content"] for line in lines)
    assert text == "Hello from the stand-in Ollama provider. You said: Why is the sky blue?"
    assert lines[-1]["prompt_eval_count"] > 0 and lines[-1]["eval_count"] > 0


def test_when_chat_stream_is_false_then_one_json_object_answers(provider: StandInProvider) -> None:
    body = requests.post(f"{provider.ollama_base_url}/api/chat", json={**CHAT, "stream": False}, timeout=5).json()

    assert body["done"] and body["done_reason"] == "stop"
    assert body["message"]["content"].endswith("You said: Why is the sky blue?")
    assert body["prompt_eval_count"] > 0 and body["eval_count"] > 0


@pytest.mark.parametrize("stream", [True, False])
def test_when_generate_is_called_then_the_prompt_is_echoed(provider: StandInProvider, stream: bool) -> None:
    answer = httpx.post(
        f"{provider.ollama_base_url}/api/generate",
        json={"model": "llama3.2", "prompt": "Tell me", "stream": stream},
    )

    lines = [json.loads(line) for line in answer.text.splitlines()]
    assert "".join(line["response"] for line in lines).endswith("You said: Tell me")
    assert lines[-1]["done"] and lines[-1]["eval_count"] > 0


@pytest.mark.parametrize("stream", [True, False])
def test_when_a_tool_call_is_scripted_then_chat_returns_it_whole(provider: StandInProvider, stream: bool) -> None:
    provider.script(Reply(tool_calls=[ToolCall("get_weather", {"city": "Paris"})]))

    answer = httpx.post(f"{provider.ollama_base_url}/api/chat", json={**CHAT, "stream": stream})

    lines = [json.loads(line) for line in answer.text.splitlines()]
    calls = [c for line in lines for c in line["message"].get("tool_calls", [])]
    assert [c["function"]["name"] for c in calls] == ["get_weather"]
    assert calls[0]["function"]["arguments"] == {"city": "Paris"}


def test_when_embed_is_called_then_one_vector_per_input_comes_back(provider: StandInProvider) -> None:
    body = httpx.post(f"{provider.ollama_base_url}/api/embed", json={"model": "all-minilm", "input": ["a", "b"]}).json()

    assert len(body["embeddings"]) == 2 and body["prompt_eval_count"] > 0


def test_when_an_error_is_scripted_then_ollama_s_error_shape_answers(provider: StandInProvider) -> None:
    provider.script(Reply(status=404, error_message="model 'llama9' not found"))

    answer = httpx.post(f"{provider.ollama_base_url}/api/chat", json=CHAT)

    assert answer.status_code == 404 and answer.json() == {"error": "model 'llama9' not found"}
