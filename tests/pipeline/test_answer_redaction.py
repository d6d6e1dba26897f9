"""redaction.responses through the real SDKs: new secrets and personal data in answers masked or refused, on record."""

from __future__ import annotations

import json
import time

import anthropic
import openai
import pytest

import aigov
from jupyter_aigov.pipeline import OutboundRequest
from jupyter_aigov.pipeline.answer_redaction import AnswerRedaction
from jupyter_aigov.providers.base import TextPart
from jupyter_aigov.redaction.transit import detection_for
from jupyter_aigov.testing import Reply, ToolCall
from jupyter_aigov.testing.exchange import thirds

KEY = "sk-proj-4fT9aQ2LmZ8xW1cV7bN3kJ6hG5dS0pR2"
ANSWER = f"Here is a working config. Use {KEY} as the key. Ask if it fails."
MASKED = "Here is a working config. Use <SECRET> as the key. Ask if it fails."
SEND = ToolCall("send_email", {"to": "frank.holt@example.com", "body": f"The key is {KEY}, keep it safe."})
MASKED_SEND = {"to": "<EMAIL_ADDRESS>", "body": "The key is <SECRET>, keep it safe."}
TOOLS = [{"type": "function", "function": {"name": "send_email", "parameters": {"type": "object"}}}]
ASK = [{"role": "user", "content": "How do I configure the client?"}]


def policy(responses: str) -> str:
    entities = "{SECRET: block, EMAIL_ADDRESS: redact, PERSON: redact}"
    return f"version: 1\nredaction:\n  responses: {responses}\n  entities: {entities}\n"


def openai_client(provider) -> openai.OpenAI:
    return openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=2)


def assert_no_values_on_record(governed) -> None:
    log = governed.log_path.read_text()
    assert "sk-proj" not in log and "frank.holt" not in log


def test_when_responses_is_redact_then_a_leaked_key_in_a_json_answer_is_masked_and_recorded(governed, provider):
    governed(policy("redact"))
    provider.script(Reply(text=ANSWER))
    answer = openai_client(provider).chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert answer.choices[0].message.content == MASKED
    (record,) = governed.records("response.redaction")
    assert (record["decision"], record["rules"], record["entities"]) == (
        "redact",
        ["redaction.response_redacted"],
        {"SECRET": 1},
    )
    (call,) = governed.records("ai.call")
    assert record["call_id"] == call["call_id"] and call["decision"] == "allow"
    assert_no_values_on_record(governed)


def test_when_responses_is_block_then_the_caller_gets_a_policy_violation_and_never_the_answer(governed, provider):
    governed(policy("block"))
    provider.script(Reply(text=ANSWER))
    with pytest.raises(aigov.PolicyViolation) as refused:
        openai_client(provider).chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert refused.value.rule == "redaction.response_blocked"
    assert "SECRET (1)" in refused.value.reason and KEY not in str(refused.value)
    (record,) = governed.records("response.redaction")
    assert (record["decision"], record["entities"]) == ("block", {"SECRET": 1})
    assert refused.value.record["seq"] == record["seq"]
    assert len(provider.received) == 1  # one refusal, no retry
    assert_no_values_on_record(governed)


def test_when_responses_is_allow_then_answers_are_left_alone(governed, provider):
    governed(policy("allow"))
    provider.script(Reply(text=ANSWER))
    answer = openai_client(provider).chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert answer.choices[0].message.content == ANSWER
    assert governed.records("response.redaction") == []


def test_when_a_streamed_answer_leaks_a_key_then_it_is_masked_and_earlier_sentences_arrive_at_once(governed, provider):
    governed(policy("redact"))
    provider.script(Reply(text=ANSWER, chunk_delay=0.05))
    stream = openai_client(provider).chat.completions.create(model="gpt-4o-mini", messages=ASK, stream=True)
    arrivals: list[tuple[float, str]] = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append((time.monotonic(), chunk.choices[0].delta.content))
    ended = time.monotonic()
    assert "".join(text for _, text in arrivals) == MASKED
    first_at, first = arrivals[0]
    assert first == "Here is a working config. "
    assert ended - first_at > 0.2  # the first sentence went out while ~9 more words were still to come
    (record,) = governed.records("response.redaction")
    assert record["entities"] == {"SECRET": 1}


