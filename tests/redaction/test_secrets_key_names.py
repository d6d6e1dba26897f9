"""Key names: which say their value is a secret, a password, or a place in data."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.secrets.key_names import is_password_key, is_secret_key, is_strong_key, key_words


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
