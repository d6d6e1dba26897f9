"""The gRPC wire format: Vertex AI's GenerateContent messages read as their REST twin's JSON and written back."""

from __future__ import annotations

import struct

import pytest

from jupyter_aigov.providers import get_catalogue
from jupyter_aigov.providers.grpc_messages import MAX_DEPTH, answer_twin, request_twin
from jupyter_aigov.providers.protobuf import FIXED64, new_field, parse
from jupyter_aigov.testing.grpc_prediction import answer_message

MODEL = "projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash"
METHOD = "/google.cloud.aiplatform.v1.PredictionService/GenerateContent"


def _f(number: int, value: int | bytes | str) -> bytes:
    return new_field(number, value).raw


def _content(role: str, *parts: bytes) -> bytes:
    return _f(1, role) + b"".join(_f(2, part) for part in parts)


def _text(text: str) -> bytes:
    return _f(1, text)


def _string_value(text: str) -> bytes:
    return _f(3, text)


def _struct(**values: bytes) -> bytes:
    return b"".join(_f(1, _f(1, key) + _f(2, value)) for key, value in values.items())


def _request(*contents: bytes, extra: bytes = b"") -> bytes:
    return _f(5, MODEL) + b"".join(_f(2, content) for content in contents) + extra


def test_when_a_request_is_read_then_its_twin_is_the_rest_body():
    tool = _f(1, _f(1, "lookup_customer") + _f(2, "Finds a customer by name"))
    number = new_field(2, struct.unpack("<Q", struct.pack("<d", 3.0))[0], FIXED64).raw
    call = _f(5, _f(1, "lookup_customer") + _f(2, _struct(name=_string_value("Ann Smith"), n=number)))
    data = _request(
        _content("user", _text("hello")),
        _content("model", call),
        extra=_f(8, _content("", _text("be brief"))) + _f(6, tool) + _f(10, _f(1, "team") + _f(2, "risk")),
    )
    twin = request_twin("vertex", data)
    assert twin.body == {
        "model": MODEL,
        "contents": [
            {"role": "user", "parts": [{"text": "hello"}]},
            {
                "role": "model",
                "parts": [{"functionCall": {"name": "lookup_customer", "args": {"name": "Ann Smith", "n": 3.0}}}],
            },
        ],
        "systemInstruction": {"role": "", "parts": [{"text": "be brief"}]},
        "tools": [{"functionDeclarations": [{"name": "lookup_customer", "description": "Finds a customer by name"}]}],
        "labels": {"team": "risk"},
    }


def test_when_strings_of_the_twin_change_then_only_they_change_in_the_message():
    unknown = _f(77, b"\x00\x01\x02\xff")  # a binary field the table does not know: kept, not read
    call = _f(5, _f(1, "lookup") + _f(2, _struct(who=_string_value("ann@example.com"))))
    data = _request(
        _content("user", _text("mail ann@example.com"), call), extra=unknown + _f(10, _f(1, "k") + _f(2, "ann"))
    )
    twin = request_twin("vertex", data)
    body = twin.body
    body["contents"][0]["parts"][0]["text"] = "mail <EMAIL_ADDRESS_1>"
    body["contents"][0]["parts"][1]["functionCall"]["args"]["who"] = "<EMAIL_ADDRESS_1>"
    body["labels"]["k"] = "<PERSON_1>"
    out = twin.rewritten(body)
    again = request_twin("vertex", out)
    assert again.body == body
    assert unknown in out and out.startswith(_f(5, MODEL))
    assert twin.rewritten(request_twin("vertex", data).body) == data  # nothing changed: the very bytes


def test_when_a_field_is_unknown_then_its_text_is_still_read_and_written_back():
    # generation_config (4) is not in the table: its stop sequence (6) is text, found inside it
    config = _f(4, new_field(1, 1, 5).raw + _f(6, "stop at Ann Smith"))
    twin = request_twin("vertex", _request(_content("user", _text("hi")), extra=config + _f(42, "free text")))
    assert twin.body["field4"] == [{"field6": ["stop at Ann Smith"]}]
    assert twin.body["field42"] == ["free text"]
    twin.body["field4"][0]["field6"][0] = "stop at <PERSON_1>"
    out = twin.rewritten(twin.body)
    assert b"stop at <PERSON_1>" in out and b"free text" in out
    assert len(parse(out)) == len(parse(twin.data))


