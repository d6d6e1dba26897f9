"""Tool calls a model asks for, through the real SDKs: allowed ones reach the agent, forbidden ones never do."""

from __future__ import annotations

import json

import aiohttp
import anthropic
import httpx2
import openai
import pytest
import requests
from google import genai
from google.genai import types

import aigov
from jupyter_aigov.testing import Reply, ToolCall

# run_shell is stripped from what the model is offered; the stand-in model asks for it anyway, as a model
# steered by a prompt injection would
POLICY = r"""
version: 1
tools:
  allow: ["get_weather", "run_sql"]
  deny: ["run_shell"]
  on_forbidden_definition: strip
  arguments:
    - {tool: run_sql, path: query, deny_pattern: "(?i)\\b(drop|delete|truncate)\\b"}
"""
CANARY = "rm -rf /srv/canary-7f3a"
WEATHER = ToolCall("get_weather", {"city": "Paris"})
SHELL = ToolCall("run_shell", {"command": CANARY})
DROP = ToolCall("run_sql", {"query": "DROP TABLE customers -- canary-7f3a"})
SELECT = ToolCall("run_sql", {"query": "SELECT count(*) FROM customers"})

OPENAI_TOOLS = [
    {"type": "function", "function": {"name": n, "parameters": {"type": "object", "properties": {}}}}
    for n in ("get_weather", "run_sql", "run_shell")
]
RESPONSES_TOOLS = [
    {"type": "function", "name": n, "parameters": {"type": "object"}} for n in ("get_weather", "run_sql")
]
ANTHROPIC_TOOLS = [{"name": n, "input_schema": {"type": "object"}} for n in ("get_weather", "run_sql", "run_shell")]
GEMINI_TOOLS = [
    types.Tool(function_declarations=[types.FunctionDeclaration(name=n) for n in ("get_weather", "run_sql")])
]
BEDROCK_TOOLS = {
    "tools": [
        {"toolSpec": {"name": n, "inputSchema": {"json": {"type": "object"}}}} for n in ("get_weather", "run_sql")
    ]
}


def get_weather(city: str) -> str:
    return f"Sunny in {city}."


def assert_refused_once(governed, refused, tool: str, rule: str) -> None:
    """One block record naming the tool and rule, no argument value anywhere in the evidence."""
    assert isinstance(refused.value, aigov.ToolCallBlocked)
    assert refused.value.rule == rule and tool in refused.value.reason
    blocked = [r for r in governed.records("tool.call") if r["decision"] == "block"]
    assert [(r["tool"], r["rules"]) for r in blocked] == [(tool, [rule])]
    assert refused.value.record["seq"] == blocked[0]["seq"]
    assert "canary-7f3a" not in governed.log_path.read_text()


# -- OpenAI -----------------------------------------------------------------------------------------------


def test_openai_agent_loop_runs_the_allowed_tool_and_is_stopped_at_the_forbidden_one(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(POLICY)
    provider.script(Reply(tool_calls=[WEATHER]), Reply(text="It is sunny in Paris."), Reply(tool_calls=[SHELL]))
    messages: list = [{"role": "user", "content": "Weather in Paris?"}]
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=OPENAI_TOOLS)
    (tool_call,) = answer.choices[0].message.tool_calls
    assert tool_call.function.name == "get_weather"
    result = get_weather(**json.loads(tool_call.function.arguments))
    messages += [answer.choices[0].message, {"role": "tool", "tool_call_id": tool_call.id, "content": result}]
    final = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=OPENAI_TOOLS)
    assert final.choices[0].message.content == "It is sunny in Paris."

    messages += [final.choices[0].message, {"role": "user", "content": "Now clean the server."}]
    with pytest.raises(aigov.PolicyViolation) as refused:
        client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=OPENAI_TOOLS)
    assert_refused_once(governed, refused, "run_shell", "tools.deny")
    assert len(provider.received) == 3  # the refusal is of the answer: no retry asked for it again
    allowed = [r for r in governed.records("tool.call") if r["decision"] == "allow"]
    assert [(r["tool"], r["source"]) for r in allowed] == [("get_weather", "response")]


