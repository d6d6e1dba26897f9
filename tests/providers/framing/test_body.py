"""A whole body: one frame at the end, whatever the chunks; past the bound, it passes unframed."""

from __future__ import annotations

import pytest

from jupyter_aigov.providers.framing import NOT_JSON, Body, BodyFramer, Unframed, frame

BODY = b'{"choices": [], "usage": {"prompt_tokens": 5}}'


@pytest.mark.parametrize("step", [1, 7, 1000])
def test_when_a_body_arrives_in_chunks_then_it_is_one_frame_at_its_end(step: int) -> None:
    framer = BodyFramer()
    assert [f for i in range(0, len(BODY), step) for f in framer.feed(BODY[i : i + step])] == []
    (body,) = framer.close()
    assert isinstance(body, Body) and body.raw == BODY and body.payload["usage"] == {"prompt_tokens": 5}


@pytest.mark.parametrize(("data", "frames"), [(b"", 0), (b"<html>502</html>", 1), (b"  \n", 1)])
def test_when_a_body_is_empty_or_not_json_then_there_is_nothing_to_parse(data: bytes, frames: int) -> None:
    framer = BodyFramer()
    framer.feed(data)
    closed = framer.close()
    assert len(closed) == frames and all(f.payload is NOT_JSON for f in closed)


def test_when_a_body_is_over_the_bound_then_it_passes_unframed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frame, "MAX_BODY_BYTES", 10)
    framer = BodyFramer()
    assert framer.feed(BODY[:8]) == []
    (over,) = framer.feed(BODY[8:20])
    assert isinstance(over, Unframed) and over.raw == BODY[:20]
    assert over.problem == "the body is over 10 bytes: not read"
    (rest,) = framer.feed(BODY[20:])
    assert rest.raw == BODY[20:] and rest.problem is None
    assert framer.close() == []
