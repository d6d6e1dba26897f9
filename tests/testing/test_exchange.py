"""What the wire formats share: route matching, stream splitting, prompt text, the event-stream codec."""

from __future__ import annotations

import pytest
from botocore.eventstream import EventStreamBuffer

from jupyter_aigov.testing import aws_eventstream
from jupyter_aigov.testing.exchange import Call, Route, json_answer, last_user_text, thirds, words
from jupyter_aigov.testing.script import Reply

CONVERSE = Route("POST", "/model/{modelId}/converse", "Bedrock", lambda call: json_answer({}), json_answer)


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("POST", "/model/anthropic.claude-v2%3A1/converse", {"modelId": "anthropic.claude-v2:1"}),
        (
            "POST",
            "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ax%2Fy/converse",
            {"modelId": "arn:aws:bedrock:us-east-1:1:x/y"},
        ),
        ("GET", "/model/m/converse", None),
        ("POST", "/model/m/converse-stream", None),
        ("POST", "/model/a/b/converse", None),
    ],
)
def test_when_a_path_is_matched_then_parameters_are_decoded_or_nothing_matches(
    method: str, path: str, params: dict[str, str] | None
) -> None:
    assert CONVERSE.match(method, path) == params


@pytest.mark.parametrize("text", ["", "one", "Hello from the  stand-in provider.\n", " leading space"])
def test_when_text_is_split_for_streaming_then_the_pieces_join_back(text: str) -> None:
    assert "".join(words(text)) == text
    assert "".join(thirds(text)) == text and len(thirds(text)) <= 3


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "a"),
        ([{"role": "user", "content": [{"type": "text", "text": "x"}, {"type": "image"}]}], "x"),
        ("not a list", ""),
    ],
)
def test_when_the_last_user_text_is_read_then_string_and_part_contents_work(messages: object, expected: str) -> None:
    assert last_user_text(messages) == expected


def test_when_tool_calls_are_scripted_then_there_is_no_default_text() -> None:
    from jupyter_aigov.testing import ToolCall

    call = Call("OpenAI", {}, {}, None, 10, Reply(tool_calls=[ToolCall("f")]))

    assert call.text("prompt") == "" and call.input_tokens == 2


def test_when_an_event_is_encoded_then_botocore_decodes_headers_and_payload() -> None:
    buffer = EventStreamBuffer()
    buffer.add_data(aws_eventstream.event("messageStart", {"role": "assistant"}) + aws_eventstream.event("x", {}))

    first, second = list(buffer)

    assert first.headers == {
        ":event-type": "messageStart",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert first.payload == b'{"role": "assistant"}' and second.headers[":event-type"] == "x"
