"""A string that a regex matches, drawn at random: to check each format of the secrets table on a value of
its own shape."""

from __future__ import annotations

import random
import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_CATEGORY = {
    sre_constants.CATEGORY_DIGIT: "0123456789",
    sre_constants.CATEGORY_WORD: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    sre_constants.CATEGORY_SPACE: " ",
}
_PRINTABLE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def sample(regex: str, rng: random.Random) -> str:
    """A random string `regex` matches (lookarounds are ignored; they only bound the match)."""
    return _emit(sre_parse.parse(regex), rng, {})


def _emit(pattern: Any, rng: random.Random, groups: dict[int, str]) -> str:
    out = []
    for op, arg in pattern:
        out.append(_one(op, arg, rng, groups))
    return "".join(out)


def _one(op: Any, arg: Any, rng: random.Random, groups: dict[int, str]) -> str:
    if op is sre_constants.LITERAL:
        return chr(arg)
    if op is sre_constants.IN:
        return rng.choice(_class(arg))
    if op is sre_constants.NOT_LITERAL:
        return rng.choice(_PRINTABLE.replace(chr(arg), ""))
    if op is sre_constants.ANY:
        return rng.choice(_PRINTABLE)
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, high, sub = arg
        high = min(high, low + 20) if high != sre_constants.MAXREPEAT else low + 20
        return "".join(_emit(sub, rng, groups) for _ in range(rng.randint(low, max(low, high))))
    if op is sre_constants.SUBPATTERN:
        group, _, _, sub = arg
        if sub and sub[0][0] is sre_constants.ASSERT_NOT:  # `(?!ant-)`: a prefix that must not follow
            sub = sub[1:]
        text = _emit(sub, rng, groups)
        if group:
            groups[group] = text
        return text
    if op is sre_constants.BRANCH:
        return _emit(rng.choice(arg[1]), rng, groups)
    if op is sre_constants.GROUPREF:
        return groups.get(arg, "")
    if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return ""
    raise ValueError(f"cannot sample regex op {op}")


def _class(items: Any) -> str:
    chars: list[str] = []
    negate = False
    for op, arg in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            chars.append(chr(arg))
        elif op is sre_constants.RANGE:
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op is sre_constants.CATEGORY:
            chars.extend(_CATEGORY.get(arg, _PRINTABLE))
    if negate:
        return "".join(c for c in _PRINTABLE if c not in chars)
    return "".join(chars)


def compiled_source(regex: re.Pattern[str]) -> str:
    """The pattern text of a compiled regex."""
    return regex.pattern