def test_openai_stream_passes_text_and_stops_a_tool_call_with_forbidden_arguments(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(POLICY)
    provider.script(Reply(text="Let me look that up for you.", tool_calls=[DROP]))
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Count them"}], tools=OPENAI_TOOLS, stream=True
    )
    received = []
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        for chunk in stream:
            received.append(chunk)
    text = "".join(c.choices[0].delta.content or "" for c in received if c.choices)
    assert text == "Let me look that up for you."
    assert not any(c.choices and c.choices[0].delta.tool_calls for c in received)
    assert_refused_once(governed, refused, "run_sql", "tools.arguments")
    assert "query" in refused.value.reason
    (response,) = governed.records("ai.response")
    assert response["error"] == "ToolCallBlocked"


async def test_openai_async_stream_releases_an_allowed_tool_call_whole(governed, provider):
    client = openai.AsyncOpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(POLICY)
    provider.script(Reply(tool_calls=[SELECT, WEATHER]))
    stream = await client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Count them"}], tools=OPENAI_TOOLS, stream=True
    )
    pieces: dict[int, str] = {}
    async for chunk in stream:
        for delta in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            pieces[delta.index] = pieces.get(delta.index, "") + (delta.function.arguments or "")
    assert [json.loads(p) for p in pieces.values()] == [SELECT.arguments, WEATHER.arguments]
    assert [r["tool"] for r in governed.records("tool.call")] == ["run_sql", "get_weather"]


async def test_openai_async_json_answer_with_a_forbidden_call_raises_once(governed, provider):
    client = openai.AsyncOpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(POLICY)
    provider.script(Reply(tool_calls=[WEATHER, SHELL]))
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "go"}], tools=OPENAI_TOOLS
        )
    assert_refused_once(governed, refused, "run_shell", "tools.deny")
    assert len(provider.received) == 1


def test_openai_stream_helper_stops_a_forbidden_call_as_itself(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=3)
    governed(POLICY)
    provider.script(Reply(text="On it.", tool_calls=[DROP]))
    with (
        pytest.raises(aigov.ToolCallBlocked) as refused,
        client.chat.completions.stream(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], tools=OPENAI_TOOLS
        ) as stream,
    ):
        stream.get_final_completion()
    assert_refused_once(governed, refused, "run_sql", "tools.arguments")
    assert len(provider.received) == 1


