"""Tool calls assembled from OpenAI Realtime and Gemini Live events, held until complete, decided once."""

from __future__ import annotations

import json

from jupyter_aigov.tools.calls import RequestedToolCall, assembler_for

ARGS = {"city": "Paris"}
ITEM = {"id": "item_1", "type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": ""}
AT = {"response_id": "r", "output_index": 0, "item_id": "item_1", "call_id": "call_1"}
STREAM = [
    {"type": "response.output_item.added", "output_index": 0, "item": {**ITEM, "status": "in_progress"}},
    {"type": "response.function_call_arguments.delta", **AT, "delta": '{"city": '},
    {"type": "response.function_call_arguments.delta", **AT, "delta": '"Paris"}'},
    {"type": "response.function_call_arguments.done", **AT, "arguments": json.dumps(ARGS)},
    {"type": "response.output_item.done", "output_index": 0, "item": {**ITEM, "arguments": json.dumps(ARGS)}},
    {"type": "response.done", "response": {"output": [{**ITEM, "arguments": json.dumps(ARGS)}]}},
]


def test_when_a_realtime_call_streams_then_it_is_held_to_its_arguments_end_and_decided_once():
    calls = assembler_for("openai-realtime", "realtime")
    steps = [calls.event(event) for event in STREAM]
    assert [step.holds for step in steps] == [True, True, True, True, False, False]
    completed = [call for step in steps for call in step.completed]
    assert completed == [RequestedToolCall("get_weather", ARGS)]


def test_when_only_response_done_carries_a_realtime_call_then_it_is_decided_there():
    calls = assembler_for("openai-realtime", "realtime")
    step = calls.event(STREAM[-1])
    assert step.completed == (RequestedToolCall("get_weather", ARGS),)


def test_when_text_events_pass_then_nothing_is_held():
    calls = assembler_for("openai-realtime", "realtime")
    step = calls.event({"type": "response.output_text.delta", "delta": "hi"})
    assert (step.holds, step.completed) == (False, ())


def test_when_a_live_tool_call_comes_then_it_is_decided_whole():
    calls = assembler_for("gemini-live", "live")
    step = calls.event({"toolCall": {"functionCalls": [{"id": "c", "name": "get_weather", "args": ARGS}]}})
    assert step.completed == (RequestedToolCall("get_weather", ARGS),)