def test_when_the_catalogue_meets_a_vertex_grpc_call_then_it_is_decided_as_its_rest_twin():
    data = _request(_content("user", _text("hello ann@example.com")))
    catalogue = get_catalogue()
    call = catalogue.recognise("POST", f"grpc://us-central1-aiplatform.googleapis.com:443{METHOD}", None, data)
    assert call is not None
    assert (call.provider, call.api, call.operation, call.model, call.stream) == (
        "vertex-ai",
        "gemini",
        "generateContent",
        "gemini-2.0-flash",
        False,
    )
    assert [part.text for part in call.text_parts] == ["hello ann@example.com"]
    stream = catalogue.recognise(
        "POST", f"grpc://aiplatform.googleapis.com:443{METHOD.replace('/Gen', '/StreamGen')}", None, data
    )
    assert stream is not None and stream.stream and stream.operation == "streamGenerateContent"


def test_when_a_policy_names_a_loopback_provider_then_the_grpc_call_is_theirs():
    data = _request(_content("user", _text("hi")))
    extra = [("vertex-standin", "http://127.0.0.1:5005", "gemini")]
    call = get_catalogue().recognise("POST", f"grpc://127.0.0.1:5005{METHOD}", None, data, extra)
    assert call is not None and call.provider == "vertex-standin"
    elsewhere = get_catalogue().recognise("POST", f"grpc://127.0.0.1:6000{METHOD}", None, data, extra)
    assert elsewhere is not None and elsewhere.provider == "gemini-compatible"  # the method is AI wherever it goes


def test_when_a_grpc_method_is_not_ai_then_it_is_not_recognised():
    catalogue = get_catalogue()
    assert not catalogue.might_be_ai("POST", "grpc://127.0.0.1:5005/test.Echo/Say")
    assert catalogue.recognise("POST", "grpc://aiplatform.googleapis.com:443/test.Echo/Say", None, b"") is None
    assert catalogue.might_be_ai("POST", f"grpc://127.0.0.1:5005{METHOD}")


@pytest.mark.parametrize(
    "data",
    [
        b"\x2a\x05ab",  # a length past the end
        _f(5, MODEL) + _f(2, _f(1, b"\xff\xfe")),  # a role that is not UTF-8
        _f(5, 7),  # the model as a number
    ],
)
def test_when_a_request_cannot_be_read_then_its_body_is_unknown(data):
    call = get_catalogue().recognise("POST", f"grpc://aiplatform.googleapis.com:443{METHOD}", None, data)
    assert call is not None and call.body is None and call.model is None


def test_when_messages_nest_deeper_than_the_bound_then_reading_stops_with_a_clear_error():
    value = _string_value("bottom")
    for _ in range(MAX_DEPTH + 5):
        value = _f(5, _struct(a=value))  # Value{struct_value: Struct{a: Value{...}}}
    call = _f(5, _f(1, "f") + _f(2, _struct(deep=value)))
    with pytest.raises(ValueError, match="nested deeper"):
        request_twin("vertex", _request(_content("user", call)))
    unknown = _f(1, "text")
    for _ in range(MAX_DEPTH + 5):
        unknown = _f(99, unknown)
    with pytest.raises(ValueError, match="nested deeper"):
        request_twin("vertex", _request(extra=unknown))


def test_when_nesting_is_deep_but_within_the_bound_then_it_is_read():
    value = _string_value("bottom")
    for _ in range(10):
        value = _f(5, _struct(a=value))
    call = _f(5, _f(1, "f") + _f(2, _struct(deep=value)))
    twin = request_twin("vertex", _request(_content("user", call)))
    args = twin.body["contents"][0]["parts"][0]["functionCall"]["args"]["deep"]
    for _ in range(10):
        args = args["a"]
    assert args == "bottom"


def test_when_an_answer_is_read_then_its_twin_carries_text_and_usage():
    twin = answer_twin("vertex", answer_message("Hello there"))
    assert twin.body["candidates"][0]["content"] == {"role": "model", "parts": [{"text": "Hello there"}]}
    assert twin.body["usageMetadata"] == {"promptTokenCount": 11, "candidatesTokenCount": 7, "totalTokenCount": 18}
