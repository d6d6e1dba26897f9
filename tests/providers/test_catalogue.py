"""The catalogue tells AI calls from the rest of a kernel's traffic, and names who serves them."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import pytest

from jupyter_aigov.providers import Catalogue, get_catalogue
from jupyter_aigov.providers.catalogue import CATALOGUE_FILE, compile_template

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def _recognise(method: str, url: str, body: Any = CHAT, headers: dict[str, str] | None = None, extra: Any = ()) -> Any:
    raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    return get_catalogue().recognise(method, url, headers, raw, extra_providers=extra)


@pytest.mark.parametrize(
    ("method", "url", "body", "headers"),
    [
        ("GET", "https://api.openai.com/v1/models", None, None),
        ("GET", "https://example.com/index.html", None, None),
        ("GET", "https://api.openai.com/v1/chat/completions", None, None),
        ("PUT", "https://bucket.s3.amazonaws.com/data/file.parquet", b"PAR1....", None),
        (
            "POST",
            "https://example.com/upload",
            b"--boundary\r\n...",
            {"Content-Type": "multipart/form-data; boundary=b"},
        ),
        ("POST", "https://example.com/api/chat", {"text": "hello"}, {"content-type": "application/json"}),
        ("POST", "https://example.com/api/generate", {"model": "x"}, None),
        ("POST", "https://example.com/v1/chat/completions", b"messages=hi", None),
        ("POST", "https://example.com/v1/chat/completions", b"", None),
        ("POST", "https://example.com/v1/chat/completions", [CHAT], None),
        ("POST", "https://example.com/surveys/7/responses", {"answer": 3}, None),
        ("POST", "https://example.com/threads/1/messages", {"role": "user", "content": "hi"}, None),
        ("POST", "https://example.com/v1/models/x:generateContent", {"prompt": "no contents"}, None),
        ("POST", "https://bucket.s3.amazonaws.com/key?uploads", None, None),
    ],
)
def test_when_a_request_is_not_an_ai_call_then_it_is_not_recognised(
    method: str, url: str, body: Any, headers: dict[str, str] | None
) -> None:
    assert _recognise(method, url, body, headers) is None


@pytest.mark.parametrize(
    ("url", "body", "headers", "operation", "model"),
    [
        # any other POST to a known AI host is decided too: batches, files, threads, assistants...
        ("https://api.openai.com/v1/files", b"--b\r\n", {"content-type": "multipart/form-data"}, "other", None),
        ("https://api.openai.com/v1/chat/completions/abc", CHAT, None, "other", "m"),
        ("https://api.anthropic.com/v1/messages/batches", {"requests": []}, None, "other", None),
        # what the server routes on, however the URL is dressed
        ("http://127.0.0.1:8000/v1/chat/completions#frag", CHAT, None, "chat.completions", "m"),
        ("http://127.0.0.1:8000/v1/chat/completions/", CHAT, None, "chat.completions", "m"),
        ("http://127.0.0.1:8000/v1/chat/%63ompletions", CHAT, None, "chat.completions", "m"),
        # a JSON body is read whatever its declared type or encoding
        ("https://example.com/api/chat", {"model": "m", "messages": []}, {"content-type": "text/plain"}, "chat", "m"),
        (
            "http://127.0.0.1:8000/v1/chat/completions",
            b" " * 100 + json.dumps(CHAT).encode(),
            None,
            "chat.completions",
            "m",
        ),
        ("http://127.0.0.1:8000/v1/chat/completions", json.dumps(CHAT).encode("utf-16"), None, "chat.completions", "m"),
        # a body that cannot be read (a streamed upload) on an AI-shaped path: decided, model unknown
        ("http://127.0.0.1:8000/v1/chat/completions", None, None, "chat.completions", None),
    ],
)
def test_when_a_request_could_carry_an_ai_call_then_it_is_decided(
    url: str, body: Any, headers: dict[str, str] | None, operation: str, model: str | None
) -> None:
    found = _recognise("POST", url, body, headers)
    assert found is not None
    assert (found.operation, found.model) == (operation, model)


@pytest.mark.parametrize(
    ("url", "body", "provider", "api", "operation", "model"),
    [
        ("https://api.openai.com/v1/chat/completions", CHAT, "openai", "openai", "chat.completions", "m"),
        (
            "https://api.openai.com:443/v1/embeddings",
            {"model": "e", "input": "x"},
            "openai",
            "openai",
            "embeddings",
            "e",
        ),
        (
            "https://acme.openai.azure.com/openai/deployments/dep-1/chat/completions?api-version=2024-10-21",
            CHAT,
            "azure-openai",
            "openai",
            "chat.completions",
            "dep-1",
        ),
        (
            "https://acme.cognitiveservices.azure.com/openai/v1/responses",
            {"model": "gpt-4o", "input": "x"},
            "azure-openai",
            "openai",
            "responses",
            "gpt-4o",
        ),
        ("https://api.anthropic.com/v1/messages", CHAT, "anthropic", "anthropic", "messages", "m"),
        (
            "https://api.anthropic.com/v1/chat/completions",
            CHAT,
            "anthropic",
            "openai",
            "chat.completions",
            "m",
        ),
        (
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
            {"contents": []},
            "gemini",
            "gemini",
            "generateContent",
            "gemini-2.5-flash",
        ),
        (
            "https://generativelanguage.googleapis.com/v1beta/openai/chat/completions",
            CHAT,
            "gemini",
            "openai",
            "chat.completions",
            "m",
        ),
        (
            "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-2.5-pro:countTokens",
            {"contents": []},
            "vertex-ai",
            "gemini",
            "countTokens",
            "gemini-2.5-pro",
        ),
        (
            "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/endpoints/123:generateContent",
            {"contents": []},
            "vertex-ai",
            "gemini",
            "generateContent",
            "123",
        ),
        (
            "https://bedrock-runtime.eu-west-1.amazonaws.com/model/meta.llama3-8b-instruct-v1%3A0/invoke",
            {"prompt": "x"},
            "bedrock",
            "bedrock",
            "invoke",
            "meta.llama3-8b-instruct-v1:0",
        ),
        (
            "https://bedrock-runtime-fips.us-east-1.amazonaws.com/model/arn:aws:bedrock:us-east-1:1:inference-profile/us.x:0/converse",
            {"messages": []},
            "bedrock",
            "bedrock",
            "converse",
            "arn:aws:bedrock:us-east-1:1:inference-profile/us.x:0",
        ),
        ("http://localhost:11434/api/chat", CHAT, "ollama", "ollama", "chat", "m"),
        (
            "http://127.0.0.1:11434/api/embeddings",
            {"model": "nomic", "prompt": "x"},
            "ollama",
            "ollama",
            "embeddings",
            "nomic",
        ),
        ("http://localhost:11434/v1/chat/completions", CHAT, "ollama", "openai", "chat.completions", "m"),
        ("https://api.mistral.ai/v1/chat/completions", CHAT, "mistral", "openai", "chat.completions", "m"),
        ("https://api.groq.com/openai/v1/chat/completions", CHAT, "groq", "openai", "chat.completions", "m"),
        (
            "https://openrouter.ai/api/v1/chat/completions",
            CHAT,
            "openrouter",
            "openai",
            "chat.completions",
            "m",
        ),
        ("https://api.deepseek.com/anthropic/v1/messages", CHAT, "deepseek", "anthropic", "messages", "m"),
        # Unknown hosts: governed by path shape, named after the wire format.
        (
            "http://localhost:8000/v1/chat/completions",
            CHAT,
            "openai-compatible",
            "openai",
            "chat.completions",
            "m",
        ),
        (
            "http://127.0.0.1:51234/chat/completions",
            CHAT,
            "openai-compatible",
            "openai",
            "chat.completions",
            "m",
        ),
        ("http://10.0.0.5:8080/v1/messages", CHAT, "anthropic-compatible", "anthropic", "messages", "m"),
        ("http://gpu-box:9000/api/chat", CHAT, "ollama-compatible", "ollama", "chat", "m"),
        (
            "http://gpu-box:9000/api/embeddings",
            {"model": "e", "input": ["x"]},
            "openai-compatible",
            "openai",
            "embeddings",
            "e",
        ),
        (
            "http://proxy.local/v1beta/models/gem:streamGenerateContent?alt=sse",
            {"contents": []},
            "gemini-compatible",
            "gemini",
            "streamGenerateContent",
            "gem",
        ),
        (
            "http://proxy.local/model/my-model/converse-stream",
            {"messages": []},
            "bedrock-compatible",
            "bedrock",
            "converse-stream",
            "my-model",
        ),
    ],
)
def test_when_a_request_is_an_ai_call_then_provider_api_operation_and_model_are_named(
    url: str, body: Any, provider: str, api: str, operation: str, model: str
) -> None:
    request = _recognise("POST", url, body)
    assert request is not None
    assert (request.provider, request.api, request.operation, request.model) == (
        provider,
        api,
        operation,
        model,
    )


@pytest.mark.parametrize(
    ("url", "model"),
    [
        ("https://api.openai.com/v1/chat/completions", None),
        (
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
            "gemini-2.5-flash",
        ),
        ("http://localhost:11434/api/generate", None),
    ],
)
def test_when_a_known_hosts_ai_call_has_no_json_body_then_it_is_still_recognised_without_body(
    url: str, model: str | None
) -> None:
    request = _recognise("POST", url, b"\x00not json")
    assert request is not None
    assert (request.model, request.body, request.text_parts) == (model, None, [])


def test_when_the_method_is_lowercase_then_it_is_still_a_post() -> None:
    assert _recognise("post", "https://api.openai.com/v1/chat/completions") is not None


@pytest.mark.parametrize(
    "body",
    [json.dumps(CHAT), bytearray(json.dumps(CHAT).encode()), memoryview(json.dumps(CHAT).encode())],
    ids=["str", "bytearray", "memoryview"],
)
def test_when_the_body_is_not_bytes_then_it_is_read_all_the_same(body: Any) -> None:
    request = get_catalogue().recognise("POST", "http://127.0.0.1:9/v1/chat/completions", None, body)
    assert request is not None and request.model == "m"


def test_when_header_values_are_bytes_then_they_are_read_all_the_same() -> None:
    body = gzip.compress(json.dumps(CHAT).encode())
    headers: Any = {"Content-Encoding": b"gzip", "Content-Type": b"application/json"}
    request = get_catalogue().recognise("POST", "http://127.0.0.1:9/v1/chat/completions", headers, body)
    assert request is not None and request.model == "m"


def test_when_the_request_body_is_gzipped_then_it_is_read() -> None:
    body = gzip.compress(json.dumps(CHAT).encode())
    request = _recognise("POST", "http://localhost:8000/v1/chat/completions", body, {"Content-Encoding": "gzip"})
    assert request is not None and request.model == "m"


INTERNAL = ("internal", "https://llm.internal.example/v1", "openai")


@pytest.mark.parametrize(
    ("url", "body", "provider", "model"),
    [
        ("https://llm.internal.example/v1/chat/completions", CHAT, "internal", "m"),
        ("https://LLM.internal.example/v1/chat/completions?x=1", CHAT, "internal", "m"),
        ("https://llm.internal.example/v1/chat/completions", b"not json", "internal", None),
        ("https://llm.internal.example/v1x/chat/completions", CHAT, "openai-compatible", "m"),
        ("https://llm.internal.example/v1/models", CHAT, None, None),
    ],
)
def test_when_a_policy_declares_a_provider_then_requests_under_its_base_url_bear_its_name(
    url: str, body: Any, provider: str | None, model: str | None
) -> None:
    request = _recognise("POST", url, body, extra=[INTERNAL])
    got = (request.provider, request.model) if request is not None else (None, None)
    assert got == (provider, model)


def test_when_a_policy_declared_provider_shadows_a_known_host_then_the_policy_name_wins() -> None:
    request = _recognise(
        "POST",
        "https://api.openai.com/v1/chat/completions",
        extra=[("corp", "https://api.openai.com", "openai")],
    )
    assert request is not None and request.provider == "corp"


def test_when_a_policy_declares_an_unknown_api_then_the_error_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=re.escape("providers[].api")):
        _recognise("POST", "https://x.example/v1/chat/completions", extra=[("x", "https://x.example", "cohere")])


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        ("GET", "https://api.openai.com/v1/chat/completions", False),
        ("POST", "https://example.com/upload", False),
        ("POST", "https://example.com/v1/chat/completions", True),
        ("POST", "https://example.com/v1/chat/completions?api-version=1", True),
        ("POST", "https://example.com/v1/models/g:generateContent", True),
        ("POST", "https://example.com/v1/models/g:generate", False),
        ("POST", "https://example.com/model/m/invoke", True),
        ("POST", "https://example.com", False),
    ],
)
def test_when_a_request_is_prefiltered_then_only_ai_shaped_posts_pass(method: str, url: str, expected: bool) -> None:
    assert get_catalogue().might_be_ai(method, url) is expected


def test_when_the_catalogue_is_asked_twice_then_it_is_loaded_once() -> None:
    assert get_catalogue() is get_catalogue()


def test_when_the_catalogue_file_is_read_then_every_provider_speaks_a_known_api() -> None:
    catalogue = Catalogue.from_file(CATALOGUE_FILE)
    assert set(catalogue.apis) == {"openai", "anthropic", "gemini", "bedrock", "ollama"}
    assert all(set(apis) <= set(catalogue.apis) for apis in catalogue.providers.values())


@pytest.mark.parametrize(
    ("template", "path", "groups"),
    [
        ("**/chat/completions", "/chat/completions", {}),
        ("**/chat/completions", "/openai/v1/chat/completions", {}),
        ("**/models/{model}:generateContent", "/v1/models/g-1:generateContent", {"model": "g-1"}),
        ("**/model/{model+}/converse", "/model/arn:a/b:0/converse", {"model": "arn:a/b:0"}),
    ],
)
def test_when_a_path_template_is_compiled_then_it_matches_and_captures(
    template: str, path: str, groups: dict[str, str]
) -> None:
    match = compile_template(template).fullmatch(path)
    assert match is not None and match.groupdict() == groups


def test_when_a_template_has_no_literal_ending_then_the_catalogue_refuses_it() -> None:
    data = {"apis": {"openai": {"operations": [{"name": "x", "paths": ["**/{model}"]}]}}, "providers": {}}
    with pytest.raises(ValueError, match="must end in a literal"):
        Catalogue(data)


@pytest.mark.parametrize(
    ("api", "operation", "path", "prefix", "rest", "model"),
    [
        ("openai", "chat.completions", "/v1/chat/completions", "/v1", "/chat/completions", None),
        ("openai", "responses", "/openai/v1/responses/", "/openai/v1", "/responses", None),
        (
            "openai",
            "chat.completions",
            "/openai/deployments/dep-1/chat/completions",
            "",
            "/openai/deployments/dep-1/chat/completions",
            "dep-1",
        ),
        ("anthropic", "messages", "/v1/messages", "", "/v1/messages", None),
        (
            "gemini",
            "generateContent",
            "/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:generateContent",
            "/v1/projects/p/locations/l/publishers/google",
            "/models/gemini-2.0-flash:generateContent",
            "gemini-2.0-flash",
        ),
        (
            "bedrock",
            "converse",
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
            "",
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
            "anthropic.claude-3-haiku-20240307-v1%3A0",  # as sent, still escaped
        ),
        ("ollama", "chat", "/api/chat", "", "/api/chat", None),
    ],
)
def test_when_a_path_is_split_then_the_operation_part_follows_what_the_templates_prefix_matched(
    api: str, operation: str, path: str, prefix: str, rest: str, model: str | None
) -> None:
    split = get_catalogue().split_path(api, operation, path)

    assert split is not None
    assert (split.prefix, split.operation) == (prefix, rest)
    assert (split.operation[slice(*split.model)] if split.model else None) == model


def test_when_an_operation_has_no_template_then_its_path_cannot_be_split() -> None:
    assert get_catalogue().split_path("openai", "other", "/v1/assistants") is None
    assert get_catalogue().split_path("openai", "chat.completions", "/v1/assistants") is None
