"""Entropy: generated values reach their alphabet's randomness; words, ids and repeats do not."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction.secrets.entropy import looks_generated, shannon_entropy


def test_when_characters_repeat_then_entropy_is_low_and_when_all_differ_it_is_the_log_of_their_number() -> None:
    assert shannon_entropy("aaaaaaaa") == 0.0
    assert shannon_entropy("abcdefgh") == pytest.approx(3.0)
    assert shannon_entropy("") == 0.0


@pytest.mark.parametrize(
    ("value", "generated"),
    [
        ("Gnv_1Aj3SyOtybfHN27xiZd5GJ5XOm9q", True),
        ("8f413d25dbce5605f3fd38bbc260af54", True),
        ("customer_id", False),
        ("AutoTokenizer", False),
        ("aaaa1111aaaa1111", False),
    ],
)
def test_when_a_value_is_judged_then_only_generated_ones_look_generated(value: str, generated: bool) -> None:
    assert looks_generated(value) is generated
