"""Personal data in any field of a request, not only its messages, is redacted or blocked: the real SDKs.

Each wire format's sender puts a value in every field below (user, metadata, names, tool and parameter
descriptions, schemas' texts...) and a neutral word everywhere else. With `redact` the stand-in provider
receives placeholders in each of those fields; with `block` the call is refused and nothing is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import anthropic
import boto3
import httpx
import openai
import pytest

import aigov
from jupyter_aigov.providers import value_at

EMAIL = "frank.holt@example.com"
PERSON = "Frank Holt"
PHONE = "212-555-0147"
SENTENCES = {
    EMAIL: f"Write to {EMAIL} first.",
    PERSON: f"Look up the account of {PERSON}",
    PHONE: f"Call {PHONE} when done.",
}
NEUTRAL = "churn"
POLICY = """
version: 1
redaction:
  entities: {PERSON: redact, EMAIL_ADDRESS: {action}, PHONE_NUMBER: redact}
  deadline_ms: 30000
"""
REDACT = POLICY.replace("{action}", "redact")
BLOCK = POLICY.replace("{action}", "block")

Values = Mapping[str, str]
Path = tuple[str | int, ...]


def _tool_schema(v: Values) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"who": {"type": "string", "description": v["parameter description"]}},
        "required": ["who"],
    }


def _answer_schema(v: Values) -> dict[str, Any]:
    return {
        "type": "object",
        "title": v["schema title"],
        "properties": {
            "to": {
                "type": "string",
                "description": v["schema description"],
                "default": v["schema default"],
                "examples": [v["schema example"]],
                "enum": [v["schema enum"], "nobody"],
            }
        },
    }


def openai_chat(provider: Any, v: Values) -> None:
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    client.chat.completions.create(
        model="gpt-4o-mini",
        user=v["user"],
        metadata={"ticket": v["metadata"]},
        messages=[{"role": "user", "name": v["message name"], "content": "Summarise the ticket."}],
        tools=[
            {
                "type": "function",
                "function": {"name": "lookup", "description": v["tool description"], "parameters": _tool_schema(v)},
            }
        ],
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": _answer_schema(v)}},
    )


OPENAI_CHAT = {
    "user": (("user",), EMAIL),
    "metadata": (("metadata", "ticket"), PHONE),
    "message name": (("messages", 0, "name"), PERSON),
    "tool description": (("tools", 0, "function", "description"), EMAIL),
    "parameter description": (("tools", 0, "function", "parameters", "properties", "who", "description"), PHONE),
    **{
        field: (("response_format", "json_schema", "schema", *path), value)
        for field, (path, value) in {
            "schema title": (("title",), PERSON),
            "schema description": (("properties", "to", "description"), EMAIL),
            "schema default": (("properties", "to", "default"), EMAIL),
            "schema example": (("properties", "to", "examples", 0), PHONE),
            "schema enum": (("properties", "to", "enum", 0), EMAIL),
        }.items()
    },
}


def openai_responses(provider: Any, v: Values) -> None:
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    client.responses.create(
        model="gpt-4.1",
        input="Summarise the ticket.",
        user=v["user"],
        safety_identifier=v["safety identifier"],
        metadata={"ticket": v["metadata"]},
        tools=[
            {"type": "function", "name": "lookup", "description": v["tool description"], "parameters": _tool_schema(v)}
        ],
        text={"format": {"type": "json_schema", "name": "answer", "schema": _answer_schema(v)}},
    )


OPENAI_RESPONSES = {
    "user": (("user",), EMAIL),
    "safety identifier": (("safety_identifier",), EMAIL),
    "metadata": (("metadata", "ticket"), PERSON),
    "tool description": (("tools", 0, "description"), PHONE),
    "parameter description": (("tools", 0, "parameters", "properties", "who", "description"), EMAIL),
    "schema title": (("text", "format", "schema", "title"), PERSON),
    "schema description": (("text", "format", "schema", "properties", "to", "description"), EMAIL),
    "schema default": (("text", "format", "schema", "properties", "to", "default"), PHONE),
    "schema example": (("text", "format", "schema", "properties", "to", "examples", 0), EMAIL),
    "schema enum": (("text", "format", "schema", "properties", "to", "enum", 0), EMAIL),
}


def anthropic_messages(provider: Any, v: Values) -> None:
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=50,
        system=v["system"],
        metadata={"user_id": v["metadata user_id"]},
        messages=[{"role": "user", "content": "Summarise the ticket."}],
        tools=[{"name": "lookup", "description": v["tool description"], "input_schema": _tool_schema(v)}],
    )


ANTHROPIC = {
    "system": (("system",), PERSON),
    "metadata user_id": (("metadata", "user_id"), EMAIL),
    "tool description": (("tools", 0, "description"), PHONE),
    "parameter description": (("tools", 0, "input_schema", "properties", "who", "description"), EMAIL),
}


def gemini_generate(provider: Any, v: Values) -> None:
    from google import genai
    from google.genai import types

    client = genai.Client(api_key="x", http_options=types.HttpOptions(base_url=provider.gemini_base_url))
    declaration = types.FunctionDeclaration(
        name="lookup",
        description=v["tool description"],
        parameters=types.Schema(
            type="OBJECT",
            properties={"who": types.Schema(type="STRING", description=v["parameter description"])},
        ),
    )
    client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Summarise the ticket.",
        config=types.GenerateContentConfig(
            system_instruction=v["system instruction"],
            labels={"ticket": v["labels"]},
            tools=[types.Tool(function_declarations=[declaration])],
        ),
    )


GEMINI = {
    "system instruction": (("systemInstruction", "parts", 0, "text"), PERSON),
    "labels": (("labels", "ticket"), EMAIL),
    "tool description": (("tools", 0, "functionDeclarations", 0, "description"), PHONE),
    "parameter description": (
        ("tools", 0, "functionDeclarations", 0, "parameters", "properties", "who", "description"),
        EMAIL,
    ),
}


def ollama_chat(provider: Any, v: Values) -> None:
    body = {
        "model": "llama3.2",
        "stream": False,
        "messages": [
            {"role": "user", "content": "Find him."},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"function": {"name": "lookup", "arguments": {"who": v["tool call argument"]}}}],
            },
            {"role": "tool", "tool_name": "lookup", "content": "found"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {"name": "lookup", "description": v["tool description"], "parameters": _tool_schema(v)},
            }
        ],
        "format": {"type": "object", "description": v["format description"]},
    }
    assert httpx.post(provider.ollama_base_url + "/api/chat", json=body).status_code == 200


OLLAMA = {
    "tool call argument": (("messages", 1, "tool_calls", 0, "function", "arguments", "who"), EMAIL),
    "tool description": (("tools", 0, "function", "description"), PERSON),
    "parameter description": (("tools", 0, "function", "parameters", "properties", "who", "description"), PHONE),
    "format description": (("format", "description"), EMAIL),
}


def _bedrock(provider: Any) -> Any:
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=provider.bedrock_endpoint_url,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )


def bedrock_converse(provider: Any, v: Values) -> None:
    _bedrock(provider).converse(
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        system=[{"text": v["system"]}],
        messages=[{"role": "user", "content": [{"text": "Summarise the ticket."}]}],
        toolConfig={
            "tools": [
                {
                    "toolSpec": {
                        "name": "lookup",
                        "description": v["tool description"],
                        "inputSchema": {"json": _tool_schema(v)},
                    }
                }
            ]
        },
        requestMetadata={"ticket": v["request metadata"]},
    )


BEDROCK_CONVERSE = {
    "system": (("system", 0, "text"), PERSON),
    "tool description": (("toolConfig", "tools", 0, "toolSpec", "description"), EMAIL),
    "parameter description": (
        ("toolConfig", "tools", 0, "toolSpec", "inputSchema", "json", "properties", "who", "description"),
        PHONE,
    ),
    "request metadata": (("requestMetadata", "ticket"), EMAIL),
}


def bedrock_invoke(provider: Any, v: Values) -> None:
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 50,
        "metadata": {"user_id": v["metadata user_id"]},
        "messages": [{"role": "user", "content": "Summarise the ticket."}],
        "tools": [{"name": "lookup", "description": v["tool description"], "input_schema": _tool_schema(v)}],
    }
    _bedrock(provider).invoke_model(modelId="anthropic.claude-3-haiku-20240307-v1:0", body=json.dumps(body))


BEDROCK_INVOKE = {
    "metadata user_id": (("metadata", "user_id"), EMAIL),
    "tool description": (("tools", 0, "description"), PERSON),
    "parameter description": (("tools", 0, "input_schema", "properties", "who", "description"), PHONE),
}

Sender = Callable[[Any, Values], None]
FORMATS: list[tuple[Sender, dict[str, tuple[Path, str]]]] = [
    (openai_chat, OPENAI_CHAT),
    (openai_responses, OPENAI_RESPONSES),
    (anthropic_messages, ANTHROPIC),
    (gemini_generate, GEMINI),
    (ollama_chat, OLLAMA),
    (bedrock_converse, BEDROCK_CONVERSE),
    (bedrock_invoke, BEDROCK_INVOKE),
]
EVERY_FIELD = [(send, field) for send, fields in FORMATS for field in fields]


class _Neutral(dict[str, str]):
    """The values of one request: a neutral word in every field not named."""

    def __missing__(self, field: str) -> str:
        return NEUTRAL


@pytest.mark.parametrize(("send", "fields"), FORMATS, ids=[send.__name__ for send, _ in FORMATS])
def test_when_personal_data_is_in_any_field_then_the_provider_receives_placeholders_there(
    governed, provider, send: Sender, fields: dict[str, tuple[Path, str]]
) -> None:
    governed(REDACT)
    send(provider, _Neutral({field: SENTENCES[value] for field, (_, value) in fields.items()}))
    (received,) = provider.received
    body = json.loads(received.body)
    for field, (path, value) in fields.items():
        sent = value_at(body, path)
        assert value not in sent and "<" in sent, f"{field} at {path} was sent as {sent!r}"
    assert all(value.encode() not in received.body for value in (EMAIL, PERSON, PHONE))
    (record,) = governed.records("ai.call")
    assert record["decision"] == "redact"
    log = governed.log_path.read_text()
    assert all(value not in log for value in (EMAIL, PERSON, PHONE))


@pytest.mark.parametrize(
    ("send", "field"), EVERY_FIELD, ids=[f"{send.__name__}-{field}" for send, field in EVERY_FIELD]
)
def test_when_a_blocked_entity_is_in_any_field_then_the_call_is_refused_and_nothing_is_sent(
    governed, provider, send: Sender, field: str
) -> None:
    governed(BLOCK)
    with pytest.raises(aigov.PolicyViolation) as refused:
        send(provider, _Neutral({field: SENTENCES[EMAIL]}))
    assert refused.value.rule == "redaction.block"
    assert provider.received == []
    assert EMAIL not in governed.log_path.read_text()


def test_when_placeholders_come_back_for_a_tool_description_then_the_caller_reads_the_values(
    governed, provider
) -> None:
    from jupyter_aigov.testing import Reply, ToolCall

    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(REDACT)
    tool = {"type": "function", "function": {"name": "send_email", "description": f"Mail {EMAIL} only."}}
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], tools=[tool])
    assert EMAIL.encode() not in provider.received[0].body
    provider.script(Reply(tool_calls=[ToolCall("send_email", {"to": "<EMAIL_ADDRESS_1>"})]))
    called = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], tools=[tool]
    )
    assert json.loads(called.choices[0].message.tool_calls[0].function.arguments) == {"to": EMAIL}


def test_when_a_forbidden_tool_is_stripped_then_the_descriptions_after_it_are_still_redacted(
    governed, provider
) -> None:
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(REDACT + "tools:\n  deny: [run_shell]\n  on_forbidden_definition: strip\n")
    tools = [
        {"type": "function", "function": {"name": "run_shell", "description": "Run a command."}},
        {"type": "function", "function": {"name": "lookup", "description": f"Find {EMAIL}."}},
    ]
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], tools=tools)
    sent = json.loads(provider.received[0].body)
    assert [tool["function"]["name"] for tool in sent["tools"]] == ["lookup"]
    assert sent["tools"][0]["function"]["description"] == "Find <EMAIL_ADDRESS_1>."


def test_when_a_bedrock_body_is_redacted_in_a_tool_description_then_it_is_signed_as_sent(governed, provider) -> None:
    from jupyter_aigov.testing.bedrock_format import sigv4_signature

    governed(REDACT)
    bedrock_converse(provider, _Neutral({"tool description": SENTENCES[EMAIL]}))
    (received,) = provider.received
    assert b"<EMAIL_ADDRESS_1>" in received.body
    signature = sigv4_signature(received, provider.bedrock_endpoint_url)
    assert received.headers["authorization"].endswith("Signature=" + signature)


def test_when_a_tool_call_with_restored_values_is_sent_back_then_the_provider_gets_its_placeholders_again(
    governed, provider
) -> None:
    from jupyter_aigov.testing import Reply, ToolCall

    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed(REDACT)
    history: list[dict[str, Any]] = [{"role": "user", "content": SENTENCES[EMAIL]}]
    provider.script(Reply(tool_calls=[ToolCall("send_email", {"to": "<EMAIL_ADDRESS_1>"}, id="toolu_1")]))
    tools = [{"name": "send_email", "input_schema": {"type": "object"}}]
    answer = client.messages.create(model="claude-sonnet-4-6", max_tokens=50, messages=history, tools=tools)
    (use,) = [block for block in answer.content if block.type == "tool_use"]
    assert use.input == {"to": EMAIL}  # the caller reads the value
    history += [
        {"role": "assistant", "content": [use.model_dump(exclude_none=True)]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "sent"}]},
    ]
    client.messages.create(model="claude-sonnet-4-6", max_tokens=50, messages=history, tools=tools)
    resent = json.loads(provider.received[-1].body)["messages"][1]["content"][0]
    assert resent["input"] == {"to": "<EMAIL_ADDRESS_1>"}  # not the value the caller read
    assert EMAIL.encode() not in provider.received[-1].body
