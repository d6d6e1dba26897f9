"""What a key's name says about its value: a secret, a password, or a place in data (`cache_key`, `max_tokens`)."""

from __future__ import annotations

import re

# Words of a key name that say its value is a secret.
SECRET_WORDS = frozenset(
    [
        "apikey",
        "auth",
        "authorization",
        "bearer",
        "cookie",
        "cred",
        "credential",
        "credentials",
        "creds",
        "dsn",
        "hmac",
        "key",
        "license",
        "pass",
        "passphrase",
        "passwd",
        "password",
        "pat",
        "private",
        "pw",
        "pwd",
        "salt",
        "sas",
        "secret",
        "session",
        "sig",
        "signature",
        "skey",
        "token",
    ]
)
# Words that name a credential; `key` does too, unless a word of DATA_KEY_QUALIFIERS makes it a place in data.
STRONG_WORDS = frozenset(
    [
        "apikey",
        "auth",
        "authorization",
        "bearer",
        "cred",
        "credential",
        "credentials",
        "creds",
        "key",
        "pass",
        "passphrase",
        "passwd",
        "password",
        "pat",
        "private",
        "pwd",
        "secret",
        "skey",
        "token",
    ]
)
DATA_KEY_QUALIFIERS = frozenset(
    [
        "blob",
        "bucket",
        "cache",
        "cluster",
        "column",
        "composite",
        "config",
        "dataframe",
        "dedup",
        "dedupe",
        "df",
        "dict",
        "dist",
        "distribution",
        "event",
        "feature",
        "file",
        "foreign",
        "group",
        "groupby",
        "hash",
        "host",
        "idempotency",
        "index",
        "join",
        "json",
        "kafka",
        "known",
        "label",
        "lookup",
        "map",
        "match",
        "merge",
        "message",
        "metric",
        "natural",
        "object",
        "partition",
        "primary",
        "pub",
        "public",
        "row",
        "s3",
        "setting",
        "shard",
        "sort",
        "ssh",
        "stream",
        "surrogate",
        "unique",
        "yaml",
    ]
)
PASSWORD_WORDS = frozenset(["pass", "passphrase", "passwd", "password", "pw", "pwd"])
# Words that say a key is about a secret (its length, name, path, expiry) rather than the secret itself.
NOT_SECRET_WORDS = frozenset(
    [
        "cache",
        "checksum",
        "col",
        "column",
        "count",
        "digest",
        "dir",
        "enabled",
        "env",
        "expires",
        "expiry",
        "field",
        "file",
        "filename",
        "fingerprint",
        "foreign",
        "format",
        "hash",
        "header",
        "id",
        "ids",
        "index",
        "keyboard",
        "keys",
        "label",
        "len",
        "length",
        "limit",
        "limits",
        "lookup",
        "max",
        "min",
        "mode",
        "name",
        "names",
        "num",
        "partition",
        "path",
        "policy",
        "prefix",
        "primary",
        "pub",
        "public",
        "publishable",
        "region",
        "required",
        "sha",
        "size",
        "sort",
        "timeout",
        "tokenizer",
        "tokens",
        "ttl",
        "type",
        "uri",
        "url",
        "var",
        "version",
    ]
)

_KEY_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


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
