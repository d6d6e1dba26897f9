"""Restoring complete answers: text, JSON bodies (tool arguments as nested JSON), and bodies that are not JSON."""

from __future__ import annotations

import json

import pytest

from jupyter_aigov.redaction.placeholders import PlaceholderVault
from jupyter_aigov.redaction.restore import restore_json_bytes, restore_string, restore_text

TRICKY = 'O"Brien \\ Jr'  # a quote and a backslash: must stay valid inside JSON-encoded arguments


@pytest.fixture
def vault() -> PlaceholderVault:
    vault = PlaceholderVault()
    vault.placeholder_for("PERSON", "Frank Holt")
    vault.placeholder_for("PERSON", TRICKY)
    vault.placeholder_for("EMAIL_ADDRESS", "frank@example.com")
    return vault


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello <PERSON_1>!", "Hello Frank Holt!"),
        ("<PERSON_1><PERSON_1>", "Frank HoltFrank Holt"),
        ("mail <EMAIL_ADDRESS_1>", "mail frank@example.com"),
        ("unknown <PERSON_99> stays", "unknown <PERSON_99> stays"),
        ("a < b and <person_1>", "a < b and <person_1>"),
        ("no placeholders", "no placeholders"),
    ],
)
def test_when_text_has_placeholders_then_known_ones_are_restored(
    vault: PlaceholderVault, text: str, expected: str
) -> None:
    assert restore_text(text, vault) == expected


def test_when_a_body_holds_tool_arguments_then_they_are_restored_as_valid_json(vault: PlaceholderVault) -> None:
    arguments = json.dumps({"to": "<EMAIL_ADDRESS_1>", "name": "<PERSON_2>", "cc": ["<PERSON_1>"]})
    body = {
        "id": "chatcmpl-1",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Sending to <PERSON_2>.",
                    "tool_calls": [
                        {"id": "c1", "type": "function", "function": {"name": "send", "arguments": arguments}}
                    ],
                },
            }
        ],
    }
    restored = json.loads(restore_json_bytes(json.dumps(body, indent=2).encode(), vault))
    message = restored["choices"][0]["message"]
    assert message["content"] == f"Sending to {TRICKY}."
    assert json.loads(message["tool_calls"][0]["function"]["arguments"]) == {
        "to": "frank@example.com",
        "name": TRICKY,
        "cc": ["Frank Holt"],
    }
    assert list(restored) == ["id", "choices"]
    assert list(message) == ["role", "content", "tool_calls"]


def test_when_arguments_are_json_inside_json_then_every_level_stays_valid(vault: PlaceholderVault) -> None:
    inner = json.dumps({"name": "<PERSON_2>"})
    outer = json.dumps({"payload": inner, "who": "<PERSON_2>"})
    restored = json.loads(restore_string(outer, vault))
    assert restored["who"] == TRICKY
    assert json.loads(restored["payload"]) == {"name": TRICKY}


def test_when_arguments_are_restored_in_place_then_their_formatting_is_kept(vault: PlaceholderVault) -> None:
    assert restore_string('{\n  "name": "<PERSON_1>"\n}', vault) == '{\n  "name": "Frank Holt"\n}'


def test_when_keys_hold_placeholders_then_they_are_restored(vault: PlaceholderVault) -> None:
    body = json.dumps({"scores": {"<PERSON_1>": 3, "other": 1}}).encode()
    assert json.loads(restore_json_bytes(body, vault)) == {"scores": {"Frank Holt": 3, "other": 1}}


@pytest.mark.parametrize(
    "body",
    [
        b'{"content": "nothing to restore"}',
        b'{"content": "only <PERSON_99>, unknown"}',
        b"\x00\x01binary<",
        b"",
    ],
)
def test_when_nothing_is_restored_then_the_body_is_byte_identical(vault: PlaceholderVault, body: bytes) -> None:
    assert restore_json_bytes(body, vault) is body


def test_when_a_go_encoder_escaped_the_brackets_then_the_placeholder_is_still_restored(
    vault: PlaceholderVault,
) -> None:
    body = b'{"message": {"content": "Hi \\u003cPERSON_1\\u003e"}}'
    assert json.loads(restore_json_bytes(body, vault)) == {"message": {"content": "Hi Frank Holt"}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"plain <PERSON_1> text", b"plain Frank Holt text"),
        (b'{"truncated": "<PERSON_2>', b'{"truncated": "O\\"Brien \\\\ Jr'),
        (b'{"cut": "\\u003cPERSON_1\\u003e', b'{"cut": "Frank Holt'),
        (b'{"lit": "\\\\u003cPERSON_1\\u003e', b'{"lit": "\\\\u003cPERSON_1\\u003e'),  # a literal backslash first
        (b"caf\xe9 <PERSON_1>", b"caf\xe9 Frank Holt"),  # not UTF-8: other bytes kept
    ],
)
def test_when_a_body_is_not_json_then_values_are_replaced_json_escaped(
    vault: PlaceholderVault, body: bytes, expected: bytes
) -> None:
    assert restore_json_bytes(body, vault) == expected


def test_when_another_vault_issued_the_placeholder_then_it_is_left(vault: PlaceholderVault) -> None:
    assert restore_json_bytes(b'{"c": "<PERSON_1>"}', PlaceholderVault()) == b'{"c": "<PERSON_1>"}'
