"""Secrets assigned to secret-named keys: which values under them count."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.secrets.context import acceptable_key, acceptable_password, find_in_context


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


def test_when_a_secret_named_key_is_set_then_its_value_is_found() -> None:
    text = 'os.environ.setdefault("INTERNAL_TOKEN", "q8Xv2LmN4pRt6sWz9bYc3dFh")'
    assert [(r, text[s:e]) for r, s, e in find_in_context(text)] == [("key_assignment", "q8Xv2LmN4pRt6sWz9bYc3dFh")]


@pytest.mark.parametrize(
    "text",
    [
        "plan_tier, device_type, customer_id, session_length_s, feature_7. Which one?",
        'headers = {"Authorization": f"Bearer {api_key}"}',
        "the routing key is orders.created",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed the token refresh",
        "the routing key is orders.created and the cache key is user:42",
    ],
)
def test_when_nothing_stands_in_a_secrets_place_then_no_rule_fires(text: str) -> None:
    assert list(find_in_context(text)) == []
