"""However a streamed answer ends, its record is completed: read to the end, cut off, closed early, dropped."""

from __future__ import annotations

import gc

import httpx2
import openai
import pytest
import requests

from jupyter_aigov.testing import Reply

HI = [{"role": "user", "content": "hi"}]


def response_record(governed) -> dict:
    (record,) = governed.records("ai.response")
    return record


@pytest.fixture
def client(provider) -> openai.OpenAI:
    return openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=0)


def test_a_stream_read_to_the_end_records_its_usage(governed, client):
    governed()
    options = {"include_usage": True}
    list(client.chat.completions.create(model="gpt-4o-mini", messages=HI, stream=True, stream_options=options))
    record = response_record(governed)
    assert record["error"] is None and record["usage"]["output_tokens"] > 0


def test_a_stream_cut_off_by_the_provider_records_the_error(governed, provider, client):
    governed()
    provider.script(Reply(cut_off=True))
    # openai 3.0 lets httpx2's error through while a stream is read; later releases wrap it as APIConnectionError
    with pytest.raises((openai.APIConnectionError, httpx2.RemoteProtocolError)):
        list(client.chat.completions.create(model="gpt-4o-mini", messages=HI, stream=True))
    assert response_record(governed)["error"] == "RemoteProtocolError"


def test_a_stream_closed_early_is_recorded_at_once(governed, client):
    governed()
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=HI, stream=True)
    next(iter(stream))
    stream.close()
    record = response_record(governed)
    assert record["status"] == 200 and record["duration_ms"] is not None


def test_a_stream_dropped_unread_is_recorded_when_collected(governed, client):
    governed()
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=HI, stream=True)
    del stream
    gc.collect()
    assert response_record(governed)["error"] == "dropped unread"


def test_a_requests_stream_dropped_unread_is_recorded(governed, provider):
    governed()
    body = {"model": "gpt-4o-mini", "messages": HI, "stream": True}
    reply = requests.post(provider.openai_base_url + "/chat/completions", json=body, stream=True, timeout=10)
    assert reply.status_code == 200
    del reply
    gc.collect()
    assert response_record(governed)["error"] in ("dropped unread", "closed before the end")
