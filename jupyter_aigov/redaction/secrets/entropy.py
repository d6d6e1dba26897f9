"""How random a value looks: Shannon entropy over its characters, as detect-secrets and trufflehog measure it."""

from __future__ import annotations

import math
from collections import Counter


def shannon_entropy(value: str) -> float:
    """Bits per character of `value` (0 for an empty string)."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(n / size * math.log2(n / size) for n in Counter(value).values())


def entropy_floor(value: str) -> float:
    """The entropy a generated value of this length and alphabet reaches; words and ids fall below it.

    Hex carries at most 4 bits a character and short strings cannot reach their alphabet's ceiling, so the
    floor follows both (detect-secrets uses 3.0 for hex and 4.5 for base64 on long strings).
    """
    ceiling = math.log2(min(len(value), 16 if _is_hex(value) else 64))
    return min(3.0 if _is_hex(value) else 3.5, ceiling * 0.75)


def looks_generated(value: str) -> bool:
    """True when `value` mixes letters and digits and is as random as generated keys are."""
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    mixed_case = any(c.islower() for c in value) and any(c.isupper() for c in value)
    if not has_alpha or not (has_digit or (mixed_case and len(value) >= 20)):
        return False
    return shannon_entropy(value) >= entropy_floor(value)


def _is_hex(value: str) -> bool:
    return all(c in "0123456789abcdefABCDEF-" for c in value)
