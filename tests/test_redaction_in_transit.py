"""Redaction in transit with the real SDKs and clients: the provider never sees a protected value."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import aiohttp
import anthropic
import boto3
import httpcore
import httpcore2
import httpx
import httpx2
import openai
import pytest
import requests
import tornado.httpclient
import urllib3

import aigov

PROMPT = "Summarise the complaint from Frank Holt (frank.holt@example.com) about the churn score."
VALUES = ("Frank Holt", "frank.holt@example.com")
SECRET_PROMPT = "Use the key sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd to call the API."
REDACT = """
version: 1
redaction:
  entities: {PERSON: redact, EMAIL_ADDRESS: redact, SECRET: block}
  deadline_ms: 30000
"""


def _sent(provider) -> bytes:
    return b"".join(request.body for request in provider.received)


def _assert_redacted(governed, provider, calls: int = 1) -> None:
    sent = _sent(provider)
    for value in VALUES:
        assert value.encode() not in sent
    assert b"<PERSON_1>" in sent and b"<EMAIL_ADDRESS_1>" in sent
    records = governed.records("ai.call")
    assert [r["decision"] for r in records] == ["redact"] * calls
    assert records[0]["entities"] == {"EMAIL_ADDRESS": 1, "PERSON": 1}
    assert "redaction.redact" in records[0]["rules"]
    log = governed.log_path.read_text()
    assert all(value not in log for value in VALUES)


def test_when_openai_prompt_holds_personal_data_then_the_provider_receives_placeholders(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(REDACT)
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}])
    _assert_redacted(governed, provider)
    assert json.loads(provider.received[0].body)["messages"][0]["content"].startswith(
        "Summarise the complaint from <PERSON_1> (<EMAIL_ADDRESS_1>)"
    )


def test_when_a_chat_resends_its_history_then_the_same_person_keeps_the_same_placeholder(governed, provider):
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed(REDACT)
    history = [{"role": "user", "content": PROMPT}]
    client.messages.create(model="claude-sonnet-4-6", max_tokens=50, messages=history)
    history += [
        {"role": "assistant", "content": "Noted."},
        {"role": "user", "content": "Draft a short reply to Frank Holt."},
    ]
    client.messages.create(model="claude-sonnet-4-6", max_tokens=50, messages=history)
    second = json.loads(provider.received[1].body)["messages"]
    assert second[0]["content"].startswith("Summarise the complaint from <PERSON_1>")
    assert second[2]["content"] == "Draft a short reply to <PERSON_1>."


def test_when_the_prompt_holds_a_secret_then_the_call_is_blocked_and_never_sent(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(REDACT)
    with pytest.raises(aigov.PolicyViolation) as refused:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": SECRET_PROMPT}])
    assert refused.value.rule == "redaction.block"
    assert "SECRET (1)" in refused.value.reason and "sk-proj" not in str(refused.value)
    assert provider.received == []
    (record,) = governed.records("ai.call")
    assert record["entities"] == {"SECRET": 1}
    assert "sk-proj" not in governed.log_path.read_text()


def test_when_detection_cannot_answer_in_time_then_the_call_is_blocked(governed, provider):
    # a 1 ms deadline: the engine for these settings is still loading, so nothing is checked and nothing sent
    governed(REDACT.replace("deadline_ms: 30000", "deadline_ms: 1"))
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(
            provider.openai_base_url + "/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "A brand new text " * 3}]},
        )
    assert refused.value.rule == "redaction.failed"
    assert provider.received == []


@pytest.mark.parametrize(
    "library", ["httpx", "httpx2", "requests", "urllib3", "http.client", "httpcore", "httpcore2", "tornado"]
)
def test_when_raw_clients_send_personal_data_then_the_body_and_its_length_are_rewritten(governed, provider, library):
    governed(REDACT)
    url = provider.openai_base_url + "/chat/completions"
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT}]}
    if library == "http.client":
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            status = reply.status
    elif library in ("httpcore", "httpcore2"):
        with (httpcore if library == "httpcore" else httpcore2).ConnectionPool() as pool:
            status = pool.request("POST", url, content=json.dumps(body).encode()).status
    elif library == "tornado":
        client = tornado.httpclient.HTTPClient()
        try:
            status = client.fetch(url, method="POST", body=json.dumps(body)).code
        finally:
            client.close()
    elif library == "requests":
        reply = requests.post(url, json=body, timeout=10)
        status = reply.status_code
    elif library == "urllib3":
        status = (
            urllib3.PoolManager()
            .request("POST", url, body=json.dumps(body), headers={"Content-Type": "application/json"})
            .status
        )
    else:
        status = {"httpx": httpx, "httpx2": httpx2}[library].post(url, json=body).status_code
    assert status == 200  # the stand-in parsed the rewritten JSON: its length was right
    _assert_redacted(governed, provider)


async def test_when_aiohttp_sends_personal_data_then_the_body_is_rewritten(governed, provider):
    governed(REDACT)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT}]}
    async with (
        aiohttp.ClientSession() as session,
        session.post(provider.openai_base_url + "/chat/completions", json=body) as reply,
    ):
        assert reply.status == 200
    _assert_redacted(governed, provider)
    assert provider.received[0].headers["content-type"].startswith("application/json")


def test_when_bedrock_is_redacted_then_it_happens_before_signing(governed, provider):
    from jupyter_aigov.testing.bedrock_format import sigv4_signature

    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=provider.bedrock_endpoint_url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )
    governed(REDACT)
    client.converse(
        modelId="anthropic.claude-3-haiku-20240307-v1:0", messages=[{"role": "user", "content": [{"text": PROMPT}]}]
    )
    _assert_redacted(governed, provider)
    received = provider.received[0]
    # recompute the signature over what the provider received: it must be the one the request carried
    signature = sigv4_signature(received, provider.bedrock_endpoint_url)
    assert received.headers["authorization"].endswith("Signature=" + signature)


ECHO_PROMPT = "Frank Holt (frank.holt@example.com) asked about the churn score."
RESTORED = "Frank Holt (frank.holt@example.com)"


def _tool_reply():
    from jupyter_aigov.testing import Reply, ToolCall

    return Reply(tool_calls=[ToolCall("send_email", {"to": "<EMAIL_ADDRESS_1>", "name": "<PERSON_1>"})])


def test_when_openai_answers_with_placeholders_then_the_caller_reads_the_values(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(REDACT)
    messages = [{"role": "user", "content": ECHO_PROMPT}]
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert RESTORED in reply.choices[0].message.content
    assert b"<PERSON_1>" in provider.received[0].body  # what left the machine had the placeholder
    provider.script(_tool_reply())
    called = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    arguments = json.loads(called.choices[0].message.tool_calls[0].function.arguments)
    assert arguments == {"to": "frank.holt@example.com", "name": "Frank Holt"}


def test_when_openai_streams_placeholders_then_the_caller_reads_the_values_chunk_by_chunk(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(REDACT)
    messages = [{"role": "user", "content": ECHO_PROMPT}]
    chunks = list(client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert RESTORED in text and "<PERSON_1>" not in text
    provider.script(_tool_reply())
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True)
    pieces = [
        call.function.arguments or ""
        for chunk in stream
        if chunk.choices
        for call in chunk.choices[0].delta.tool_calls or []
    ]
    assert json.loads("".join(pieces)) == {"to": "frank.holt@example.com", "name": "Frank Holt"}


def test_when_anthropic_answers_with_placeholders_then_json_and_stream_are_restored(governed, provider):
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed(REDACT)
    messages = [{"role": "user", "content": ECHO_PROMPT}]
    message = client.messages.create(model="claude-sonnet-4-6", max_tokens=100, messages=messages)
    assert RESTORED in message.content[0].text
    with client.messages.stream(model="claude-sonnet-4-6", max_tokens=100, messages=messages) as stream:
        streamed = "".join(stream.text_stream)
    assert RESTORED in streamed
    provider.script(_tool_reply())
    with client.messages.stream(model="claude-sonnet-4-6", max_tokens=100, messages=messages) as stream:
        final = stream.get_final_message()
    (tool_use,) = [block for block in final.content if block.type == "tool_use"]
    assert tool_use.input == {"to": "frank.holt@example.com", "name": "Frank Holt"}


def test_when_restoring_is_off_then_the_caller_reads_the_placeholders(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(REDACT + "  restore_in_response: false\n")
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": ECHO_PROMPT}])
    assert "<PERSON_1> (<EMAIL_ADDRESS_1>)" in reply.choices[0].message.content


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("library", ["requests", "urllib3"])
def test_when_raw_clients_read_placeholders_then_values_are_restored(governed, provider, library, stream):
    governed(REDACT)
    url = provider.openai_base_url + "/chat/completions"
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": ECHO_PROMPT}], "stream": stream}
    if library == "requests":
        with requests.post(url, json=body, stream=stream, timeout=10) as reply:
            text = b"".join(reply.iter_content(7)).decode()  # small chunks: placeholders split across reads
    else:
        reply = urllib3.PoolManager().request(
            "POST", url, body=json.dumps(body), preload_content=not stream, headers={"Content-Type": "application/json"}
        )
        text = (b"".join(reply.stream(5)) if stream else reply.data).decode()
    if stream:
        events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")]
        text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events if e["choices"])
    else:
        text = json.loads(text)["choices"][0]["message"]["content"]
    assert RESTORED in text


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
async def test_when_aiohttp_reads_placeholders_then_values_are_restored(governed, provider, stream):
    governed(REDACT)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": ECHO_PROMPT}], "stream": stream}
    async with (
        aiohttp.ClientSession() as session,
        session.post(provider.openai_base_url + "/chat/completions", json=body) as reply,
    ):
        if stream:
            events = [json.loads(line[6:]) async for line in reply.content if line.startswith(b"data: {")]
            text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events if e["choices"])
        else:
            text = (await reply.json())["choices"][0]["message"]["content"]
    assert RESTORED in text


def test_when_bedrock_answers_with_placeholders_then_every_operation_is_restored(governed, provider, bedrock):
    client = bedrock
    governed(REDACT)
    model = "anthropic.claude-3-haiku-20240307-v1:0"
    messages = [{"role": "user", "content": [{"text": ECHO_PROMPT}]}]
    conversed = client.converse(modelId=model, messages=messages)
    assert RESTORED in conversed["output"]["message"]["content"][0]["text"]
    streamed = client.converse_stream(modelId=model, messages=messages)
    text = "".join(
        e["contentBlockDelta"]["delta"].get("text", "") for e in streamed["stream"] if "contentBlockDelta" in e
    )
    assert RESTORED in text and "<PERSON_1>" not in text
    body = json.dumps(
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": ECHO_PROMPT}],
        }
    )
    invoked = json.loads(client.invoke_model(modelId=model, body=body)["body"].read())
    assert RESTORED in invoked["content"][0]["text"]
    chunks = client.invoke_model_with_response_stream(modelId=model, body=body)["body"]
    events = [json.loads(e["chunk"]["bytes"]) for e in chunks if "chunk" in e]
    text = "".join(e["delta"].get("text", "") for e in events if e.get("type") == "content_block_delta")
    assert RESTORED in text
    assert all(value.encode() not in _sent(provider) for value in VALUES)


def test_when_gemini_prompt_holds_personal_data_then_it_is_redacted_and_restored(governed, provider):
    from google import genai
    from google.genai import types

    client = genai.Client(api_key="x", http_options=types.HttpOptions(base_url=provider.gemini_base_url))
    governed(REDACT)
    reply = client.models.generate_content(model="gemini-2.5-flash", contents=ECHO_PROMPT)
    streamed = "".join(
        c.text or "" for c in client.models.generate_content_stream(model="gemini-2.5-flash", contents=ECHO_PROMPT)
    )
    assert RESTORED in reply.text and RESTORED in streamed
    assert all(value.encode() not in _sent(provider) for value in VALUES)


def test_when_no_ner_model_is_installed_then_patterns_still_run_and_status_says_so(governed, provider):
    governed(REDACT.replace("deadline_ms: 30000", "deadline_ms: 30000\n  nlp_model: no_such_pipeline"))
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(
            provider.openai_base_url + "/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": SECRET_PROMPT}]},
        )
    assert refused.value.rule == "redaction.block"  # secrets are found by patterns, without spaCy's NER
    httpx2.post(
        provider.openai_base_url + "/chat/completions",
        json={"model": "m", "messages": [{"role": "user", "content": "Write to frank.holt@example.com"}]},
    )
    assert b"<EMAIL_ADDRESS_1>" in _sent(provider)
    detection = aigov.status()["detection"]
    assert "no_such_pipeline" in detection and "NER" in detection


def test_when_a_chat_resends_an_answer_then_the_provider_gets_its_own_text_without_new_analysis(governed, provider):
    from jupyter_aigov.redaction.transit import engine_for

    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    gateway = governed(REDACT)
    history = [{"role": "user", "content": ECHO_PROMPT}]
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=history)
    answer = reply.choices[0].message.content
    assert RESTORED in answer  # the caller read the values
    history += [{"role": "assistant", "content": answer}, {"role": "user", "content": "Thanks, that helps a lot."}]
    engine = engine_for(gateway.session.effective.redaction)
    before = engine.analyses
    client.chat.completions.create(model="gpt-4o-mini", messages=history)
    resent = json.loads(provider.received[-1].body)["messages"][1]["content"]
    assert "<PERSON_1> (<EMAIL_ADDRESS_1>)" in resent and "Frank Holt" not in resent
    assert engine.analyses - before == 1  # only the new user message was analysed
    (_, second) = governed.records("ai.call")
    assert second["entities"] == {"EMAIL_ADDRESS": 2, "PERSON": 2}


class AnalyzerCrash(Exception):
    """A recognizer's own error, whose message quotes the text it was given (as real ones may)."""


