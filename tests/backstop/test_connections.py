"""The backstop on sockets: a connection to an AI endpoint outside the governed layers is refused, once, on record."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

import aigov


def _policy(url: str) -> str:
    provider = f"  - {{name: standin, base_url: '{url}/v1', api: openai}}\n"
    return f"version: 1\nmodels:\n  allow: ['gpt-4o-mini']\nproviders:\n{provider}"


@pytest.fixture
def listener() -> Iterator[tuple[str, int]]:
    """A loopback port that accepts connections and serves nothing: no AI endpoint."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                server.accept()[0].close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()
    stop.set()
    thread.join()
    server.close()


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def test_when_a_raw_socket_connects_to_a_provider_then_it_is_refused_once_on_record(governed, provider):
    governed(_policy(provider.url))
    with socket.socket() as raw, pytest.raises(aigov.PolicyViolation) as refused:
        raw.connect(_address(provider.url))
    assert refused.value.rule == "routes.ungoverned"
    records = governed.records("ai.call")
    assert len(records) == 1 and records[0]["decision"] == "block"
    assert records[0]["route"] == "socket.connect" and records[0]["provider"] == "standin"
    assert records[0]["opened_by"] == __name__
    assert refused.value.record["seq"] == records[0]["seq"]


def test_when_asyncio_streams_connect_to_a_provider_then_they_are_refused(governed, provider):
    governed(_policy(provider.url))
    host, port = _address(provider.url)
    with pytest.raises(aigov.PolicyViolation):
        asyncio.run(asyncio.open_connection(host, port))
    assert len(governed.records("ai.call")) == 1


def test_when_a_provider_is_named_by_host_name_then_its_resolved_address_is_refused(governed, provider):
    _, port = _address(provider.url)
    governed(_policy(f"http://localhost:{port}"))
    with pytest.raises(aigov.PolicyViolation) as refused:
        socket.create_connection(("localhost", port), timeout=5)
    assert refused.value.record["endpoint"] == f"localhost:{port}"
    assert len(governed.records("ai.call")) == 1


def test_when_a_governed_layer_connects_then_it_passes(governed, provider):
    governed(_policy(provider.url))
    allowed = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    assert httpx.post(provider.openai_base_url + "/chat/completions", json=allowed).status_code == 200
    assert httpx.get(provider.url + "/v1/models").status_code in (200, 404)  # not an AI call, through a layer
    assert [r["decision"] for r in governed.records("ai.call")] == ["allow"]


def test_when_a_socket_goes_elsewhere_then_it_passes(governed, provider, listener):
    governed(_policy(provider.url))
    with socket.create_connection(listener, timeout=5):
        pass
    assert governed.records("ai.call") == []


def test_when_governance_is_off_then_the_hook_is_inert(governed, provider):
    governed(_policy(provider.url))
    aigov.disable()
    with socket.create_connection(_address(provider.url), timeout=5):
        pass


def test_when_a_provider_is_reached_by_its_ipv4_mapped_ipv6_address_then_it_is_refused(governed, provider):
    governed(_policy(provider.url))
    host, port = _address(provider.url)
    with socket.socket(socket.AF_INET6) as raw, pytest.raises(aigov.PolicyViolation) as refused:
        raw.connect((f"::ffff:{host}", port))
    assert refused.value.rule == "routes.ungoverned"
    assert len(governed.records("ai.call")) == 1


def test_when_a_send_opens_the_connection_then_it_is_judged_as_a_connect(governed, provider):
    # TCP Fast Open: sendto() with an address on a stream socket connects without connect()
    governed(_policy(provider.url))
    with socket.socket() as raw, pytest.raises(aigov.PolicyViolation):
        raw.sendto(b"POST /v1/chat/completions HTTP/1.1\r\n\r\n", socket.MSG_FASTOPEN, _address(provider.url))
    assert len(governed.records("ai.call")) == 1


def test_when_a_provider_name_is_resolved_with_gethostbyname_then_its_address_is_refused(governed, provider):
    _, port = _address(provider.url)
    governed(_policy(f"http://localhost:{port}"))
    address = socket.gethostbyname("localhost")
    with pytest.raises(aigov.PolicyViolation) as refused:
        socket.create_connection((address, port), timeout=5)
    assert refused.value.record["endpoint"] == f"localhost:{port}"
    assert len(governed.records("ai.call")) == 1
