"""Which hosts are AI endpoints, and which commands of a shell line name one."""

from __future__ import annotations

import pytest

from jupyter_aigov.backstop.endpoints import Endpoints
from jupyter_aigov.backstop.programs import shell_commands
from jupyter_aigov.providers.catalogue import get_catalogue

ENDPOINTS = Endpoints(
    get_catalogue(),
    [("internal", "https://llm.internal.example/v1", "openai"), ("lab", "http://10.0.0.5:8000", "openai")],
)


@pytest.mark.parametrize(
    ("host", "port", "provider"),
    [
        ("api.openai.com", 443, "openai"),
        ("API.OpenAI.com", 8443, "openai"),  # a catalogue host without a port: every port
        ("acme.openai.azure.com", 443, "azure-openai"),  # a glob
        ("127.0.0.1", 11434, "ollama"),  # a catalogue host with its port
        ("127.0.0.1", 8888, None),
        ("::1", 11434, "ollama"),
        ("llm.internal.example", 443, "internal"),  # a policy provider: its port (or the scheme's)
        ("llm.internal.example", 80, None),
        ("10.0.0.5", 8000, "lab"),
        ("10.0.0.5", 22, None),
        ("example.org", 443, None),
    ],
)
def test_when_a_host_and_port_are_looked_up_then_the_provider_is_found(host, port, provider):
    assert ENDPOINTS.provider(host, port) == provider


@pytest.mark.parametrize(
    ("words", "found"),
    [
        (["curl", "-s", "https://api.openai.com/v1/models"], ("openai", "api.openai.com")),
        (["wget", "http://10.0.0.5:8000/v1/chat/completions"], ("lab", "10.0.0.5:8000")),
        (["nc", "[::1]:11434"], ("ollama", "[::1]:11434")),
        (["curl", "http://10.0.0.5:9000/"], None),
        (["cat", "notes.openai.txt", "script.py"], None),
    ],
)
def test_when_a_command_names_an_endpoint_then_it_is_found(words, found):
    assert ENDPOINTS.named_in(words) == found


@pytest.mark.parametrize(
    ("line", "commands"),
    [
        ("curl -s 'https://x'", [["curl", "-s", "https://x"]]),
        ("python a.py | curl -d @- h && echo ok", [["python", "a.py"], ["curl", "-d", "@-", "h"], ["echo", "ok"]]),
        ("KEY=1 OTHER=2 curl h; ls", [["curl", "h"], ["ls"]]),
        ("echo 'unclosed", [["echo", "'unclosed"]]),
    ],
)
def test_when_a_shell_line_is_read_then_it_splits_into_its_commands(line, commands):
    assert shell_commands(line) == commands
