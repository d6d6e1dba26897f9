"""grpcio, governed: Vertex AI's PredictionService over real channels to a loopback stand-in, decided like REST."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import grpc
import pytest

import aigov
from jupyter_aigov import governance, intercept
from jupyter_aigov.intercept.patches import PatchSet
from jupyter_aigov.providers.grpc_messages import answer_twin, request_twin
from jupyter_aigov.providers.protobuf import new_field
from jupyter_aigov.testing.grpc_prediction import CANDIDATE_TOKENS, ECHO_METHOD, PROMPT_TOKENS, StandInPrediction

SERVICE = "/google.cloud.aiplatform.v1.PredictionService"
ALLOWED = "projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash"
DENIED = "projects/p/locations/us-central1/publishers/google/models/gemini-1.5-pro"


@pytest.fixture(scope="module")
def running_prediction() -> Iterator[StandInPrediction]:
    with StandInPrediction() as server:
        yield server


@pytest.fixture
def prediction(running_prediction: StandInPrediction) -> StandInPrediction:
    running_prediction.clear()
    running_prediction.reply_text = "Hello from the stand-in Vertex AI."
    return running_prediction


def policy(server: StandInPrediction, extra: str = "", responses: str = "allow") -> str:
    return f"""
version: 1
models:
  deny: ["gemini-1.5-*"]
redaction:
  responses: {responses}
  entities: {{EMAIL_ADDRESS: redact}}
