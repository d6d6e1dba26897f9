"""Secrets found by where they stand: assigned to a secret-named key, after `Bearer`, in a URL's userinfo, in a
connection string's `password=`, after `curl -u`; each value must then look generated (or, for passwords,
not be a word or a stand-in)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from jupyter_aigov.redaction.secrets.entropy import looks_generated, shannon_entropy
from jupyter_aigov.redaction.secrets.keywords import lines_holding
from jupyter_aigov.redaction.secrets.lookalikes import (
    is_digest,
    is_placeholder,
    is_public_key,
    is_reference,
    is_uuid,
)

# Parts of a key name that say its value is a secret, and parts that say it is about one (a count, a name,
# a path) rather than the secret itself.
SECRET_WORDS = frozenset(
    {
        "key",
        "apikey",
        "skey",
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "pw",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "cred",
        "creds",
        "bearer",
        "pat",
        "sas",
        "signature",
        "sig",
        "cookie",
        "session",
        "private",
        "hmac",
        "salt",
        "dsn",
        "license",
    }
)
# Words that name a credential; `key` does too, unless a word of DATA_KEY_QUALIFIERS makes it a place in data.
STRONG_WORDS = frozenset(
    {
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "apikey",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "cred",
        "creds",
        "bearer",
        "pat",
        "private",
        "skey",
        "key",
    }
)
# What a `key` is when these words qualify it: a place in data, not a credential.
DATA_KEY_QUALIFIERS = frozenset(
    {
        "cache",
        "sort",
        "partition",
        "primary",
        "foreign",
        "object",
        "idempotency",
        "dedup",
        "dedupe",
        "group",
        "join",
        "lookup",
        "hash",
        "bucket",
        "dict",
        "map",
        "row",
        "column",
        "index",
        "unique",
        "composite",
        "natural",
        "surrogate",
        "shard",
        "cluster",
        "distribution",
        "dist",
        "merge",
        "match",
        "groupby",
        "s3",
        "blob",
        "file",
        "message",
        "event",
        "stream",
        "kafka",
        "config",
        "setting",
        "label",
        "metric",
        "feature",
        "json",
        "yaml",
        "dataframe",
        "df",
        "public",
        "pub",
        "ssh",
        "host",
        "known",
    }
)
PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase", "pw"})
NOT_SECRET_WORDS = frozenset(
    {
        "id",
        "ids",
        "name",
        "names",
        "path",
        "file",
        "filename",
        "dir",
        "url",
        "uri",
        "type",
        "len",
        "length",
        "size",
        "count",
        "max",
        "min",
        "num",
        "limit",
        "limits",
        "tokens",
        "tokenizer",
        "column",
        "col",
        "field",
        "keys",
        "keyboard",
        "hash",
        "sha",
        "digest",
        "checksum",
        "public",
        "pub",
        "publishable",
        "env",
        "var",
        "header",
        "prefix",
        "format",
        "fingerprint",
        "expiry",
        "expires",
        "ttl",
        "timeout",
        "index",
        "sort",
        "partition",
        "primary",
        "foreign",
        "cache",
        "lookup",
        "mode",
        "policy",
        "required",
        "enabled",
        "label",
        "version",
        "region",
    }
)

_PATH = re.compile(r"^[\w.~-]*(?:/[\w.~-]+)+\.[a-z][a-z0-9]{1,5}$|^(?:\.{0,2}/)?(?:[a-z0-9_.-]+/){2,}[a-z0-9_.-]*$")
_KEY_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

# key (bare, quoted, bracketed: `os.environ["X"]`, `{"x":`, `--x`), operator, optional opening quote and
# auth scheme, then the value up to a quote, space or separator.
# What follows a secret-named key (bare, quoted, bracketed: `os.environ["X"]`, `{"x":`, `--x`): an operator, an
# optional opening quote and auth scheme, then the value up to a quote, space or separator.
_AFTER_KEY = re.compile(
    r"(?:[\"'`]\]?\s{0,3}(?P<comma>,)|[\"'`]?\]?\s{0,3}"
    r"(?P<op>=>|:=|::|\?=|=|:|\s+(?:is|was|to|as)\s+|\s))\s{0,3}"
    r"(?:[rbfuRBFU]{0,2}[\"'`])?\s*(?:(?i:bearer|basic|token|apikey|api-key|sso-key)\s+)?"
    r"(?P<value>[^\s\"'`,;<>(){}\[\]&|=][^\s\"'`,;<>(){}\[\]&|]{5,400})"
)
_KEY_END = re.compile(r"[\w.-]*")
_PASSWORD_VALUE = re.compile(r"[^\s\"'`;,(){}\[\]<>]{1,400}")
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@")
_BEARER = re.compile(r"(?i:\bbearer)\s+(?P<value>[A-Za-z0-9._~+/-]{16,}=*)")
_BASIC = re.compile(r"(?i:\bbasic)\s+(?P<value>[A-Za-z0-9+/]{12,}={0,2})(?![A-Za-z0-9+/=])")
_USERINFO = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@\"'`]{1,80}:(?P<value>[^\s@/\"'`]{3,200})@[\w.-]")
_CURL_USER = re.compile(r"(?:^|\s)(?:-u|--user)[\s=]+[\"']?[^\s:\"']{1,80}:(?P<value>[^\s\"']{3,200})")
_AUTH_TUPLE = re.compile(
    r"(?i:auth\w*)\s*[=(]\s*\(?\s*[\"'][^\"'\n]{1,80}[\"']\s*,\s*[\"'](?P<value>[^\"'\n]{4,200})[\"']"
)
# `...;Password=p&ss;...` (JDBC, ODBC, ADO.NET): the value runs to the `;`, `&` and all.
_CONNECTION_PASSWORD = re.compile(
    r"(?i:(?<=;)|(?<=^))\s*(?i:password|pwd)\s*=\s*(?P<value>\{[^}\n]*\}|[^;\n\"']+)(?=;)", re.M
)
# A sentence that names a secret, then gives it: "the Duo API key, new one is X", "my token: X".
_PROSE = re.compile(
    r"(?<![:/])(?i:\b(?:api[ _-]?key|key|token|secret|credential|password|passphrase)s?\b)[^\n]{0,60}?"
    r"(?:\bis\b|:|=)\s*[\"'`]?(?P<value>[A-Za-z0-9][\w.~+/=-]{11,400})"
)
_QUOTED_AFTER_KWARG = re.compile(r"\b(?P<key>\w+)\s*=\s*[\"'](?P<value>[^\"'\n]{6,400})[\"']")


def key_words(key: str) -> list[str]:
    """The lowercase words of a key name: `OPENAI_API_KEY` -> openai, api, key; `clientSecret` -> client, secret."""
    return [w.lower() for w in _KEY_PARTS.findall(key)]


def is_secret_key(key: str) -> bool:
    """True when a key's name says its value is a secret (`API_KEY`, `x-auth-token`, `password`)."""
    words = key_words(key)
    if not words or any(w in NOT_SECRET_WORDS for w in words):
        return False
    joined = "".join(words)
    named = any(w in SECRET_WORDS for w in words) or "apikey" in joined or "password" in joined
    return named and not (set(words) & {"tokens", "tokenizer", "public", "publishable", "pub"})