def test_when_a_recognizer_raises_with_the_text_in_its_message_then_the_call_is_blocked_and_the_log_has_no_value(
    governed, provider, monkeypatch
):
    from presidio_analyzer import EntityRecognizer

    from jupyter_aigov.redaction.transit import LOAD_WAIT_S, engine_for

    class Broken(EntityRecognizer):
        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            raise AnalyzerCrash(f"cannot read {text!r}")

    gateway = governed(REDACT)
    engine = engine_for(gateway.session.effective.redaction)
    assert engine.wait_ready(LOAD_WAIT_S), engine.status()
    registry = engine._analyzer.engine.registry
    monkeypatch.setattr(registry, "recognizers", [*registry.recognizers, Broken(["EMAIL_ADDRESS"], name="Broken")])
    prompt = "A first note for frank.holt@example.com on the crash"  # new text: not answered from the cache
    with pytest.raises(aigov.PolicyViolation) as refused:
        openai.OpenAI(base_url=provider.openai_base_url, api_key="x").chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
        )
    assert refused.value.rule == "redaction.failed"  # failed closed
    assert provider.received == []
    log = governed.log_path.read_text()
    assert "frank.holt@example.com" not in log and "cannot read" not in log
    (record,) = governed.records("ai.call")
    assert "AnalyzerCrash" in record["reason"]


def test_when_a_urllib3_pool_with_default_headers_sends_personal_data_then_its_headers_go_too(governed, provider):
    # urlopen(headers=None) sends the pool's own headers: a rewritten body must not drop them
    governed(REDACT)
    parts = urllib.parse.urlsplit(provider.openai_base_url)
    pool = urllib3.HTTPConnectionPool(
        parts.hostname, parts.port, headers={"Content-Type": "application/json", "X-Team": "churn"}
    )
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT}]}
    assert pool.urlopen("POST", parts.path + "/chat/completions", body=json.dumps(body)).status == 200
    (sent,) = provider.received
    assert (sent.headers.get("x-team"), sent.headers.get("content-type")) == ("churn", "application/json")
    _assert_redacted(governed, provider)


async def test_when_aiohttp_sends_personal_data_with_its_own_length_then_the_length_is_the_new_bodys(
    governed, provider
):
    governed(REDACT)
    data = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": PROMPT}]}).encode()
    headers = {"Content-Type": "application/json", "Content-Length": str(len(data))}
    async with (
        aiohttp.ClientSession() as session,
        session.post(provider.openai_base_url + "/chat/completions", data=data, headers=headers) as reply,
    ):
        assert reply.status == 200
    _assert_redacted(governed, provider)
