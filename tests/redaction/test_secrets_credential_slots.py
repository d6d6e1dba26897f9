"""Secrets in slots made for them: headers, URLs, connection strings, commands, SQL, sentences."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.secrets.credential_slots import find_in_slots


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
        ("curl -u admin:Zp4wQ9rT2xLm https://ci.internal/api", "curl_user_password", "Zp4wQ9rT2xLm"),
    ],
)
def test_when_a_value_stands_in_a_secrets_place_then_its_rule_finds_it(text: str, rule: str, secret: str) -> None:
    assert (rule, secret) in [(r, text[s:e]) for r, s, e in find_in_slots(text)]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('ALTER USER etl IDENTIFIED BY "Zp4wQ9rT2xLm8";', "Zp4wQ9rT2xLm8"),
        ("mysql -u root -pZp4wQ9rT2xLm8 -h db.internal sales", "Zp4wQ9rT2xLm8"),
        ("sshpass -p 'Zp4wQ9rT2xLm8' ssh analyst@10.0.0.5", "Zp4wQ9rT2xLm8"),
        ("<password>Zp4wQ9rT2xLm8</password>", "Zp4wQ9rT2xLm8"),
    ],
)
def test_when_a_command_or_markup_holds_a_password_then_it_is_found(text: str, secret: str) -> None:
    assert secret in [text[s:e] for _, s, e in find_in_slots(text)]


@pytest.mark.parametrize(
    "text",
    ["docker run -p 8080:80 acme/app", 'headers = {"Authorization": f"Bearer {api_key}"}', "mysql -p < dump.sql"],
)
def test_when_a_slot_holds_no_secret_then_nothing_is_found(text: str) -> None:
    assert list(find_in_slots(text)) == []