def is_strong_key(key: str) -> bool:
    """True when a key's name leaves no doubt its value is a credential (`API_KEY`, `token`, `Authorization`)."""
    words = key_words(key)
    if "key" in words and any(words[i - 1] in DATA_KEY_QUALIFIERS for i, w in enumerate(words) if w == "key" and i):
        return False
    return any(w in STRONG_WORDS for w in words) or "apikey" in "".join(words)


def is_password_key(key: str) -> bool:
    """True when a key names a password rather than a generated key."""
    words = key_words(key)
    return any(w in PASSWORD_WORDS for w in words) or "password" in "".join(words)


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
        value = _trim(match.group("value"))
        if not is_secret_key(key):
            continue
        if is_password_key(key) and text[key_start - 1 : key_start] not in {"?", "&"}:
            # outside a URL's query a password runs on over `&` and the like (`DB_PASSWORD=07k%SQ&M4`)
            value = _trim(_PASSWORD_VALUE.match(text, match.start("value")).group(0))  # type: ignore[union-attr]
        if not (match.group("op") or match.group("comma") or "").strip(" \t"):  # `my token abc`: words
            ok = _acceptable_in_prose(value)
        elif is_password_key(key):
            ok = acceptable_password(value)
        else:
            ok = acceptable_key(value, is_strong_key(key))
        if ok:
            start = match.start("value")
            yield ("password_assignment" if is_password_key(key) else "key_assignment"), start, start + len(value)
    for match in (m for start, end in lines for m in _QUOTED_AFTER_KWARG.finditer(text, start, end)):
        key, value = match.group("key"), match.group("value")
        if is_secret_key(key) and is_password_key(key) and " " not in value.strip() and acceptable_password(value):
            yield "password_assignment", match.start("value"), match.end("value")
    for rule, regex, accept, words in _PATTERN_RULES:
        # each rule runs only on the lines holding its word: the regexes start with a class or a
        # case-insensitive word, which the engine cannot search for quickly
        for match in (m for start, end in lines_holding(lowered, words) for m in regex.finditer(text, start, end)):
            value = _trim(match.group("value"))
            if accept(value):
                yield rule, match.start("value"), match.start("value") + len(value)


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
            # a part of a name such as `arn:aws:secretsmanager:...:secret:prod/db` is no key
            if key_end in done or text[key_start - 1 : key_start] == ":":
                continue
            done.add(key_end)
            match = _AFTER_KEY.match(text, key_end, end)
            if match is not None:
                yield text[key_start:key_end], key_start, match


