"""PlaceholderVault: one placeholder per value per session, spans replaced, bounded, thread-safe."""

from __future__ import annotations

import json
import threading

import pytest

from aigov_core.errors import AIGovError
from jupyter_aigov.providers.base import TextPart
from jupyter_aigov.redaction import Finding
from jupyter_aigov.redaction.placeholders import (
    PLACEHOLDER_PATTERN,
    PlaceholderVault,
    PlaceholderVaultFull,
    entity_tag,
)


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("Frank Holt", "Frank Holt"),
        ("Frank Holt", "Frank  Holt"),
        ("Frank Holt", " Frank\n\tHolt "),
    ],
)
def test_when_the_same_value_comes_again_then_it_gets_the_same_placeholder(first: str, again: str) -> None:
    vault = PlaceholderVault()
    assert vault.placeholder_for("PERSON", first) == "<PERSON_1>"
    vault.placeholder_for("PERSON", "Someone Else")
    assert vault.placeholder_for("PERSON", again) == "<PERSON_1>"


@pytest.mark.parametrize(("first", "other"), [("Frank Holt", "frank holt"), ("Frank Holt", "Frank Holte")])
def test_when_a_different_value_comes_then_it_gets_the_next_number(first: str, other: str) -> None:
    vault = PlaceholderVault()
    assert vault.placeholder_for("PERSON", first) == "<PERSON_1>"
    assert vault.placeholder_for("PERSON", other) == "<PERSON_2>"


def test_when_types_differ_then_each_type_counts_from_one() -> None:
    vault = PlaceholderVault()
    assert vault.placeholder_for("PERSON", "Ann") == "<PERSON_1>"
    assert vault.placeholder_for("EMAIL_ADDRESS", "a@b.org") == "<EMAIL_ADDRESS_1>"
    assert vault.placeholder_for("PERSON", "Bob") == "<PERSON_2>"
    assert vault.value_for("<EMAIL_ADDRESS_1>") == "a@b.org"


def test_when_a_new_vault_starts_then_nothing_of_the_old_one_is_known() -> None:
    old, new = PlaceholderVault(), PlaceholderVault()
    old.placeholder_for("PERSON", "Frank Holt")
    assert new.value_for("<PERSON_1>") is None
    assert new.placeholder_for("PERSON", "Ann") == "<PERSON_1>"
    assert (old.value_for("<PERSON_1>"), new.value_for("<PERSON_1>")) == ("Frank Holt", "Ann")


@pytest.mark.parametrize(("entity_type", "tag"), [("PERSON", "PERSON"), ("credit card", "CREDIT_CARD"), ("9X", "E_9X")])
def test_when_an_entity_type_is_unusual_then_its_tag_still_matches_the_pattern(entity_type: str, tag: str) -> None:
    assert entity_tag(entity_type) == tag
    assert PLACEHOLDER_PATTERN.fullmatch(PlaceholderVault().placeholder_for(entity_type, "v"))


def test_when_a_placeholder_is_json_encoded_then_it_is_unchanged() -> None:
    placeholder = PlaceholderVault().placeholder_for("US_SSN", "078-05-1120")
    assert json.dumps(placeholder) == f'"{placeholder}"'


@pytest.mark.parametrize(
    "spans",
    [
        [(6, 16, "PERSON"), (20, 26, "LOCATION")],
        [(20, 26, "LOCATION"), (6, 16, "PERSON")],
        [Finding("LOCATION", 20, 26, 0.9), Finding("PERSON", 6, 16, 0.8)],
    ],
)
def test_when_spans_come_in_any_order_then_each_is_replaced(spans: list) -> None:
    vault = PlaceholderVault()
    assert vault.redact("Hello Frank Holt in Boston.", spans) == "Hello <PERSON_1> in <LOCATION_1>."