def test_when_a_streamed_tool_call_carries_a_key_split_across_chunks_then_its_arguments_are_masked(governed, provider):
    assert not any(KEY in piece for piece in thirds(json.dumps(SEND.arguments)))  # the stand-in splits the key
    governed(policy("redact"))
    provider.script(Reply(text="Sending it now.", tool_calls=[SEND]))
    stream = openai_client(provider).chat.completions.create(
        model="gpt-4o-mini", messages=ASK, tools=TOOLS, stream=True
    )
    text, arguments = "", ""
    for chunk in stream:
        for choice in chunk.choices:
            text += choice.delta.content or ""
            arguments += "".join(call.function.arguments or "" for call in choice.delta.tool_calls or [])
    assert (text, json.loads(arguments)) == ("Sending it now.", MASKED_SEND)
    (record,) = governed.records("response.redaction")
    assert record["entities"] == {"EMAIL_ADDRESS": 1, "SECRET": 1}


def test_when_tool_call_arguments_carry_personal_data_then_they_are_masked(governed, provider):
    governed(policy("redact"))
    provider.script(Reply(tool_calls=[SEND]))
    answer = openai_client(provider).chat.completions.create(model="gpt-4o-mini", messages=ASK, tools=TOOLS)
    (call,) = answer.choices[0].message.tool_calls
    assert json.loads(call.function.arguments) == MASKED_SEND


def test_when_blocking_and_tool_call_arguments_carry_personal_data_then_the_call_never_arrives(governed, provider):
    governed(policy("block"))
    provider.script(Reply(text="Sending.", tool_calls=[SEND]))
    stream = openai_client(provider).chat.completions.create(
        model="gpt-4o-mini", messages=ASK, tools=TOOLS, stream=True
    )
    with pytest.raises(aigov.PolicyViolation) as refused:
        for chunk in stream:
            assert not any(choice.delta.tool_calls for choice in chunk.choices)
    assert refused.value.rule == "redaction.response_blocked"
    assert_no_values_on_record(governed)


def test_when_an_anthropic_stream_leaks_a_key_then_the_text_stream_is_masked(governed, provider):
    governed(policy("redact"))
    provider.script(Reply(text=ANSWER))
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    with client.messages.stream(model="claude-sonnet-4-6", max_tokens=100, messages=ASK) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == final.content[0].text == MASKED


def test_when_bedrock_answers_leak_a_key_then_converse_and_its_stream_are_masked(governed, provider, bedrock):
    governed(policy("redact"))
    provider.script(Reply(text=ANSWER), Reply(text=ANSWER))
    messages = [{"role": "user", "content": [{"text": "x"}]}]
    request = {"modelId": "anthropic.claude-3-haiku-20240307-v1:0", "messages": messages}
    answer = bedrock.converse(**request)
    assert answer["output"]["message"]["content"][0]["text"] == MASKED
    events = bedrock.converse_stream(**request)["stream"]
    text = "".join(e.get("contentBlockDelta", {}).get("delta", {}).get("text", "") for e in events)
    assert text == MASKED
    assert [r["entities"] for r in governed.records("response.redaction")] == [{"SECRET": 1}, {"SECRET": 1}]


def test_when_the_model_repeats_a_value_aigov_restored_then_it_is_the_callers_own_and_no_finding(governed, provider):
    governed(policy("block"))
    provider.script(Reply(text="I wrote to <EMAIL_ADDRESS_1> as you asked."))
    messages = [{"role": "user", "content": "Draft a note to frank.holt@example.com"}]
    answer = openai_client(provider).chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert answer.choices[0].message.content == "I wrote to frank.holt@example.com as you asked."
    assert governed.records("response.redaction") == []


def test_when_a_value_was_in_the_prompt_as_the_caller_wrote_it_then_repeating_it_is_no_finding(governed, provider):
    gateway = governed(policy("block"))
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi."}]}).encode()
    url = provider.openai_base_url + "/chat/completions"
    in_flight = gateway.pipeline.begin(OutboundRequest("httpx", "POST", url, {}, body))
    assert in_flight is not None and in_flight.scanning is not None
    # a value detection missed in the prompt but finds in the answer is still the caller's own
    in_flight.call.text_parts = [TextPart(("messages", 0, "content"), "Reach me at frank.holt@example.com", "user")]
    wanted, engine = detection_for(in_flight.effective.redaction)
    judge = AnswerRedaction(in_flight, engine, wanted)
    assert judge.find(["Write to frank.holt@example.com today."]) == [[]]
    with pytest.raises(aigov.PolicyViolation) as refused:
        judge.find(["Write to grace.hopper@example.com today."])
    assert refused.value.rule == "redaction.response_blocked"
    with pytest.raises(aigov.PolicyViolation):  # in the prompt as part of a longer word is not the same value
        judge.find(["Write to olt@example.com today."])


