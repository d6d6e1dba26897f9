"""The real SDKs against the stand-in provider, governed: allowed calls pass and are recorded with usage,
refused calls raise aigov.PolicyViolation once, before a byte is sent, whatever the SDK's retries."""

from __future__ import annotations

import asyncio

import anthropic
import openai
import pytest
from google import genai
from google.genai import types

import aigov

POLICY = """
version: 1
models:
  allow: ["gpt-4o-mini", "claude-*", "gemini-*", "anthropic.claude-*", "text-embedding-*"]
  deny: ["*-realtime*"]
"""


def _one_block(governed, provider, model: str) -> None:
    blocks = governed.records("ai.call")
    assert [(r["decision"], r["model"]) for r in blocks] == [("block", model)]
    assert blocks[0]["rules"] == ["models.allow"]
    assert provider.received == []


def test_when_openai_chat_is_allowed_then_it_is_sent_and_recorded_with_usage(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(POLICY)
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}])
    assert "hello" in reply.choices[0].message.content
    call, response = governed.records("ai.call", "ai.response")
    assert (call["decision"], call["model"], call["operation"], call["library"]) == (
        "allow",
        "gpt-4o-mini",
        "chat.completions",
        "httpx2",
    )
    assert response["call_id"] == call["call_id"]
    assert response["usage"] == {
        "input_tokens": reply.usage.prompt_tokens,
        "output_tokens": reply.usage.completion_tokens,
    }


def test_when_openai_model_is_refused_then_policy_violation_once_and_nothing_sent(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=3)
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hello"}])
    assert refused.value.rule == "models.allow"
    assert refused.value.record["seq"] == governed.records("ai.call")[0]["seq"]
    _one_block(governed, provider, "gpt-4o")