def test_responses_api_json_and_stream(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed(POLICY)
    provider.script(Reply(tool_calls=[WEATHER]), Reply(text="Checking.", tool_calls=[DROP]))
    answer = client.responses.create(model="gpt-4.1-mini", input="Weather?", tools=RESPONSES_TOOLS)
    assert [item.name for item in answer.output if item.type == "function_call"] == ["get_weather"]
    events = []
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        for event in client.responses.create(model="gpt-4.1-mini", input="Count", tools=RESPONSES_TOOLS, stream=True):
            events.append(event)
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "Checking."
    assert not any("function_call" in e.type for e in events)
    assert_refused_once(governed, refused, "run_sql", "tools.arguments")


# -- Anthropic --------------------------------------------------------------------------------------------


def test_anthropic_agent_loop_runs_the_allowed_tool_and_is_stopped_at_the_forbidden_one(governed, provider):
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed(POLICY)
    provider.script(Reply(tool_calls=[WEATHER]), Reply(text="Sunny."), Reply(tool_calls=[SHELL]))
    messages: list = [{"role": "user", "content": "Weather in Paris?"}]
    answer = client.messages.create(model="claude-sonnet-4-6", max_tokens=100, messages=messages, tools=ANTHROPIC_TOOLS)
    (use,) = [b for b in answer.content if b.type == "tool_use"]
    result = get_weather(**use.input)
    messages += [
        {"role": "assistant", "content": answer.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": result}]},
    ]
    final = client.messages.create(model="claude-sonnet-4-6", max_tokens=100, messages=messages, tools=ANTHROPIC_TOOLS)
    assert final.content[0].text == "Sunny."
    messages += [{"role": "assistant", "content": final.content}, {"role": "user", "content": "Clean up."}]
    with pytest.raises(aigov.PolicyViolation) as refused:  # anthropic retries and wraps errors: not this one
        client.messages.create(model="claude-sonnet-4-6", max_tokens=100, messages=messages, tools=ANTHROPIC_TOOLS)
    assert_refused_once(governed, refused, "run_shell", "tools.deny")
    assert len(provider.received) == 3


def test_anthropic_stream_passes_text_and_stops_forbidden_arguments(governed, provider):
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed(POLICY)
    provider.script(Reply(text="Looking.", tool_calls=[DROP]))
    text = []
    with (
        pytest.raises(aigov.ToolCallBlocked) as refused,
        client.messages.stream(
            model="claude-sonnet-4-6",
            max_tokens=100,
            messages=[{"role": "user", "content": "x"}],
            tools=ANTHROPIC_TOOLS,
        ) as stream,
    ):
        for event in stream:
            assert event.type != "content_block_start" or event.content_block.type != "tool_use"
            if event.type == "text":
                text.append(event.text)
    assert "".join(text) == "Looking."
    assert_refused_once(governed, refused, "run_sql", "tools.arguments")


def test_anthropic_create_stream_stops_a_forbidden_call_as_itself_not_as_a_connection_error(governed, provider):
    # anthropic 2.17 wraps whatever fails while a stream is read in APIConnectionError: the refusal must not be
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x", max_retries=3)
    governed(POLICY)
    provider.script(Reply(text="Looking.", tool_calls=[SHELL]))
    stream = client.messages.create(
        model="claude-sonnet-4-6", max_tokens=100, messages=[{"role": "user", "content": "x"}], tools=ANTHROPIC_TOOLS,
        stream=True,
    )  # fmt: skip
    types_seen = []
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        for event in stream:
            types_seen.append(event.type)
    assert not isinstance(refused.value, anthropic.APIConnectionError)
    assert "message_start" in types_seen and "message_stop" not in types_seen
    assert_refused_once(governed, refused, "run_shell", "tools.deny")
    assert len(provider.received) == 1


async def test_anthropic_async_stream_stops_a_forbidden_call_as_itself(governed, provider):
    client = anthropic.AsyncAnthropic(base_url=provider.anthropic_base_url, api_key="x", max_retries=3)
    governed(POLICY)
    provider.script(Reply(text="Looking.", tool_calls=[DROP]), Reply(tool_calls=[SHELL]))
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        async with client.messages.stream(
            model="claude-sonnet-4-6", max_tokens=100, messages=[{"role": "user", "content": "x"}],
            tools=ANTHROPIC_TOOLS,
        ) as stream:  # fmt: skip
            await stream.get_final_message()
    assert_refused_once(governed, refused, "run_sql", "tools.arguments")
    stream = await client.messages.create(
        model="claude-sonnet-4-6", max_tokens=100, messages=[{"role": "user", "content": "x"}], tools=ANTHROPIC_TOOLS,
        stream=True,
    )  # fmt: skip
    with pytest.raises(aigov.ToolCallBlocked):
        async for _event in stream:
            pass
    assert len(provider.received) == 2


async def test_anthropic_async_stream_of_an_allowed_call_arrives_whole(governed, provider):
    client = anthropic.AsyncAnthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed(POLICY)
    provider.script(Reply(tool_calls=[SELECT]))
    async with client.messages.stream(
        model="claude-sonnet-4-6", max_tokens=100, messages=[{"role": "user", "content": "x"}], tools=ANTHROPIC_TOOLS
    ) as stream:
        final = await stream.get_final_message()
    (use,) = final.content
    assert use.name == "run_sql" and use.input == SELECT.arguments


# -- Gemini -----------------------------------------------------------------------------------------------


def test_gemini_json_and_stream(governed, provider):
    client = genai.Client(api_key="x", http_options=types.HttpOptions(base_url=provider.gemini_base_url))
    governed(POLICY)
    provider.script(Reply(tool_calls=[WEATHER]), Reply(text="One moment.", tool_calls=[DROP]))
    config = types.GenerateContentConfig(tools=GEMINI_TOOLS)
    answer = client.models.generate_content(model="gemini-2.5-flash", contents="Weather?", config=config)
    assert answer.function_calls[0].name == "get_weather"
    text = []
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        for chunk in client.models.generate_content_stream(model="gemini-2.5-flash", contents="x", config=config):
            assert not chunk.function_calls
            text.append(chunk.text or "")
    assert "".join(text) == "One moment."
    assert_refused_once(governed, refused, "run_sql", "tools.arguments")


def test_gemini_chat_stream_stops_a_forbidden_call(governed, provider):
    client = genai.Client(api_key="x", http_options=types.HttpOptions(base_url=provider.gemini_base_url))
    governed(POLICY)
    provider.script(Reply(text="One moment.", tool_calls=[DROP]))
    chat = client.chats.create(model="gemini-2.5-flash", config=types.GenerateContentConfig(tools=GEMINI_TOOLS))
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        for chunk in chat.send_message_stream("Count them"):
            assert not chunk.function_calls
    assert_refused_once(governed, refused, "run_sql", "tools.arguments")


# -- Bedrock ----------------------------------------------------------------------------------------------

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
CONVERSE = {"modelId": MODEL, "messages": [{"role": "user", "content": [{"text": "x"}]}], "toolConfig": BEDROCK_TOOLS}


def test_bedrock_converse_and_converse_stream(governed, provider, bedrock):
    governed(POLICY)
    provider.script(Reply(tool_calls=[WEATHER]), Reply(tool_calls=[DROP]), Reply(text="Hm.", tool_calls=[DROP]))
    answer = bedrock.converse(**CONVERSE)
    assert answer["output"]["message"]["content"][0]["toolUse"]["name"] == "get_weather"
    with pytest.raises(aigov.ToolCallBlocked):
        bedrock.converse(**CONVERSE)
    text = []
    with pytest.raises(aigov.ToolCallBlocked):
        for event in bedrock.converse_stream(**CONVERSE)["stream"]:
            assert "toolUse" not in json.dumps(event)
            text.append(event.get("contentBlockDelta", {}).get("delta", {}).get("text", ""))
    assert "".join(text) == "Hm."
    assert len(provider.received) == 3
    blocked = [r for r in governed.records("tool.call") if r["decision"] == "block"]
    assert [r["tool"] for r in blocked] == ["run_sql", "run_sql"]


def test_bedrock_invoke_model_and_its_stream(governed, provider, bedrock):
    governed(POLICY)
    provider.script(Reply(tool_calls=[SHELL]), Reply(text="Ok.", tool_calls=[SHELL]))
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "tools": ANTHROPIC_TOOLS,
                       "messages": [{"role": "user", "content": "x"}]})  # fmt: skip
    answer = bedrock.invoke_model(modelId=MODEL, body=body)
    with pytest.raises(aigov.ToolCallBlocked):
        answer["body"].read()
    stream = bedrock.invoke_model_with_response_stream(modelId=MODEL, body=body)["body"]
    inner = []
    with pytest.raises(aigov.ToolCallBlocked):
        for event in stream:
            inner.append(json.loads(event["chunk"]["bytes"]))
    assert "tool_use" not in json.dumps(inner) and any(e.get("delta", {}).get("text") == "Ok." for e in inner)
    assert "canary-7f3a" not in governed.log_path.read_text()


