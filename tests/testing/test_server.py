"""The stand-in server itself: recording, scripting, 404s, keep-alive, concurrency, truncation, the CLI."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import httpx
import httpx2
import pytest
import requests

from jupyter_aigov.testing import Reply, StandInProvider

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "ping"}]}


def _chat(url: str, **extra: object) -> httpx.Response:
    return httpx.post(f"{url}/v1/chat/completions", json={**CHAT, **extra})


def test_when_the_package_is_imported_then_all_names_its_public_api() -> None:
    import jupyter_aigov.testing as package

    assert sorted(package.__all__) == [
        "DEFAULT_REPLY_TEXT",
        "ReceivedRequest",
        "Reply",
        "StandInProvider",
        "ToolCall",
    ]
    assert all(hasattr(package, name) for name in package.__all__)


def test_when_httpx_posts_then_the_request_is_recorded_in_full(provider: StandInProvider) -> None:
    answer = httpx.post(f"{provider.openai_base_url}/chat/completions?trace=1", json=CHAT, headers={"X-Custom": "yes"})

    assert answer.status_code == 200 and answer.json()["object"] == "chat.completion"
    (received,) = provider.received
    assert (received.method, received.path, received.query) == (
        "POST",
        "/v1/chat/completions",
        {"trace": "1"},
    )
    assert received.headers["x-custom"] == "yes"
    assert json.loads(received.body) == CHAT == received.json


def test_when_httpx2_streams_then_sse_lines_end_with_done(provider: StandInProvider) -> None:
    with httpx2.stream("POST", f"{provider.openai_base_url}/chat/completions", json={**CHAT, "stream": True}) as r:
        lines = [line for line in r.iter_lines() if line]

    assert r.headers["content-type"] == "text/event-stream"
    assert lines[-1] == "data: [DONE]" and all(line.startswith("data: ") for line in lines)


def test_when_requests_posts_then_it_gets_the_answer(provider: StandInProvider) -> None:
    answer = requests.post(f"{provider.anthropic_base_url}/v1/messages", json=CHAT, timeout=5)

    assert answer.json()["type"] == "message"


async def test_when_aiohttp_posts_then_it_gets_the_answer(provider: StandInProvider) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{provider.ollama_base_url}/api/chat", json={**CHAT, "stream": False}) as answer,
    ):
        body = await answer.json()

    assert body["done"] and body["message"]["content"].endswith("ping")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/chat/completions", b"[1, 2]"),
        ("/v1/completions", b'{"prompt": [[1, 2, 3]]}'),
        ("/v1beta/models/m:generateContent", b'{"contents": "just text"}'),
        ("/api/chat", b"not json at all"),
        ("/model/m/converse-stream", b""),
    ],
)
def test_when_a_request_body_is_odd_then_the_format_still_answers(
    provider: StandInProvider, path: str, body: bytes
) -> None:
    answer = httpx.post(f"{provider.url}{path}", content=body)

    assert answer.status_code == 200


def test_when_a_path_is_not_served_then_404_lists_the_served_paths(provider: StandInProvider) -> None:
    answer = httpx.post(f"{provider.url}/v2/chat", json={})

    assert answer.status_code == 404
    error = answer.json()["error"]
    assert "POST /v2/chat" in error["message"]
    assert "POST /v1/chat/completions" in error["served"]
    assert "POST /model/{modelId}/converse-stream" in error["served"]
    assert provider.received[-1].path == "/v2/chat"


def test_when_replies_are_scripted_then_they_answer_in_order_and_then_the_default_resumes(
    provider: StandInProvider,
) -> None:
    provider.script(Reply(text="one"), Reply(text="two"))
    assert provider.pending == 2

    texts = [_chat(provider.url).json()["choices"][0]["message"]["content"] for _ in range(3)]

    assert texts[:2] == ["one", "two"] and texts[2].startswith("Hello from the stand-in OpenAI provider.")
    assert provider.pending == 0


def test_when_reply_text_is_set_then_its_placeholders_are_filled(provider: StandInProvider) -> None:
    provider.reply_text = "[{provider}] {prompt}!"

    assert _chat(provider.url).json()["choices"][0]["message"]["content"] == "[OpenAI] ping!"


def test_when_usage_is_scripted_then_it_is_reported_as_given(provider: StandInProvider) -> None:
    provider.script(Reply(input_tokens=123, output_tokens=45))

    assert _chat(provider.url).json()["usage"]["total_tokens"] == 168


def test_when_cleared_then_received_and_scripted_replies_are_forgotten(provider: StandInProvider) -> None:
    provider.script(Reply(status=500))
    httpx.get(f"{provider.url}/nowhere")

    provider.clear()

    assert provider.received == [] and provider.pending == 0


def test_when_a_raw_body_is_scripted_then_it_is_sent_verbatim(provider: StandInProvider) -> None:
    provider.script(Reply(status=502, body=b"<html>Bad Gateway</html>", content_type="text/html"))

    answer = _chat(provider.url)

    assert answer.status_code == 502 and answer.text == "<html>Bad Gateway</html>"
    assert answer.headers["content-type"] == "text/html"


def test_when_a_json_answer_is_cut_off_then_the_clients_see_a_short_body(provider: StandInProvider) -> None:
    provider.script(Reply(cut_off=True), Reply(cut_off=True))

    with pytest.raises(httpx.RemoteProtocolError, match=r"received \d+ bytes, expected"):
        _chat(provider.url)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.post(f"{provider.openai_base_url}/chat/completions", json=CHAT, timeout=5)


async def test_when_a_stream_is_cut_off_then_aiohttp_reports_an_incomplete_payload(
    provider: StandInProvider,
) -> None:
    provider.script(Reply(cut_off=True))
    seen: list[bytes] = []

    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{provider.openai_base_url}/chat/completions", json={**CHAT, "stream": True}) as r,
    ):
        with pytest.raises(aiohttp.ClientPayloadError):
            async for line in r.content:
                seen.append(line)

    assert seen and b"[DONE]" not in b"".join(seen)


def test_when_a_chunk_delay_is_scripted_then_the_stream_is_paced(provider: StandInProvider) -> None:
    provider.script(Reply(text="a b c d", chunk_delay=0.05))
    arrivals: list[float] = []

    with httpx.stream("POST", f"{provider.openai_base_url}/chat/completions", json={**CHAT, "stream": True}) as r:
        for _ in r.iter_lines():
            arrivals.append(time.monotonic())

    assert arrivals[-1] - arrivals[0] >= 0.2  # seven events, each held back by 0.05 s


def test_when_requests_overlap_then_they_are_served_concurrently(provider: StandInProvider) -> None:
    provider.script(*[Reply(delay=0.25) for _ in range(6)])
    started = time.monotonic()

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: _chat(provider.url).status_code, range(6)))

    assert statuses == [200] * 6 and time.monotonic() - started < 1.0  # one at a time would take 1.5 s


def test_when_a_client_sends_two_requests_then_one_connection_serves_both(provider: StandInProvider) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", int(provider.url.rsplit(":", 1)[1]), timeout=5)
    body = json.dumps(CHAT)
    headers = {"Content-Type": "application/json"}

    connection.request("POST", "/v1/chat/completions", body, headers)
    connection.getresponse().read()
    first_socket = connection.sock
    connection.request("POST", "/v1/chat/completions", body, headers)
    connection.getresponse().read()

    assert first_socket is not None and connection.sock is first_socket
    connection.close()


def test_when_a_provider_stops_then_its_url_is_refused() -> None:
    with StandInProvider() as provider:
        url = provider.url
        client = httpx.Client()
        assert client.post(f"{url}/v1/chat/completions", json=CHAT).status_code == 200

    with pytest.raises(httpx.TransportError):
        client.post(f"{url}/v1/chat/completions", json=CHAT)
    with pytest.raises(RuntimeError, match="not running"):
        _ = provider.url
    client.close()


def test_when_the_cli_runs_then_it_prints_the_url_and_serves() -> None:
    cli = subprocess.Popen(
        [sys.executable, "-m", "jupyter_aigov.testing.provider", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert cli.stdout is not None
        url = cli.stdout.readline().split()[-1]
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/v1/models").json()["object"] == "list"
    finally:
        cli.terminate()
        cli.wait(timeout=5)
