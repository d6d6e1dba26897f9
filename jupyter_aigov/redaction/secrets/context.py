"""Secrets found by where they stand: assigned to a secret-named key, after `Bearer`, in a URL's userinfo, in a
connection string's `password=`, after `curl -u`; each value must then look generated (or, for passwords,
not be a word or a stand-in)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from jupyter_aigov.redaction.secrets.entropy import looks_generated, shannon_entropy
from jupyter_aigov.redaction.secrets.keywords import lines_holding
from jupyter_aigov.redaction.secrets.lookalikes import is_digest, is_placeholder, is_reference, is_uuid

# Parts of a key name that say its value is a secret, and parts that say it is about one (a count, a name,
# a path) rather than the secret itself.
SECRET_WORDS = frozenset(
    {
        "key",
        "apikey",
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
# Words that leave no doubt; a bare `key` does not (a cache key, an object key, a sort key).
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
    }
)
KEY_QUALIFIERS = frozenset(
    {
        "api",
        "access",
        "secret",
        "private",
        "client",
        "account",
        "master",
        "service",
        "app",
        "auth",
        "signing",
        "encryption",
        "subscription",
        "admin",
        "license",
        "write",
        "read",
        "deploy",
        "ingest",
        "x",
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
_ASSIGNMENT = re.compile(
    r"(?<![\w.])(?P<key>[A-Za-z_@][\w.-]{0,80}?)(?=[\"'`]?\]?\s{0,3}"
    r"(?:=>|:=|::|\?=|=|:|,|\s+(?:is|was|to|as)\s+|\s)\s{0,3}"
    r"(?:[rbfuRBFU]{0,2}[\"'`])?\s*(?:(?i:bearer|basic|token|apikey|api-key|sso-key)\s+)?"
    r"(?P<value>[^\s\"'`,;<>(){}\[\]&|=][^\s\"'`,;<>(){}\[\]&|]{5,400}))"
)
_BEARER = re.compile(r"(?i:\bbearer)\s+(?P<value>[A-Za-z0-9._~+/-]{16,}=*)")
_BASIC = re.compile(r"(?i:\bbasic)\s+(?P<value>[A-Za-z0-9+/]{12,}={0,2})(?![A-Za-z0-9+/=])")
_USERINFO = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@\"'`]{1,80}:(?P<value>[^\s@/\"'`]{3,200})@[\w.-]")
_CURL_USER = re.compile(r"(?:^|\s)(?:-u|--user)[\s=]+[\"']?[^\s:\"']{1,80}:(?P<value>[^\s\"']{3,200})")
_AUTH_TUPLE = re.compile(
    r"(?i:auth\w*)\s*[=(]\s*\(?\s*[\"'][^\"'\n]{1,80}[\"']\s*,\s*[\"'](?P<value>[^\"'\n]{4,200})[\"']"
)
_QUOTED_AFTER_KWARG = re.compile(r"\b(?P<key>\w+)\s*=\s*[\"'](?P<value>[^\"'\n]{6,400})[\"']")


def key_words(key: str) -> list[str]:
    """The lowercase words of a key name: `OPENAI_API_KEY` -> openai, api, key; `clientSecret` -> client, secret."""
    return [w.lower() for w in _KEY_PARTS.findall(key)]


def is_secret_key(key: str) -> bool:
    """True when a key's name says its value is a secret (`API_KEY`, `x-auth-token`, `password`)."""
    words = key_words(key)
    if not words or words[-1] in NOT_SECRET_WORDS:
        return False
    joined = "".join(words)
    named = any(w in SECRET_WORDS for w in words) or "apikey" in joined or "password" in joined
    return named and not (set(words) & {"tokens", "tokenizer", "public", "publishable", "pub"})


def is_strong_key(key: str) -> bool:
    """True when a key's name leaves no doubt its value is a credential (`API_KEY`, `token`, `Authorization`)."""
    words = key_words(key)
    if any(w in STRONG_WORDS for w in words) or "apikey" in "".join(words):
        return True
    return any(w == "key" and i and words[i - 1] in KEY_QUALIFIERS for i, w in enumerate(words))


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
    if len(value) < 8 or is_placeholder(value) or is_reference(value) or _PATH.match(value):
        return False
    if not strong and is_digest(value):
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


def find_in_context(text: str) -> Iterator[tuple[str, int, int]]:
    """Each secret found by its context, as (rule, start, end)."""
    lowered = text.lower()
    lines = lines_holding(lowered, _KEY_STEMS)
    for match in (m for start, end in lines for m in _ASSIGNMENT.finditer(text, start, end)):
        key, value = match.group("key"), _trim(match.group("value"))
        if not is_secret_key(key):
            continue
        ok = acceptable_password(value) if is_password_key(key) else acceptable_key(value, is_strong_key(key))
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


def acceptable_password_in_url(value: str) -> bool:
    """A URL's or `-u`'s password: anything but a stand-in or a reference (short ones count too)."""
    return not (is_placeholder(value) or is_reference(value) or value.startswith("$"))


def _acceptable_basic(value: str) -> bool:
    return shannon_entropy(value) >= 3.0 and not is_placeholder(value)


_PATTERN_RULES: tuple[tuple[str, re.Pattern[str], Callable[[str], bool], tuple[str, ...]], ...] = (
    ("bearer_token", _BEARER, acceptable_key, ("bearer",)),
    ("basic_auth_header", _BASIC, _acceptable_basic, ("basic",)),
    ("url_password", _USERINFO, acceptable_password_in_url, ("://",)),
    ("curl_user_password", _CURL_USER, acceptable_password_in_url, ("-u", "--user")),
    ("auth_tuple_password", _AUTH_TUPLE, acceptable_password_in_url, ("auth",)),
)


def _trim(value: str) -> str:
    """The value without trailing punctuation a sentence or a line of code adds."""
    return value.rstrip(".:\\")