def test_when_openai_streams_then_usage_is_read_from_the_stream(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(POLICY)
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "stream please"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    usage = next(c.usage for c in chunks if c.usage)
    (response,) = governed.records("ai.response")
    assert response["usage"] == {
        "input_tokens": usage.prompt_tokens,
        "output_tokens": usage.completion_tokens,
    }


def test_when_openai_responses_and_embeddings_are_called_then_each_is_one_decision(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(POLICY)
    client.responses.create(model="gpt-4o-mini", input="summarise this")
    client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
    assert [r["operation"] for r in governed.records("ai.call")] == ["responses", "embeddings"]
    assert all(r["usage"]["input_tokens"] for r in governed.records("ai.response"))


async def test_when_async_openai_model_is_refused_then_policy_violation(governed, provider):
    client = openai.AsyncOpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation):
        await client.chat.completions.create(model="o3", messages=[{"role": "user", "content": "x"}])
    _one_block(governed, provider, "o3")


def test_when_azure_deployment_is_called_then_the_deployment_is_the_model(governed, provider):
    client = openai.AzureOpenAI(azure_endpoint=provider.azure_endpoint, api_version="2024-10-21", api_key="x")
    governed(POLICY)
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    (call,) = governed.records("ai.call")
    assert (call["model"], call["decision"]) == ("gpt-4o-mini", "allow")


def test_when_anthropic_refusal_is_raised_then_no_retry_and_no_api_connection_error(governed, provider):
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x", max_retries=3)
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        client.messages.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": "hi"}])
    assert not isinstance(refused.value, anthropic.APIConnectionError)
    _one_block(governed, provider, "gpt-4o")


def test_when_anthropic_messages_stream_then_allowed_with_usage(governed, provider):
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed(POLICY)
    with client.messages.stream(
        model="claude-sonnet-4-6", max_tokens=50, messages=[{"role": "user", "content": "hi there"}]
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert "hi there" in text
    (response,) = governed.records("ai.response")
    assert response["usage"] == {
        "input_tokens": final.usage.input_tokens,
        "output_tokens": final.usage.output_tokens,
    }


async def test_when_async_anthropic_is_refused_then_policy_violation_once(governed, provider):
    client = anthropic.AsyncAnthropic(base_url=provider.anthropic_base_url, api_key="x", max_retries=2)
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation):
        await client.messages.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": "hi"}])
    _one_block(governed, provider, "gpt-4o")


def test_when_gemini_generates_and_streams_then_both_are_governed(governed, provider):
    client = genai.Client(api_key="x", http_options=types.HttpOptions(base_url=provider.gemini_base_url))
    governed(POLICY)
    reply = client.models.generate_content(model="gemini-2.5-flash", contents="hello gemini")
    streamed = "".join(
        c.text or "" for c in client.models.generate_content_stream(model="gemini-2.5-flash", contents="stream it")
    )
    assert "hello gemini" in reply.text and "stream it" in streamed
    calls = governed.records("ai.call")
    assert [(c["operation"], c["stream"]) for c in calls] == [
        ("generateContent", False),
        ("streamGenerateContent", True),
    ]
    assert all(r["usage"]["output_tokens"] for r in governed.records("ai.response"))
    with pytest.raises(aigov.PolicyViolation):
        client.models.generate_content(model="gpt-4o", contents="x")


def test_when_gemini_async_uses_aiohttp_then_it_is_governed(governed, provider):
    client = genai.Client(api_key="x", http_options=types.HttpOptions(base_url=provider.gemini_base_url))
    governed(POLICY)

    async def run() -> None:
        await client.aio.models.generate_content(model="gemini-2.5-flash", contents="async hello")
        with pytest.raises(aigov.PolicyViolation):
            await client.aio.models.generate_content(model="gpt-4o", contents="x")

    asyncio.run(run())
    assert [c["decision"] for c in governed.records("ai.call")] == ["allow", "block"]
    assert len(provider.received) == 1


def test_when_bedrock_converse_is_allowed_then_usage_is_recorded(governed, provider, bedrock):
    client = bedrock
    governed(POLICY)
    reply = client.converse(
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        messages=[{"role": "user", "content": [{"text": "hello bedrock"}]}],
    )
    (call,) = governed.records("ai.call")
    (response,) = governed.records("ai.response")
    assert (call["library"], call["model"]) == ("botocore", "anthropic.claude-3-haiku-20240307-v1:0")
    assert response["usage"] == {
        "input_tokens": reply["usage"]["inputTokens"],
        "output_tokens": reply["usage"]["outputTokens"],
    }


def test_when_bedrock_is_refused_then_policy_violation_not_http_client_error(governed, provider, bedrock):
    client = bedrock
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation):
        client.converse(
            modelId="meta.llama3-70b-instruct-v1:0", messages=[{"role": "user", "content": [{"text": "hi"}]}]
        )
    _one_block(governed, provider, "meta.llama3-70b-instruct-v1:0")


def test_when_bedrock_invoke_and_converse_stream_then_usage_from_headers_and_events(governed, provider, bedrock):
    import json

    client = bedrock
    governed(POLICY)
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 20,
        "messages": [{"role": "user", "content": "invoke me"}],
    }
    invoked = client.invoke_model(modelId="anthropic.claude-3-haiku-20240307-v1:0", body=json.dumps(body))
    invoked["body"].read()
    streamed = client.converse_stream(
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        messages=[{"role": "user", "content": [{"text": "stream me"}]}],
    )
    events = list(streamed["stream"])
    metadata = next(e["metadata"] for e in events if "metadata" in e)
    invoke_usage, stream_usage = (r["usage"] for r in governed.records("ai.response"))
    assert invoke_usage["input_tokens"] == int(
        invoked["ResponseMetadata"]["HTTPHeaders"]["x-amzn-bedrock-input-token-count"]
    )
    assert stream_usage["output_tokens"] == metadata["usage"]["outputTokens"]


def test_when_client_was_created_before_loading_then_it_is_governed(governed, provider):
    early = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    early_anthropic = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed(POLICY)
    for call in (
        lambda: early.chat.completions.create(model="gpt-4.1", messages=[{"role": "user", "content": "x"}]),
        lambda: early_anthropic.messages.create(
            model="gpt-4.1", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        ),
    ):
        with pytest.raises(aigov.PolicyViolation):
            call()
    assert provider.received == []
