"""The fast canonical encoder writes byte for byte what rfc8785 writes, and hands over what it cannot."""

from __future__ import annotations

import random

import pytest
import rfc8785

from aigov_core.evidence.canonical import canonical_json

CASES = [
    {"b": 1, "a": [True, False, None], "é": "ünïcode ✓", "z": {"y": "\u2028 line sep", "x": "\x00\x1f ctrl"}},
    {"floats": [0.5, 1.25, 3.141592653589793, 1e-4, 9.999999e15, 123456.789]},
    {"edge": [1e16, 1e-5, 1e21, 5e-324, 2.0, -0.0, 0.0]},  # outside the fast range: rfc8785 decides
    {"ints": [0, -1, 2**53 - 1, -(2**53 - 1)]},
    {"\U0001f600": "emoji key", "a\u00e9": "non-ascii keys sort by UTF-16 in JCS"},
    {"quote": 'say "hi" \\ back', "tab": "\t", "slash": "/"},
    [],
    {},
]


@pytest.mark.parametrize("value", CASES)
def test_when_encoded_then_bytes_equal_rfc8785(value):
    assert canonical_json(value) == rfc8785.dumps(value)


def test_when_random_records_are_encoded_then_bytes_equal_rfc8785():
    rng = random.Random(8785)
    alphabet = 'abcXYZ09 _-é✓"\\\n\u2028\U0001f600'

    def leaf():
        kind = rng.randrange(5)
        if kind == 0:
            return "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        if kind == 1:
            return rng.randint(-(2**53 - 1), 2**53 - 1)
        if kind == 2:
            return rng.uniform(-1e6, 1e6) * rng.choice([1, 1e-6, 1e9])
        return rng.choice([True, False, None])

    def value(depth=0):
        if depth > 2 or rng.random() < 0.4:
            return leaf()
        if rng.random() < 0.5:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {
            "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 6))): value(depth + 1)
            for _ in range(rng.randrange(5))
        }

    for _ in range(3000):
        record = {"event": "ai.call", "payload": value()}
        assert canonical_json(record) == rfc8785.dumps(record)