providers:
  - {{name: vertex-standin, base_url: "http://{server.target}", api: gemini}}
{extra}"""


def request(model: str = ALLOWED, text: str = "hello") -> bytes:
    part = new_field(1, text).raw
    content = new_field(1, "user").raw + new_field(2, part).raw
    return new_field(5, model).raw + new_field(2, content).raw


def reply_text(message: bytes) -> str:
    return answer_twin("vertex", message).body["candidates"][0]["content"]["parts"][0]["text"]


class Prompt:
    """A request object of the caller's own, serialized by the multicallable's serializer (as a stub's are)."""

    def __init__(self, model: str, text: str) -> None:
        self.model, self.text = model, text

    def SerializeToString(self) -> bytes:
        return request(self.model, self.text)


def test_when_the_model_is_denied_then_the_call_is_refused_once_and_never_sent(governed, prediction):
    governed(policy(prediction))
    with grpc.insecure_channel(prediction.target) as channel:
        generate = channel.unary_unary(f"{SERVICE}/GenerateContent")
        with pytest.raises(aigov.PolicyViolation) as refused:
            generate(request(DENIED))
        with pytest.raises(aigov.PolicyViolation):
            channel.unary_stream(f"{SERVICE}/StreamGenerateContent")(request(DENIED))
    assert refused.value.rule == "models.deny"
    calls = governed.records("ai.call")
    assert [(c["decision"], c["model"], c["library"], c["provider"]) for c in calls] == [
        ("block", "gemini-1.5-pro", "grpcio", "vertex-standin"),
        ("block", "gemini-1.5-pro", "grpcio", "vertex-standin"),
    ]
    assert calls[0]["host"] == prediction.target and calls[1]["stream"] is True
    assert prediction.received == []


def test_when_a_unary_call_is_allowed_then_every_way_to_call_it_works_and_usage_is_read(governed, prediction):
    governed(policy(prediction))
    with grpc.insecure_channel(prediction.target) as channel:
        generate = channel.unary_unary(
            f"{SERVICE}/GenerateContent", request_serializer=Prompt.SerializeToString, response_deserializer=reply_text
        )
        called = generate(Prompt(ALLOWED, "one"))
        answered, rpc = generate.with_call(Prompt(ALLOWED, "two"), timeout=10)
        future = generate.future(Prompt(ALLOWED, "three"))
        seen: list[Any] = []
        future.add_done_callback(seen.append)
        later = future.result(timeout=10)
    assert called == answered == later == "Hello from the stand-in Vertex AI."
    assert rpc.code() == grpc.StatusCode.OK and future.exception() is None
    assert [r.body["contents"][0]["parts"][0]["text"] for r in prediction.received if r.body] == ["one", "two", "three"]
    responses = governed.records("ai.response")
    assert len(responses) == 3
    assert all(r["usage"] == {"input_tokens": PROMPT_TOKENS, "output_tokens": CANDIDATE_TOKENS} for r in responses)
    assert [c["decision"] for c in governed.records("ai.call")] == ["allow"] * 3


def test_when_a_stream_is_allowed_then_every_message_arrives_and_usage_comes_from_the_last(governed, prediction):
    governed(policy(prediction))
    with grpc.insecure_channel(prediction.target) as channel:
        stream = channel.unary_stream(f"{SERVICE}/StreamGenerateContent", response_deserializer=reply_text)
        answer = stream(request(text="tell me"))
        pieces = list(answer)
        assert answer.code() == grpc.StatusCode.OK  # the rest of the call is grpc's own
    assert "".join(pieces) == "Hello from the stand-in Vertex AI."
    (call,) = governed.records("ai.call")
    assert (call["operation"], call["stream"], call["model"]) == ("streamGenerateContent", True, "gemini-2.0-flash")
    (response,) = governed.records("ai.response")
    assert response["usage"] == {"input_tokens": PROMPT_TOKENS, "output_tokens": CANDIDATE_TOKENS}


def test_when_a_text_part_holds_a_personal_email_then_the_server_receives_it_redacted(governed, prediction):
    governed(policy(prediction))
    with grpc.insecure_channel(prediction.target) as channel:
        channel.unary_unary(f"{SERVICE}/GenerateContent")(request(text="Write to ann.smith@example.org today"))
        list(channel.unary_stream(f"{SERVICE}/StreamGenerateContent")(request(text="cc ann.smith@example.org")))
    sent = [r.body["contents"][0]["parts"][0]["text"] for r in prediction.received if r.body]
    assert sent == ["Write to <EMAIL_ADDRESS_1> today", "cc <EMAIL_ADDRESS_1>"]
    assert all(b"ann.smith" not in r.data for r in prediction.received)
    assert request_twin("vertex", prediction.received[0].data).body["model"] == ALLOWED  # the rest as it was
    (call, _) = governed.records("ai.call")
    assert (call["decision"], call["entities"]) == ("redact", {"EMAIL_ADDRESS": 1})


def test_when_the_answer_names_a_placeholder_then_the_caller_reads_the_original(governed, prediction):
    governed(policy(prediction))
    with grpc.insecure_channel(prediction.target) as channel:
        generate = channel.unary_unary(f"{SERVICE}/GenerateContent", response_deserializer=reply_text)
        generate(request(text="Write to ann.smith@example.org today"))
        prediction.reply_text = "Sent to <EMAIL_ADDRESS_1>."
        assert generate(request(text="and again")) == "Sent to ann.smith@example.org."
        streamed = channel.unary_stream(f"{SERVICE}/StreamGenerateContent", response_deserializer=reply_text)
        assert "".join(streamed(request(text="once more"))) == "Sent to ann.smith@example.org."


def test_when_the_answer_calls_a_forbidden_tool_then_the_caller_gets_tool_call_blocked(governed, prediction):
    governed(policy(prediction, 'tools:\n  deny: ["run_shell"]\n'))
    prediction.function_call = "run_shell"
    with grpc.insecure_channel(prediction.target) as channel, pytest.raises(aigov.ToolCallBlocked):
        channel.unary_unary(f"{SERVICE}/GenerateContent")(request(text="list files"))
    assert [r["decision"] for r in governed.records("tool.call")] == ["block"]


def test_when_a_route_would_move_a_grpc_call_then_it_is_refused(governed, prediction):
    route = (
        'routes:\n  - {match: "gemini-2.0-*", to: {base_url: "https://eu.example.com/v1", model: "gemini-2.0-eu"}}\n'
    )
    governed(policy(prediction, route))
    with grpc.insecure_channel(prediction.target) as channel, pytest.raises(aigov.PolicyViolation) as refused:
        channel.unary_unary(f"{SERVICE}/GenerateContent")(request())
    assert "cannot be routed" in str(refused.value)
    assert prediction.received == [] and len(governed.records("ai.call")) == 1


def test_when_the_request_cannot_be_serialized_and_the_policy_must_read_it_then_it_is_refused(governed, prediction):
    governed(policy(prediction))

    def broken(_request: Any) -> bytes:
        raise TypeError("not a message")

    with grpc.insecure_channel(prediction.target) as channel, pytest.raises(aigov.PolicyViolation) as refused:
        channel.unary_unary(f"{SERVICE}/GenerateContent", request_serializer=broken)(object())
    assert refused.value.rule == "request.unreadable"
    assert prediction.received == []


def test_when_a_stub_was_made_before_loading_then_its_calls_are_governed(governed, prediction):
    channel = grpc.insecure_channel(prediction.target)
    generate = channel.unary_unary(f"{SERVICE}/GenerateContent")  # as a generated stub makes it, at import
    governed(policy(prediction))
    with pytest.raises(aigov.PolicyViolation):
        generate(request(DENIED))
    channel.close()
    assert prediction.received == []


def test_when_a_grpc_service_is_not_ai_then_its_calls_pass_untouched(governed, prediction):
    governed(policy(prediction))
    with grpc.insecure_channel(prediction.target) as channel:
        echo = channel.unary_unary(ECHO_METHOD)
        payload = request(DENIED, "mail ann.smith@example.org")  # AI-shaped bytes, to a method that is not AI
        assert echo(payload) == payload
    assert prediction.received[0].data == payload
    assert governed.records("ai.call") == []


def _broken(patches: PatchSet, module: ModuleType) -> None:
    raise AttributeError("module 'grpc._channel' has no attribute '_UnaryUnaryMultiCallable'")


def test_when_the_grpc_layer_cannot_be_installed_then_its_ai_calls_are_refused(governed, prediction, monkeypatch):
    monkeypatch.setitem(intercept.LAYERS, "grpc._channel", _broken)
    governed(policy(prediction))
    status = governance.status()
    assert "grpc._channel" in status["interception_failures"] and "grpc._channel" in status["refusing"]
    with grpc.insecure_channel(prediction.target) as channel:
        with pytest.raises(aigov.PolicyViolation) as refused:
            channel.unary_unary(f"{SERVICE}/GenerateContent")(request())
        with pytest.raises(aigov.PolicyViolation):
            channel.unary_stream(f"{SERVICE}/StreamGenerateContent")(request())
        assert channel.unary_unary(ECHO_METHOD)(b"fine") == b"fine"  # what is not AI still goes
    assert refused.value.rule == "intercept.unavailable"
    assert [r.method for r in prediction.received] == [ECHO_METHOD]
    assert [c["rules"] for c in governed.records("ai.call")] == [["intercept.unavailable"]] * 2


def test_when_governance_is_unloaded_then_grpc_is_as_it_was(governed, prediction):
    import grpc._channel as channel_module

    before = channel_module._UnaryUnaryMultiCallable.__dict__["__call__"]
    governed(policy(prediction))
    assert channel_module._UnaryUnaryMultiCallable.__dict__["__call__"] is not before
    governance.disable()
    assert channel_module._UnaryUnaryMultiCallable.__dict__["__call__"] is before
    with grpc.insecure_channel(prediction.target) as channel:
        channel.unary_unary(f"{SERVICE}/GenerateContent")(request(DENIED))
    assert len(prediction.received) == 1


async def test_when_a_grpc_aio_channel_makes_an_ai_call_then_it_is_refused_before_it_starts(governed, prediction):
    governed(policy(prediction))
    async with grpc.aio.insecure_channel(prediction.target) as channel:
        with pytest.raises(aigov.PolicyViolation) as refused:
            await channel.unary_unary(f"{SERVICE}/GenerateContent")(request())
        with pytest.raises(aigov.PolicyViolation):
            channel.unary_stream(f"{SERVICE}/StreamGenerateContent")(request())
        assert await channel.unary_unary(ECHO_METHOD)(b"fine") == b"fine"  # what is not AI still goes
    assert refused.value.rule == "intercept.unavailable" and "grpc.aio" in refused.value.reason
    assert [r.method for r in prediction.received] == [ECHO_METHOD]
    assert len(governed.records("ai.call")) == 2


def test_when_the_grpc_patch_is_put_back_by_hand_then_the_next_call_is_refused(governed, prediction):
    import grpc._channel as channel_module

    owner = channel_module._UnaryUnaryMultiCallable
    governed(policy(prediction))
    with grpc.insecure_channel(prediction.target) as channel:
        generate = channel.unary_unary(f"{SERVICE}/GenerateContent")
        owner.__call__ = owner.__dict__["__call__"].__aigov_original__  # one line, in a cell
        with pytest.raises(aigov.PolicyViolation) as refused:
            generate(request(DENIED))
    assert refused.value.rule == "governance.tampered"
    assert prediction.received == []
    assert [r["rules"] for r in governed.records("governance.tampered")] == [["governance.tampered"]]


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "stream"])
def test_when_answers_are_scanned_then_an_email_in_them_is_masked_for_the_caller(governed, prediction, streamed):
    governed(policy(prediction, responses="redact"))
    prediction.reply_text = "Reach the owner at bob.jones@example.net for details."
    with grpc.insecure_channel(prediction.target) as channel:
        if streamed:
            stream = channel.unary_stream(f"{SERVICE}/StreamGenerateContent", response_deserializer=reply_text)
            text = "".join(stream(request(text="who owns it?")))
        else:
            text = channel.unary_unary(f"{SERVICE}/GenerateContent", response_deserializer=reply_text)(request())
    assert "bob.jones" not in text and text.startswith("Reach the owner at ") and text.endswith(" for details.")
