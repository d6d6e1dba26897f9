"""Secrets known by where they stand: which key names hold secrets, and which values under them count."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.secrets.context import (
    acceptable_key,
    acceptable_password,
    find_in_context,
    is_password_key,
    is_secret_key,
    is_strong_key,
    key_words,
)


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("OPENAI_API_KEY", ["openai", "api", "key"]),
        ("clientSecret", ["client", "secret"]),
        ("x-api-key", ["x", "api", "key"]),
    ],
)
def test_when_a_key_name_is_split_then_its_words_come_out_lowercase(key: str, words: list[str]) -> None:
    assert key_words(key) == words


@pytest.mark.parametrize(
    ("key", "secret", "strong"),
    [
        ("API_KEY", True, True),
        ("Authorization", True, True),
        ("db_password", True, True),
        ("skey", True, True),
        ("key", True, True),
        ("session", True, False),
        ("cache_key", False, False),
        ("group_key", True, False),
        ("max_tokens", False, False),
        ("token_count", False, False),
        ("api_key_id", False, False),
        ("password_hash", False, False),
        ("publishable_key", False, False),
        ("tokenizer", False, False),
    ],
)
def test_when_a_key_is_named_then_its_name_says_whether_it_holds_a_secret(key: str, secret: bool, strong: bool) -> None:
    assert is_secret_key(key) is secret
    assert (secret and is_strong_key(key)) is strong


def test_when_a_key_names_a_password_then_it_is_a_password_key() -> None:
    assert is_password_key("PGPASSWORD") and is_password_key("Pwd") and not is_password_key("api_token")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("Tr0ub4dor&3x", True),
        ("hunter2!", True),
        ("correcthorsebatterystaple", True),
        ("required", False),
        ("${DB_PASSWORD}", False),
        ("settings.password", False),
        ("changeme", False),
    ],
)
def test_when_a_password_is_given_then_only_chosen_ones_count(value: str, ok: bool) -> None:
    assert acceptable_password(value) is ok


@pytest.mark.parametrize(
    ("value", "strong", "ok"),
    [
        ("a47e4b95b8081f34b1e4b9497a558329", True, True),  # a hex API key under a credential's name
        ("a47e4b95b8081f34b1e4b9497a558329", False, False),  # the same under a cache key's: a digest
        ("3f9c2a1e-7b4d-4e8a-9c1f-2d3e4f5a6b7c", True, True),  # Heroku and Snyk keys are UUIDs
        ("OPENAI_API_KEY", True, False),
        ("pk_live_51H8x2kLrBq3Yz9TtW0aP", True, False),
        ("data/raw/2024-05-01/events.jsonl", True, False),
        ("feature_7", False, False),
    ],
)
def test_when_a_key_value_is_given_then_only_generated_ones_count(value: str, strong: bool, ok: bool) -> None:
    assert acceptable_key(value, strong) is ok


@pytest.mark.parametrize(
    ("text", "rule", "secret"),
    [
        ("Authorization: Bearer 941595179216788417", "bearer_token", "941595179216788417"),
        (
            "jdbc:sqlserver://db;user=sa;password=X!Oev^^&TD-z7_Dk;encrypt=true;",
            "connection_string_password",
            "X!Oev^^&TD-z7_Dk",
        ),
        (
            "Rotated the Duo API key, new one is dZ40dLTSdRcGezN0WJ0VTeMTED0Uv0R1t4IZnU7Q - please update",
            "secret_in_prose",
            "dZ40dLTSdRcGezN0WJ0VTeMTED0Uv0R1t4IZnU7Q",
        ),
        (
            'os.environ.setdefault("INTERNAL_TOKEN", "q8Xv2LmN4pRt6sWz9bYc3dFh")',
            "key_assignment",
            "q8Xv2LmN4pRt6sWz9bYc3dFh",
        ),
        ("curl -u admin:Zp4wQ9rT2xLm https://ci.internal/api", "curl_user_password", "Zp4wQ9rT2xLm"),
    ],
)
def test_when_a_value_stands_in_a_secrets_place_then_its_rule_finds_it(text: str, rule: str, secret: str) -> None:
    assert (rule, secret) in [(r, text[s:e]) for r, s, e in find_in_context(text)]


@pytest.mark.parametrize(
    "text",
    [
        "plan_tier, device_type, customer_id, session_length_s, feature_7. Which one?",
        'headers = {"Authorization": f"Bearer {api_key}"}',
        "the routing key is orders.created",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed the token refresh",
    ],
)
def test_when_nothing_stands_in_a_secrets_place_then_no_rule_fires(text: str) -> None:
    assert list(find_in_context(text)) == []