# -- raw clients ------------------------------------------------------------------------------------------


def test_ollama_ndjson_stream_through_requests(governed, provider):
    governed(POLICY)
    provider.script(Reply(text="Sure.", tool_calls=[SHELL]))
    body = {"model": "llama3.2", "messages": [{"role": "user", "content": "x"}], "tools": OPENAI_TOOLS}
    lines = []
    url = provider.ollama_base_url + "/api/chat"
    with pytest.raises(aigov.ToolCallBlocked), requests.post(url, json=body, stream=True, timeout=10) as reply:
        for line in reply.iter_lines():
            lines.append(json.loads(line))
    assert "".join(line["message"]["content"] for line in lines) == "Sure."
    assert all("tool_calls" not in line["message"] for line in lines)


def test_raw_httpx2_json_answer(governed, provider):
    governed(POLICY)
    provider.script(Reply(tool_calls=[SHELL]))
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "tools": OPENAI_TOOLS}
    with pytest.raises(aigov.ToolCallBlocked):
        httpx2.post(provider.openai_base_url + "/chat/completions", json=body)


async def test_aiohttp_json_answer(governed, provider):
    governed(POLICY)
    provider.script(Reply(tool_calls=[WEATHER]), Reply(tool_calls=[SHELL]))
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "tools": OPENAI_TOOLS}
    async with aiohttp.ClientSession() as session:
        async with session.post(provider.openai_base_url + "/chat/completions", json=body) as reply:
            answer = await reply.json()
        assert answer["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
        with pytest.raises(aigov.ToolCallBlocked):
            async with session.post(provider.openai_base_url + "/chat/completions", json=body) as reply:
                await reply.json()


def test_without_tool_rules_tool_calls_are_recorded_and_passed(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed("version: 1\n")
    provider.script(Reply(tool_calls=[SHELL]))
    answer = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], tools=OPENAI_TOOLS
    )
    assert answer.choices[0].message.tool_calls[0].function.name == "run_shell"
    (record,) = governed.records("tool.call")
    assert record["decision"] == "allow" and record["rules"] == ["tools.allowed"]


