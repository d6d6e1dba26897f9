"""Websockets governed: the openai SDK's Realtime API, websockets (asyncio and threading) and websocket-client,
against a loopback Realtime stand-in (and Google's Live API at its path)."""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import openai
import pytest
import websocket
import websockets
from websockets.sync.client import connect as sync_connect

import aigov
from jupyter_aigov import governance, intercept
from jupyter_aigov.intercept.patches import PatchSet
from jupyter_aigov.testing.realtime_server import TOKENS_IN, TOKENS_OUT, RealtimeStandIn

POLICY = """
version: 1
models:
  deny: ["*-realtime-preview*", "*-exp*"]
redaction:
  entities: {PERSON: redact, EMAIL_ADDRESS: redact}
tools:
  deny: ["run_shell"]
"""
ALLOWED, DENIED = "gpt-realtime", "gpt-4o-realtime-preview"
PROMPT = "hello realtime"


def user_text(text: str) -> dict[str, Any]:
    content = [{"type": "input_text", "text": text}]
    return {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": content}}


RESPOND = {"type": "response.create"}


@pytest.fixture(scope="module")
def running_realtime() -> Iterator[RealtimeStandIn]:
    with RealtimeStandIn() as server:
        yield server


@pytest.fixture
def realtime(running_realtime: RealtimeStandIn) -> RealtimeStandIn:
    running_realtime.clear()
    return running_realtime


# -- one conversation through each client: send events, read events until response.done ---------------------
# Each returns the events the caller read (as dicts), in order; it raises what the client raised.
Conversation = Callable[[RealtimeStandIn, str, list[dict[str, Any]]], list[dict[str, Any]]]


def _until_done(read: Callable[[], Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while not events or events[-1]["type"] != "response.done":
        events.append(read())
    return events


def _openai_sync(server: RealtimeStandIn, model: str, sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    client = openai.OpenAI(base_url=server.openai_base_url, api_key="x")
    with client.realtime.connect(model=model) as connection:
        for event in sent:
            connection.send(event)  # type: ignore[arg-type]
        return _until_done(lambda: connection.recv().to_dict())


def _openai_async(server: RealtimeStandIn, model: str, sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    async def talk() -> list[dict[str, Any]]:
        client = openai.AsyncOpenAI(base_url=server.openai_base_url, api_key="x")
        async with client.realtime.connect(model=model) as connection:
            for event in sent:
                await connection.send(event)  # type: ignore[arg-type]
            events: list[dict[str, Any]] = []
            while not events or events[-1]["type"] != "response.done":
                events.append((await connection.recv()).to_dict())
            return events

    return asyncio.run(talk())


def _websockets_sync(server: RealtimeStandIn, model: str, sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with sync_connect(server.realtime_url(model)) as connection:
        for event in sent:
            connection.send(json.dumps(event))
        return _until_done(lambda: json.loads(connection.recv()))


def _websockets_asyncio(server: RealtimeStandIn, model: str, sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    async def talk() -> list[dict[str, Any]]:
        async with websockets.connect(server.realtime_url(model)) as connection:
            for event in sent:
                await connection.send(json.dumps(event))
            events: list[dict[str, Any]] = []
            async for message in connection:
                events.append(json.loads(message))
                if events[-1]["type"] == "response.done":
                    break
            return events

    return asyncio.run(talk())


def _websocket_client(server: RealtimeStandIn, model: str, sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    connection = websocket.create_connection(server.realtime_url(model))
    try:
        for event in sent:
            connection.send(json.dumps(event))
        return _until_done(lambda: json.loads(connection.recv()))
    finally:
        connection.close()


def _websocket_app(server: RealtimeStandIn, model: str, sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []

    def on_open(app: websocket.WebSocketApp) -> None:
        for event in sent:
            app.send(json.dumps(event))

    def on_message(app: websocket.WebSocketApp, message: str) -> None:
        events.append(json.loads(message))
        if events[-1]["type"] == "response.done":
            app.close()

    app = websocket.WebSocketApp(server.realtime_url(model), on_open=on_open, on_message=on_message)
    app.run_forever()
    return events


CLIENTS: dict[str, Conversation] = {
    "openai-realtime": _openai_sync,
    "openai-realtime-async": _openai_async,
    "websockets-sync": _websockets_sync,
    "websockets-asyncio": _websockets_asyncio,
    "websocket-client": _websocket_client,
    "websocket-app": _websocket_app,
}


def _text(events: list[dict[str, Any]]) -> str:
    return "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")


# -- connect ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("client", list(CLIENTS))
def test_when_the_model_is_denied_then_the_websocket_is_refused_before_its_handshake(governed, realtime, client):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        CLIENTS[client](realtime, DENIED, [user_text(PROMPT), RESPOND])
    assert refused.value.rule == "models.deny"
    assert realtime.handshakes == []  # not one byte of the handshake
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["rules"], call["model"], call["api"]) == (
        "block",
        ["models.deny"],
        DENIED,
        "openai-realtime",
    )
    assert refused.value.record["seq"] == call["seq"]
    assert governed.records("ai.response") == []


@pytest.mark.parametrize("client", list(CLIENTS))
def test_when_the_model_is_allowed_then_text_goes_both_ways(governed, realtime, client):
    governed(POLICY)
    events = CLIENTS[client](realtime, ALLOWED, [user_text(PROMPT), RESPOND])
    assert _text(events) == f"You said: {PROMPT}"
    assert [e["type"] for e in realtime.received] == ["conversation.item.create", "response.create"]
    assert realtime.handshakes == [f"/v1/realtime?model={ALLOWED}"]
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["model"], call["api"], call["operation"]) == (
        "allow",
        ALLOWED,
        "openai-realtime",
        "realtime",
    )
    assert governed.records("ai.message") == []  # nothing to redact: no record per message
    (response,) = governed.records("ai.response")
    assert (response["call_id"], response["error"]) == (call["call_id"], None)
    assert response["usage"] == {"input_tokens": TOKENS_IN, "output_tokens": TOKENS_OUT}


# -- redaction in transit ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("client", ["openai-realtime", "websockets-asyncio", "websocket-client"])
def test_when_a_text_event_names_a_person_then_the_server_receives_placeholders(governed, realtime, client):
    governed(POLICY)
    prompt = "I am Ada Lovelace, write to ada.lovelace@example.com"
    session = {"type": "session.update", "session": {"type": "realtime", "instructions": "The user is Grace Hopper."}}
    events = CLIENTS[client](realtime, ALLOWED, [session, user_text(prompt), RESPOND])
    sent = json.dumps(realtime.received)
    assert "Ada Lovelace" not in sent and "ada.lovelace@example.com" not in sent and "Grace Hopper" not in sent
    (instructions,) = [e["session"]["instructions"] for e in realtime.received if e["type"] == "session.update"]
    assert instructions == "The user is <PERSON_1>."
    (item,) = [e["item"] for e in realtime.received if e["type"] == "conversation.item.create"]
    assert item["content"][0]["text"] == "I am <PERSON_2>, write to <EMAIL_ADDRESS_1>"
    assert _text(events) == f"You said: {prompt}"  # the placeholders the model echoed are restored for the caller
    redacted = governed.records("ai.message")
    assert [(r["operation"], r["decision"], r["entities"]) for r in redacted] == [
        ("session.update", "redact", {"PERSON": 1}),
        ("conversation.item.create", "redact", {"EMAIL_ADDRESS": 1, "PERSON": 1}),
    ]
    (call,) = governed.records("ai.call")
    assert {r["call_id"] for r in redacted} == {call["call_id"]}
    assert "Lovelace" not in governed.log_path.read_text()  # no value in the evidence


# -- tool calls in the answer -----------------------------------------------------------------------------------
@pytest.mark.parametrize("client", ["openai-realtime", "websockets-sync", "websockets-asyncio", "websocket-client"])
def test_when_the_model_asks_for_a_denied_tool_then_the_call_is_held_and_refused(governed, realtime, client):
    governed(POLICY)
    realtime.script_tool_call("run_shell", {"command": "rm -rf /"})
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        CLIENTS[client](realtime, ALLOWED, [RESPOND])
    assert refused.value.rule == "tools.deny"
    (tool,) = governed.records("tool.call")
    assert (tool["tool"], tool["decision"], tool["source"]) == ("run_shell", "block", "response")
    assert "rm -rf" not in governed.log_path.read_text()
    (response,) = governed.records("ai.response")
    assert response["error"] == "ToolCallBlocked"


def test_when_a_denied_tool_call_is_refused_then_the_caller_saw_none_of_its_events(governed, realtime):
    governed(POLICY)
    realtime.script_tool_call("run_shell", {"command": "ls"})
    seen: list[str] = []
    with sync_connect(realtime.realtime_url(ALLOWED)) as connection:
        connection.send(json.dumps(RESPOND))
        with pytest.raises(aigov.ToolCallBlocked):
            while True:
                seen.append(json.loads(connection.recv())["type"])
    assert seen == ["session.created", "response.created"]
    assert len(governed.records("tool.call")) == 1


def test_when_a_receive_times_out_then_the_session_stays_governed(governed, realtime):
    governed(POLICY)
    realtime.script_tool_call("run_shell", {"command": "ls"})

    async def talk() -> None:
        async with websockets.connect(realtime.realtime_url(ALLOWED)) as connection:
            await connection.recv()  # session.created; the server says nothing more until asked
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(connection.recv(), 0.01)  # a cancelled receive
            await connection.send(json.dumps(RESPOND))
            while True:
                await connection.recv()

    with pytest.raises(aigov.ToolCallBlocked):
        asyncio.run(talk())
    assert len(governed.records("tool.call")) == 1


def test_when_the_model_asks_for_an_allowed_tool_then_the_call_reaches_the_caller(governed, realtime):
    governed(POLICY)
    realtime.script_tool_call("get_weather", {"city": "Paris"})
    events = _websockets_sync(realtime, ALLOWED, [RESPOND])
    (done,) = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert json.loads(done["arguments"]) == {"city": "Paris"}
    (tool,) = governed.records("tool.call")
    assert (tool["tool"], tool["decision"]) == ("get_weather", "allow")


def test_when_a_session_update_offers_a_forbidden_tool_then_it_is_refused(governed, realtime):
    governed(POLICY)
    tool = {"type": "function", "name": "run_shell", "parameters": {"type": "object", "properties": {}}}
    update = {"type": "session.update", "session": {"type": "realtime", "tools": [tool]}}
    with sync_connect(realtime.realtime_url(ALLOWED)) as connection:
        with pytest.raises(aigov.PolicyViolation) as refused:
            connection.send(json.dumps(update))
        connection.send(json.dumps(RESPOND))  # the session goes on
        _until_done(lambda: json.loads(connection.recv()))
    assert refused.value.rule == "tools.deny"
    assert [e["type"] for e in realtime.received] == ["response.create"]
    (message,) = governed.records("ai.message")
    assert (message["decision"], message["tools"], message["operation"]) == ("block", ["run_shell"], "session.update")


# -- what cannot be governed is refused -------------------------------------------------------------------------
def test_when_a_binary_frame_is_sent_then_it_is_refused(governed, realtime):
    governed(POLICY)
    with sync_connect(realtime.realtime_url(ALLOWED)) as connection:
        with pytest.raises(aigov.PolicyViolation) as refused:
            connection.send(b"\x00\x01 raw audio")
        connection.send(json.dumps(RESPOND))
        _until_done(lambda: json.loads(connection.recv()))
    assert refused.value.rule == "request.unreadable"
    assert realtime.received == [RESPOND]
    (message,) = governed.records("ai.message")
    assert (message["decision"], message["operation"]) == ("block", "binary")


@pytest.mark.parametrize("client", ["websockets-sync", "websocket-client"])
def test_when_a_websocket_goes_to_an_ai_host_at_an_unknown_endpoint_then_it_is_refused(governed, client):
    governed(POLICY)
    url = "wss://api.openai.com/v1/responses"  # refused before any connection: no network is needed
    with pytest.raises(aigov.PolicyViolation) as refused:
        if client == "websockets-sync":
            sync_connect(url)
        else:
            websocket.create_connection(url)
    assert refused.value.rule == "websocket.ungoverned"
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["host"], call["operation"]) == ("block", "api.openai.com", "websocket")


def test_when_the_openai_sdk_opens_a_responses_websocket_then_it_is_refused(governed, realtime):
    governed(POLICY)
    client = openai.OpenAI(base_url=realtime.openai_base_url, api_key="x")
    with pytest.raises(aigov.PolicyViolation) as refused, client.responses.connect():
        pass
    assert refused.value.rule == "websocket.ungoverned"
    assert realtime.handshakes == []
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["api"], call["operation"]) == ("block", "openai", "websocket")


def test_when_the_legacy_websockets_client_connects_to_an_ai_endpoint_then_it_is_refused(governed, realtime):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from websockets.legacy.client import connect as legacy_connect
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        legacy_connect(realtime.realtime_url(ALLOWED))
    assert refused.value.rule == "websocket.ungoverned"
    assert realtime.handshakes == []
    assert len(governed.records("ai.call")) == 1


def test_when_a_websocket_is_not_an_ai_endpoint_then_it_passes_untouched(governed, realtime):
    governed(POLICY)
    with sync_connect(f"ws://127.0.0.1:{realtime.port}/chat/room?user=Ada+Lovelace") as connection:
        assert json.loads(connection.recv())["type"] == "session.created"
        connection.send(b"\x00 binary is fine here")
        connection.send("Ada Lovelace")
        assert json.loads(connection.recv())["type"] == "error"  # the text was read: both arrived
    assert realtime.received == [b"\x00 binary is fine here", "Ada Lovelace"]  # as they were sent
    assert governed.records("ai.call", "ai.message") == []


# -- Google's Live API: the model named by the first message ----------------------------------------------------
def _live(server: RealtimeStandIn, model: str, text: str) -> list[dict[str, Any]]:
    async def talk() -> list[dict[str, Any]]:
        async with websockets.connect(server.live_url) as connection:
            await connection.send(json.dumps({"setup": {"model": f"models/{model}"}}))
            received = [json.loads(await connection.recv())]
            turns = [{"role": "user", "parts": [{"text": text}]}]
            await connection.send(json.dumps({"clientContent": {"turns": turns, "turnComplete": True}}))
            received.append(json.loads(await connection.recv()))
            return received

    return asyncio.run(talk())


def test_when_a_live_setup_names_a_denied_model_then_it_is_refused_before_it_leaves(governed, realtime):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        _live(realtime, "gemini-2.0-flash-exp", PROMPT)
    assert refused.value.rule == "models.deny"
    assert realtime.received == []
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["api"], call["model"]) == ("block", "gemini-live", "gemini-2.0-flash-exp")


def test_when_a_live_session_is_allowed_then_its_text_is_redacted_and_restored(governed, realtime):
    governed(POLICY)
    received = _live(realtime, "gemini-live-2.5-flash", "I am Ada Lovelace")
    assert received[0] == {"setupComplete": {}}
    assert received[1]["serverContent"]["modelTurn"]["parts"][0]["text"] == "You said: I am Ada Lovelace"
    assert realtime.received[1]["clientContent"]["turns"][0]["parts"][0]["text"] == "I am <PERSON_1>"
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["model"]) == ("allow", "gemini-live-2.5-flash")
    (response,) = governed.records("ai.response")
    assert response["usage"] == {"input_tokens": TOKENS_IN, "output_tokens": TOKENS_OUT}


def test_when_a_live_session_sends_no_setup_first_then_it_is_refused(governed, realtime):
    governed(POLICY)

    async def talk() -> None:
        async with websockets.connect(realtime.live_url) as connection:
            await connection.send(json.dumps({"clientContent": {"turns": []}}))

    with pytest.raises(aigov.PolicyViolation) as refused:
        asyncio.run(talk())
    assert refused.value.rule == "websocket.ungoverned"
    assert realtime.received == []
    assert len(governed.records("ai.call")) == 1


# -- a layer that cannot be installed refuses -------------------------------------------------------------------
def _broken(patches: PatchSet, module: ModuleType) -> None:
    raise AttributeError("module has no attribute 'ClientConnection' (as a changed library would)")


@pytest.mark.parametrize(
    ("layer", "client"),
    [
        ("websockets.sync.client", "websockets-sync"),
        ("websockets.asyncio.client", "websockets-asyncio"),
        ("websocket", "websocket-client"),
    ],
)
def test_when_a_websocket_layer_cannot_be_installed_then_its_ai_connections_are_refused(
    governed, realtime, monkeypatch, layer, client
):
    monkeypatch.setitem(intercept.LAYERS, layer, _broken)
    governed(POLICY)
    assert layer in governance.status()["refusing"]
    with pytest.raises(aigov.PolicyViolation) as refused:
        CLIENTS[client](realtime, ALLOWED, [user_text(PROMPT)])
    assert refused.value.rule == "intercept.unavailable"
    # none of this test's: a handshake of the test before (a Live session, whose handshake leaves before its
    # decision) can reach the shared stand-in after that test ended, on a loaded machine
    assert [h for h in realtime.handshakes if "/realtime" in h] == []
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["rules"], call["model"]) == ("block", ["intercept.unavailable"], ALLOWED)