@pytest.mark.parametrize(
    "spans",
    [
        [(6, 16, "PERSON"), (12, 20, "LOCATION")],  # overlapping: decide() merges these first
        [(6, 40, "PERSON")],  # past the end
        [(6, 6, "PERSON")],  # empty
        [(5, 6, "PERSON")],  # whitespace only
    ],
)
def test_when_spans_overlap_or_are_out_of_range_then_redact_refuses(spans: list) -> None:
    with pytest.raises(ValueError):
        PlaceholderVault().redact("Hello Frank Holt in Boston.", spans)


def test_when_no_spans_are_given_then_the_text_is_unchanged() -> None:
    assert PlaceholderVault().redact("nothing here", []) == "nothing here"


def test_when_text_parts_are_redacted_then_the_body_gets_the_placeholders() -> None:
    body = {"messages": [{"role": "user", "content": "I am Frank Holt"}, {"role": "user", "content": "ok"}]}
    parts = [TextPart(("messages", 0, "content"), "I am Frank Holt"), TextPart(("messages", 1, "content"), "ok")]
    PlaceholderVault().redact_parts(body, parts, [[Finding("PERSON", 5, 15, 0.9)], []])
    assert body["messages"] == [{"role": "user", "content": "I am <PERSON_1>"}, {"role": "user", "content": "ok"}]


def test_when_the_vault_is_full_then_new_values_are_refused_and_old_ones_still_served() -> None:
    vault = PlaceholderVault(max_entries=2)
    vault.placeholder_for("PERSON", "Ann")
    vault.placeholder_for("PERSON", "Bob")
    with pytest.raises(PlaceholderVaultFull, match="Restart the kernel") as raised:
        vault.placeholder_for("PERSON", "Cid")
    assert isinstance(raised.value, AIGovError)
    assert vault.placeholder_for("PERSON", "Bob") == "<PERSON_2>"
    assert len(vault) == 2


def test_when_the_vault_reaches_its_character_bound_then_it_refuses() -> None:
    vault = PlaceholderVault(max_chars=10)
    vault.placeholder_for("SECRET", "x" * 10)
    with pytest.raises(PlaceholderVaultFull):
        vault.placeholder_for("SECRET", "y")


def test_when_printed_then_the_vault_shows_no_values() -> None:
    vault = PlaceholderVault()
    vault.placeholder_for("PERSON", "Frank Holt")
    assert "Frank" not in repr(vault)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<", True),
        ("<PER", True),
        ("<PERSON_", True),
        ("<PERSON_1", True),
        ("<PERSON_3", False),  # never issued
        ("<PERSON_0", False),
        ("<EMAIL", False),  # no such type in this vault
        ("< b", False),
        ("<PERSON_1>", False),  # complete, not a beginning
        ("PERSON", False),
    ],
)
def test_when_text_may_begin_a_placeholder_then_could_start_says_so(text: str, expected: bool) -> None:
    vault = PlaceholderVault()
    vault.placeholder_for("PERSON", "Ann")
    vault.placeholder_for("PERSON", "Bob")
    assert vault.could_start(text) is expected


def test_when_threads_share_a_vault_then_each_value_keeps_one_placeholder() -> None:
    vault = PlaceholderVault()
    values = [f"person {i}" for i in range(200)]
    seen: list[dict[str, str]] = []

    def work() -> None:
        seen.append({v: vault.placeholder_for("PERSON", v) for v in values})

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(s == seen[0] for s in seen)
    assert len(set(seen[0].values())) == len(values) == len(vault)


def test_when_a_value_was_replaced_then_the_vault_holds_it_whatever_type_asks_and_however_spaced() -> None:
    vault = PlaceholderVault()
    vault.redact("Write to Frank Holt", [(9, 19, "PERSON")])
    assert vault.holds("Frank Holt") and vault.holds("Frank\n Holt")
    assert not vault.holds("Frank") and not vault.holds("Grace Hopper")
    assert len(vault) == 1  # asking issues nothing
