"""The standard library's http.client, and urllib.request on it, governed: decided before a byte leaves, read
through the tap, and decided once when urllib3 (which sits on it) already has the call."""

from __future__ import annotations

import http.client
import json
import urllib.request
from urllib.parse import urlsplit

import pytest
import requests
import urllib3

import aigov
from jupyter_aigov.testing import Reply, ToolCall

POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\n"
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello stdlib"}]}
DENIED = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello stdlib"}]}
STREAMED = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}


def _urlopen(url: str, body: dict) -> bytes:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return reply.read()


def _connection(provider) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(urlsplit(provider.url).netloc, timeout=10)


def _path(provider) -> str:
    return urlsplit(provider.openai_base_url).path + "/chat/completions"


def assert_refused_once(governed, provider, refused) -> None:
    assert refused.value.rule == "models.allow"
    assert provider.received == []  # not one byte
    (call,) = governed.records("ai.call")
    assert (call["library"], call["decision"], call["model"]) == ("http.client", "block", "gpt-4o")
    assert refused.value.record["seq"] == call["seq"]


def test_when_urlopen_asks_a_denied_model_then_it_is_refused_once_with_one_record(governed, provider):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        _urlopen(provider.openai_base_url + "/chat/completions", DENIED)
    assert_refused_once(governed, provider, refused)


def test_when_urlopen_asks_an_allowed_model_then_it_is_answered_and_its_usage_recorded(governed, provider):
    governed(POLICY)
    answer = json.loads(_urlopen(provider.openai_base_url + "/chat/completions", CHAT))
    (call,) = governed.records("ai.call")
    (response,) = governed.records("ai.response")
    assert (call["library"], call["decision"]) == ("http.client", "allow")
    assert response["usage"]["input_tokens"] == answer["usage"]["prompt_tokens"]
    assert response["error"] is None


def test_when_urlopen_streams_then_lines_arrive_and_usage_is_read_as_the_caller_reads(governed, provider):
    governed(POLICY)
    request = urllib.request.Request(provider.openai_base_url + "/chat/completions", data=json.dumps(STREAMED).encode())
    with urllib.request.urlopen(request, timeout=10) as reply:
        events = [json.loads(line[len(b"data: ") :]) for line in reply if line.startswith(b"data: {")]
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events if e["choices"])
    assert text
    (response,) = governed.records("ai.response")
    assert response["usage"]["output_tokens"] == events[-1]["usage"]["completion_tokens"]


def test_when_the_request_is_sent_step_by_step_then_it_is_held_until_its_body_is_known(governed, provider):
    governed(POLICY)
    body = json.dumps(DENIED).encode()
    connection = _connection(provider)
    connection.putrequest("POST", _path(provider))
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders()
    connection.send(body[:10])
    with pytest.raises(aigov.PolicyViolation) as refused:
        connection.send(body[10:])
    assert_refused_once(governed, provider, refused)
    allowed = json.dumps(CHAT).encode()
    connection.putrequest("POST", _path(provider))
    connection.putheader("Content-Length", str(len(allowed)))
    connection.endheaders()
    connection.send(allowed)
    reply = connection.getresponse()
    assert reply.status == 200 and json.loads(reply.read())["choices"]
    assert [c["decision"] for c in governed.records("ai.call")] == ["block", "allow"]
    assert len(governed.records("ai.response")) == 1


def test_when_a_stream_is_read_in_small_pieces_then_every_byte_arrives_once(governed, provider):
    governed(POLICY)
    connection = _connection(provider)
    connection.request("POST", _path(provider), body=json.dumps(STREAMED))
    reply = connection.getresponse()
    pieces = []
    while piece := reply.read(7):
        pieces.append(piece)
    events = [json.loads(line[6:]) for line in b"".join(pieces).decode().splitlines() if line.startswith("data: {")]
    assert b"".join(pieces).decode().rstrip().endswith("data: [DONE]")
    (response,) = governed.records("ai.response")
    assert response["usage"]["output_tokens"] == events[-1]["usage"]["completion_tokens"]
    assert reply.isclosed() and response["error"] is None


def test_when_an_answer_asks_for_a_forbidden_tool_then_the_caller_never_reads_it(governed, provider):
    governed("version: 1\ntools:\n  allow: ['get_weather']\n  deny: ['run_shell']\n")
    provider.script(Reply(text="Sure.", tool_calls=[ToolCall("run_shell", {"command": "rm -rf /canary"})]))
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    with pytest.raises(aigov.ToolCallBlocked):
        _urlopen(provider.openai_base_url + "/chat/completions", {**STREAMED, "tools": tools})
    (blocked,) = [r for r in governed.records() if r["event"] == "tool.call"]
    assert blocked["decision"] == "block"


def test_when_placeholders_come_back_then_the_caller_reads_the_values(governed, provider):
    governed("version: 1\nredaction:\n  entities: {PERSON: redact, EMAIL_ADDRESS: redact}\n  deadline_ms: 30000\n")
    prompt = "Frank Holt (frank.holt@example.com) asked about the churn score."
    answer = json.loads(
        _urlopen(
            provider.openai_base_url + "/chat/completions",
            {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]},
        )
    )
    assert b"Frank Holt" not in provider.received[0].body  # what left had placeholders
    assert "Frank Holt (frank.holt@example.com)" in answer["choices"][0]["message"]["content"]


def test_when_urllib3_or_requests_send_then_the_call_is_decided_once(governed, provider):
    governed(POLICY)
    url = provider.openai_base_url + "/chat/completions"
    with pytest.raises(aigov.PolicyViolation):
        urllib3.PoolManager().request("POST", url, body=json.dumps(DENIED).encode())
    requests.post(url, json=CHAT, timeout=10)
    calls = governed.records("ai.call")
    assert [(c["library"], c["decision"]) for c in calls] == [("urllib3", "block"), ("requests", "allow")]
    assert len(governed.records("ai.response")) == 1


def test_when_traffic_is_not_an_ai_call_then_it_passes_untouched(governed, provider):
    governed(POLICY)
    with urllib.request.urlopen(provider.url + "/v1/models", timeout=10) as reply:
        assert reply.status == 200
    connection = _connection(provider)
    connection.request("POST", "/upload", body=b"\x00binary")
    connection.getresponse().read()
    assert governed.records("ai.call", "ai.response") == []
    assert [r.path for r in provider.received] == ["/v1/models", "/upload"]
