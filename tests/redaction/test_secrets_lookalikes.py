"""Look-alikes: stand-ins, references, digests, UUIDs and public keys are told apart from secrets."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.secrets.lookalikes import (
    is_digest,
    is_object_id,
    is_placeholder,
    is_public_key,
    is_reference,
    is_uuid,
)


@pytest.mark.parametrize(
    "value",
    [
        "password",
        "****",
        "xxxxxxxx",
        "<your-key>",
        "YOUR_API_KEY",
        "sk-...",
        "${PGPASSWORD}",
        "changeme",
        "{{ token }}",
    ],
)
def test_when_a_value_stands_in_for_a_secret_then_it_is_a_placeholder(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value", ["Zk3q9XvR2mLp8/TnW4bYc6dFh1JsQ7uGa5eKo0iNr", "ghp_uXVIFFfH66T1azN2pl6wUuUdYzOaU9B0ZEid"]
)
def test_when_a_value_is_generated_then_it_is_no_placeholder(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    ("value", "reference"),
    [
        ('os.environ["OPENAI_API_KEY"]', True),
        ("OPENAI_API_KEY", True),
        ("settings.api_key", True),
        ("get_token()", True),
        ("dbPassword", True),
        ("amzn.mws.897f085c-bbd5-43e8-b9f1-de229836bfda", False),
        ("mvXyzbvEmvYj", False),
    ],
)
def test_when_code_names_where_a_secret_is_kept_then_it_is_a_reference(value: str, reference: bool) -> None:
    assert is_reference(value) is reference


def test_when_values_are_digests_ids_or_public_keys_then_they_are_told_so() -> None:
    assert is_digest("9fceb02d0ae598e95dc970b74767f19372d61af8")
    assert is_digest("sha512-2hOgTW4EHr4bmXSUdsljWwZnKDXlpXVRoCs4lg1h2/2WtHdsBRpgpZAsV5EWTyjmqgyfcIKzGw4ehU+HqhhOsA==")
    assert is_uuid("550e8400-e29b-41d4-a716-446655440000")
    assert is_public_key("pk_live_51H8x2kLrBq3Yz9TtW0aP") and not is_public_key("sk_live_51H8x2kLrBq3Yz9TtW0aP")


@pytest.mark.parametrize(
    ("value", "object_id"),
    [
        ("AC5f2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", True),
        ("cus_NffrFeUfNV2Hib", True),
        ("msg_01AQBpeiwxrQHIhUAXQgt97U", True),
        ("SK5f2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", False),
        ("sk_live_51H8x2kLrBq3Yz9TtW0aP", False),
    ],
)
def test_when_a_value_names_a_services_object_then_it_is_an_id_not_a_secret(value: str, object_id: bool) -> None:
    assert is_object_id(value) is object_id