def test_when_a_redacted_answer_is_resent_in_the_history_then_its_markers_pass_as_plain_text(governed, provider):
    governed(policy("redact"))
    client = openai_client(provider)
    provider.script(Reply(text=ANSWER), Reply(text="Fine."))
    first = client.chat.completions.create(model="gpt-4o-mini", messages=ASK)
    reply = {"role": "assistant", "content": first.choices[0].message.content}
    history = [*ASK, reply, {"role": "user", "content": "Thanks"}]
    client.chat.completions.create(model="gpt-4o-mini", messages=history)
    assert provider.received[-1].json["messages"][1]["content"] == MASKED
    assert [call["decision"] for call in governed.records("ai.call")] == ["allow", "allow"]


def test_when_the_responses_api_leaks_a_key_then_its_json_and_its_stream_are_masked(governed, provider):
    governed(policy("redact"))
    provider.script(Reply(text=ANSWER), Reply(text=ANSWER))
    client = openai_client(provider)
    assert client.responses.create(model="gpt-4.1-mini", input="Config?").output_text == MASKED
    events = list(client.responses.create(model="gpt-4.1-mini", input="Config?", stream=True))
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == MASKED
    assert [e.text for e in events if e.type == "response.output_text.done"] == [MASKED]
    assert events[-1].response.output_text == MASKED


def test_when_a_gemini_stream_leaks_a_key_then_it_is_masked(governed, provider):
    from google import genai
    from google.genai import types

    governed(policy("redact"))
    provider.script(Reply(text=ANSWER))
    client = genai.Client(api_key="x", http_options=types.HttpOptions(base_url=provider.gemini_base_url))
    chunks = client.models.generate_content_stream(model="gemini-2.5-flash", contents="Config?")
    assert "".join(chunk.text or "" for chunk in chunks) == MASKED


def test_when_an_ollama_ndjson_stream_leaks_a_key_then_it_is_masked(governed, provider):
    import requests

    governed(policy("redact"))
    provider.script(Reply(text=ANSWER))
    body = {"model": "llama3.2", "messages": ASK}
    with requests.post(provider.ollama_base_url + "/api/chat", json=body, stream=True, timeout=10) as reply:
        lines = [json.loads(line) for line in reply.iter_lines() if line]
    assert "".join(line["message"]["content"] for line in lines) == MASKED


def test_when_a_bedrock_invoke_stream_leaks_a_key_then_its_wrapped_events_are_masked(governed, provider, bedrock):
    governed(policy("block"))
    provider.script(Reply(text=ANSWER))
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": ASK})
    stream = bedrock.invoke_model_with_response_stream(modelId="anthropic.claude-3-haiku-20240307-v1:0", body=body)
    text = ""
    with pytest.raises(aigov.PolicyViolation) as refused:
        for event in stream["body"]:
            inner = json.loads(event["chunk"]["bytes"])
            text += inner.get("delta", {}).get("text", "")
    assert refused.value.rule == "redaction.response_blocked"
    assert text == "Here is a working config. "
    (response,) = governed.records("ai.response")
    assert response["answer_scan"] == "block"


def test_when_an_answer_is_masked_then_aigov_decisions_lists_it_beside_its_call(governed, provider):
    governed(policy("redact"))
    provider.script(Reply(text=ANSWER))
    openai_client(provider).chat.completions.create(model="gpt-4o-mini", messages=ASK)
    frame = aigov.decisions()
    assert list(frame["event"]) == ["ai.call", "response.redaction"]
    assert frame.iloc[1]["entities"] == {"SECRET": 1} and frame.iloc[1]["call_id"] == frame.iloc[0]["call_id"]


def test_when_a_team_pattern_matches_in_an_answer_then_it_is_masked_like_any_entity(governed, provider):
    pattern = r"{name: employee_id, regex: '\bEMP-\d{6}\b', entity: EMPLOYEE_ID, score: 0.9}"
    section = f"  responses: redact\n  entities: {{EMPLOYEE_ID: redact}}\n  patterns: [{pattern}]\n"
    governed(f"version: 1\nredaction:\n{section}")
    provider.script(Reply(text="The ticket belongs to EMP-123456."))
    answer = openai_client(provider).chat.completions.create(model="gpt-4o-mini", messages=ASK)
    assert answer.choices[0].message.content == "The ticket belongs to <EMPLOYEE_ID>."