# -- answers that are not what their framing says: the SDK still reads the tool call, so the gate must -----

SHELL_CALL = {
    "id": "c1",
    "type": "function",
    "function": {"name": "run_shell", "arguments": json.dumps(SHELL.arguments)},
}
WHOLE_ANSWER = {
    "id": "x",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o-mini",
    "choices": [
        {"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "tool_calls": [SHELL_CALL]}}
    ],
}
STREAM_CHUNK = {
    "id": "x",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "gpt-4o-mini",
    "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [{"index": 0, **SHELL_CALL}]}}],
}


def _escaped(document: dict) -> bytes:
    """The same JSON, its "tool_calls" key spelled with a \\u escape (what every JSON parser reads as it)."""
    return json.dumps(document).replace('"tool_calls"', '"tool\\u005fcalls"').encode()


@pytest.mark.parametrize(
    ("stream", "body", "content_type"),
    [
        # a whole JSON answer sent as an event stream: openai parses it as JSON whatever the content type says
        (False, json.dumps(WHOLE_ANSWER).encode(), "text/event-stream"),
        # an event stream sent as JSON: openai's Stream reads SSE whatever the content type says
        (True, b"data: " + json.dumps(STREAM_CHUNK).encode() + b"\n\ndata: [DONE]\n\n", "application/json"),
        # the key escaped in an event: the gate's quick look for "tool_calls" must not let it through
        (True, b"data: " + _escaped(STREAM_CHUNK) + b"\n\ndata: [DONE]\n\n", "text/event-stream"),
        (False, _escaped(WHOLE_ANSWER), "application/json"),
    ],
    ids=["json-labelled-sse", "sse-labelled-json", "escaped-key-in-sse", "escaped-key-in-json"],
)
def test_openai_forbidden_call_in_a_mislabelled_or_escaped_answer_never_reaches_the_caller(
    governed, provider, stream, body, content_type
):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=0)
    governed(POLICY)
    provider.script(Reply(body=body, content_type=content_type))
    got = []
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        answer = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=stream
        )
        for chunk in answer if stream else [answer]:
            got.append(chunk)
    assert not got  # the caller saw nothing of it
    assert refused.value.rule in ("tools.deny", "tools.unreadable")
    (blocked,) = [r for r in governed.records("tool.call") if r["decision"] == "block"]
    assert blocked["rules"] == [refused.value.rule]
