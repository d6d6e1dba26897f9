"""The catalogue's websocket endpoints (Realtime, Live) and the Realtime and Live wire formats."""

from __future__ import annotations

import pytest

from jupyter_aigov.providers import gemini_live, get_catalogue, openai_realtime
from jupyter_aigov.providers.base import Usage

LIVE_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


@pytest.mark.parametrize(
    ("url", "provider", "api", "operation", "model"),
    [
        (
            "wss://api.openai.com/v1/realtime?model=gpt-realtime",
            "openai",
            "openai-realtime",
            "realtime",
            "gpt-realtime",
        ),
        (
            "ws://127.0.0.1:8765/v1/realtime?model=gpt-4o-realtime-preview",
            "openai-realtime-compatible",
            "openai-realtime",
            "realtime",
            "gpt-4o-realtime-preview",
        ),
        (
            "wss://acme.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt",
            "azure-openai",
            "openai-realtime",
            "realtime",
            "rt",
        ),
        ("wss://api.openai.com/v1/realtime?call_id=c1", "openai", "openai-realtime", "realtime", None),
        (f"wss://generativelanguage.googleapis.com{LIVE_PATH}?key=k", "gemini", "gemini-live", "live", None),
        (
            "wss://us-central1-aiplatform.googleapis.com/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent",
            "vertex-ai",
            "gemini-live",
            "live",
            None,
        ),
        ("wss://api.openai.com/v1/responses", "openai", "openai", "websocket", None),  # not read: refused
        ("wss://api.openai.com/v1/other", "openai", "openai", "websocket", None),  # an AI host: refused
        ("ws://127.0.0.1:8765/v1/responses", "openai-compatible", "openai", "websocket", None),
    ],
)
def test_when_a_websocket_goes_to_an_ai_endpoint_then_it_is_recognised(url, provider, api, operation, model):
    catalogue = get_catalogue()
    call = catalogue.recognise("GET", url)
    assert call is not None and catalogue.might_be_ai("GET", url)
    assert (call.provider, call.api, call.operation, call.model) == (provider, api, operation, model)


@pytest.mark.parametrize(
    "url",
    ["wss://echo.example.com/ws", "ws://127.0.0.1:9000/socket.io/?EIO=4", "ws://localhost:8888/api/kernels/k/channels"],
)
def test_when_a_websocket_is_no_ai_endpoint_then_it_is_not_recognised(url):
    assert get_catalogue().recognise("GET", url) is None
    assert not get_catalogue().might_be_ai("GET", url)


def test_when_a_policy_declares_a_provider_then_its_realtime_websocket_is_named_after_it():
    extra = [("internal", "https://llm.internal.example/v1", "openai")]
    call = get_catalogue().recognise("GET", "wss://llm.internal.example/v1/realtime?model=m", extra_providers=extra)
    assert call is not None and (call.provider, call.api, call.model) == ("internal", "openai-realtime", "m")


def test_realtime_client_events_give_their_text_tools_and_model():
    tool = {"type": "function", "name": "get_weather", "description": "Weather in a city", "parameters": {}}
    update = {
        "type": "session.update",
        "event_id": "e1",
        "session": {"type": "realtime", "model": "gpt-realtime", "instructions": "Be brief.", "tools": [tool]},
    }
    model, stream, parts, tools = openai_realtime.parse_request("session.update", {}, update)
    assert (model, stream, tools) == ("gpt-realtime", True, ["get_weather"])
    assert [(p.path, p.text) for p in parts] == [
        (("session", "instructions"), "Be brief."),
        (("session", "tools", 0, "description"), "Weather in a city"),
    ]
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    _, _, parts, _ = openai_realtime.parse_request("conversation.item.create", {}, {"type": "x", "item": item})
    assert [(p.path, p.text, p.role) for p in parts] == [(("item", "content", 0, "text"), "hi", "user")]
    audio = {"type": "input_audio_buffer.append", "audio": "UklGRiQAAABXQVZF"}
    assert openai_realtime.text_parts("input_audio_buffer.append", audio) == []  # a payload, not text


def test_realtime_usage_adds_up_over_the_responses_of_a_session():
    done = {"type": "response.done", "response": {"usage": {"input_tokens": 3, "output_tokens": 2}}}
    usage = openai_realtime.usage_from_event("realtime", done, Usage())
    usage = openai_realtime.usage_from_event("realtime", {"type": "response.output_text.delta"}, usage)
    assert openai_realtime.usage_from_event("realtime", done, usage) == Usage(6, 4)


def test_live_setup_gives_its_model_text_and_tools():
    setup = {
        "setup": {
            "model": "models/gemini-live-2.5-flash",
            "systemInstruction": {"parts": [{"text": "Be brief."}]},
            "tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Weather"}]}],
        }
    }
    model, _, parts, tools = gemini_live.parse_request("setup", {}, setup)
    assert (model, tools) == ("gemini-live-2.5-flash", ["get_weather"])
    assert sorted(p.text for p in parts) == ["Be brief.", "Weather"]
    media = {"realtimeInput": {"mediaChunks": [{"mimeType": "audio/pcm", "data": "AAAA"}]}}
    assert gemini_live.text_parts("realtimeInput", media) == []
