"""Secrets assigned to a secret-named key: `.env` and `export` lines, `os.environ[...] =`, YAML and JSON keys,
kwargs, CLI flags, `Authorization:` headers; each value must look generated (a password: not be a word or a
stand-in)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from jupyter_aigov.redaction.secrets.entropy import looks_generated, shannon_entropy
from jupyter_aigov.redaction.secrets.key_names import is_password_key, is_secret_key, is_strong_key
from jupyter_aigov.redaction.secrets.keywords import lines_holding
from jupyter_aigov.redaction.secrets.lookalikes import (
    is_digest,
    is_placeholder,
    is_public_key,
    is_reference,
    is_uuid,
)

_PATH = re.compile(r"^[\w.~-]*(?:/[\w.~-]+)+\.[a-z][a-z0-9]{1,5}$|^(?:\.{0,2}/)?(?:[a-z0-9_.-]+/){2,}[a-z0-9_.-]*$")
# What follows a secret-named key (bare, quoted, bracketed: `os.environ["X"]`, `{"x":`, `--x`): an operator, an
# optional opening quote and auth scheme, then the value up to a quote, space or separator.
_AFTER_KEY = re.compile(
    r"(?:[\"'`]\]?\s{0,3}(?P<comma>,)|[\"'`]?\]?\s{0,3}"
    r"(?P<op>=>|:=|::|\?=|<-|=|:|\s+(?:is|was|to|as)\s+|\s))\s{0,3}"
    r"(?:[rbfuRBFU]{0,2}[\"'`])?\s*(?:(?i:bearer|basic|token|apikey|api-key|sso-key)\s+)?"
    r"(?P<value>[^\s\"'`,;<>(){}\[\]&|=][^\s\"'`,;<>(){}\[\]&|]{5,400})"
)
_KEY_END = re.compile(r"[\w.-]*")
_PASSWORD_VALUE = re.compile(r"[^\s\"'`;,(){}\[\]<>]{1,400}")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@")
# A Kubernetes or Compose env entry: `- name: API_TOKEN` then `value: "..."` on the next line.
_NAME_VALUE = re.compile(
    r"(?m)^[ \t]*-?[ \t]*name:[ \t]*[\"']?(?P<key>[A-Za-z_][\w.-]*)[\"']?[ \t]*\n[ \t]*value:[ \t]*[\"']?"
    r"(?P<value>[^\s\"']{6,400})"
)
_QUOTED_AFTER_KWARG = re.compile(r"\b(?P<key>\w+)\s*=\s*[\"'](?P<value>[^\"'\n]{6,400})[\"']")


def acceptable_password(value: str) -> bool:
    """A password someone chose: not a stand-in, a reference or a plain word."""
    if len(value) < 6 or is_placeholder(value) or is_reference(value):
        return False
    kinds = sum((any(c.islower() for c in value), any(c.isupper() for c in value), any(c.isdigit() for c in value)))
    symbol = any(not c.isalnum() for c in value)
    return kinds >= 2 or symbol or len(value) >= 12


def acceptable_key(value: str, strong: bool = True) -> bool:
    """A generated key or token: long enough, random enough, and not a reference or stand-in; under a name
    that leaves doubt (`strong` False), not a digest either (many API keys are hex, so a strong name wins)."""
    if len(value) < 8 or is_placeholder(value) or is_reference(value) or is_public_key(value) or _PATH.match(value):
        return False
    if "://" in value:  # a URL; its password, if any, is url_password's
        return False
    if not strong and (is_digest(value) or len(value) < 16):
        return False
    if is_uuid(value):
        return True  # a UUID under a secret's name is that service's key (Heroku, Snyk, Postmark...)
    return looks_generated(value) or (len(value) >= 24 and shannon_entropy(value) >= 4.0)


# A secret-named key holds one of these (lowercase); lines without any are not parsed for assignments.
_KEY_STEMS = (
    "key",
    "token",
    "secret",
    "pass",
    "pwd",
    "pw",
    "auth",
    "cred",
    "bearer",
    "pat",
    "sas",
    "sig",
    "cookie",
    "session",
    "private",
    "hmac",
    "salt",
    "dsn",
    "license",
)


_STEM = re.compile("|".join(_KEY_STEMS))


def find_in_context(text: str) -> Iterator[tuple[str, int, int]]:
    """Each secret found by its context, as (rule, start, end)."""
    lowered = text.lower()
    lines = lines_holding(lowered, _KEY_STEMS)
    for key, key_start, match in _assignments(text, lowered, lines):
        value = trim(match.group("value"))
        if not is_secret_key(key):
            continue
        if is_password_key(key) and text[key_start - 1 : key_start] not in {"?", "&"}:
            # outside a URL's query a password runs on over `&` and the like (`DB_PASSWORD=07k%SQ&M4`)
            value = trim(_PASSWORD_VALUE.match(text, match.start("value")).group(0))  # type: ignore[union-attr]
        if not (match.group("op") or match.group("comma") or "").strip(" \t"):  # `my token abc`: words
            ok = acceptable_in_prose(value)
        elif is_password_key(key):
            ok = acceptable_password(value)
        else:
            ok = acceptable_key(value, is_strong_key(key))
        if ok:
            start = match.start("value")
            yield ("password_assignment" if is_password_key(key) else "key_assignment"), start, start + len(value)
    if "value:" in lowered:
        for match in _NAME_VALUE.finditer(text):
            key, value = match.group("key"), trim(match.group("value"))
            ok = acceptable_password(value) if is_password_key(key) else acceptable_key(value, is_strong_key(key))
            if is_secret_key(key) and ok:
                yield "name_value_entry", match.start("value"), match.start("value") + len(value)
    for match in (m for start, end in lines for m in _QUOTED_AFTER_KWARG.finditer(text, start, end)):
        key, value = match.group("key"), match.group("value")
        if is_secret_key(key) and is_password_key(key) and " " not in value.strip() and acceptable_password(value):
            yield "password_assignment", match.start("value"), match.end("value")


def _assignments(text: str, lowered: str, lines: list[tuple[int, int]]) -> Iterator[tuple[str, int, re.Match[str]]]:
    """(key, its start, match of what follows it) for each key name holding a secret word on `lines`; found
    from the word outward, so a text pays for its secret words, not for each of its words."""
    done: set[int] = set()
    for start, end in lines:
        for stem in _STEM.finditer(lowered, start, end):
            key_end = _KEY_END.match(text, stem.end(), end).end()  # type: ignore[union-attr]  # * always matches
            key_start = stem.start()
            while key_start > start and text[key_start - 1] in _KEY_CHARS:
                key_start -= 1
            key_start += len(text[key_start:key_end]) - len(text[key_start:key_end].lstrip(".-"))
            if key_end in done or _inside_resource_name(lowered, key_start):
                continue
            done.add(key_end)
            match = _AFTER_KEY.match(text, key_end, end)
            if match is not None:
                yield text[key_start:key_end], key_start, match


def acceptable_in_prose(value: str) -> bool:
    """A value given in words (`the new key is X`): long, generated, and not a UUID (which names things too)."""
    return len(value) >= 12 and acceptable_key(value) and not is_uuid(value)


def _inside_resource_name(lowered: str, at: int) -> bool:
    """True when position `at` is inside an `arn:...` or `urn:...` name (`arn:aws:...:secret:prod/db`)."""
    if lowered[at - 1 : at] != ":":
        return False
    start = max(lowered.rfind(c, 0, at) for c in " \t\n\"'`=(") + 1
    return lowered.startswith(("arn:", "urn:"), start)


def trim(value: str) -> str:
    """The value without trailing punctuation a sentence or a line of code adds."""
    return value.rstrip(".:\\")