def acceptable_password_in_url(value: str) -> bool:
    """A URL's or `-u`'s password: anything but a stand-in or a reference (short ones count too)."""
    return not (is_placeholder(value) or is_reference(value) or value.startswith("$"))


def _acceptable_basic(value: str) -> bool:
    return shannon_entropy(value) >= 3.0 and not is_placeholder(value)


def _acceptable_bearer(value: str) -> bool:
    """After `Bearer` anything long is a credential, digits only included, unless a stand-in or a reference."""
    return acceptable_key(value) or (
        len(value) >= 16 and not is_placeholder(value) and not is_reference(value) and shannon_entropy(value) >= 2.5
    )


def _acceptable_in_prose(value: str) -> bool:
    return len(value) >= 12 and acceptable_key(value) and not is_uuid(value)


_PATTERN_RULES: tuple[tuple[str, re.Pattern[str], Callable[[str], bool], tuple[str, ...]], ...] = (
    ("connection_string_password", _CONNECTION_PASSWORD, acceptable_password_in_url, ("password", "pwd")),
    ("secret_in_prose", _PROSE, _acceptable_in_prose, ("key", "token", "secret", "credential", "password")),
    ("bearer_token", _BEARER, _acceptable_bearer, ("bearer",)),
    ("basic_auth_header", _BASIC, _acceptable_basic, ("basic",)),
    ("url_password", _USERINFO, acceptable_password_in_url, ("://",)),
    ("curl_user_password", _CURL_USER, acceptable_password_in_url, ("-u", "--user")),
    ("auth_tuple_password", _AUTH_TUPLE, acceptable_password_in_url, ("auth",)),
)


def _trim(value: str) -> str:
    """The value without trailing punctuation a sentence or a line of code adds."""
    return value.rstrip(".:\\")
