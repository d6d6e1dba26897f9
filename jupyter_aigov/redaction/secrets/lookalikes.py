"""Values that look like secrets and are not: digests, ids, references to a secret, and stand-ins for one."""

from __future__ import annotations

import re

# Words people write where a secret would go, in examples and templates.
PLACEHOLDER_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "changeme",
        "change_me",
        "example",
        "redacted",
        "removed",
        "hidden",
        "dummy",
        "test",
        "none",
        "null",
        "undefined",
        "true",
        "false",
        "...",
    }
)

_PLACEHOLDER_PARTS = re.compile(
    r"(?i)your[_-]?|[_-]here\b|placeholder|example|redacted|replace[_-]?me|changeme|"
    r"insert[_-]|dummy|fake|x{4,}|\*{3,}|\.{3}|…|#{4,}|0{8,}|1234567890|(?-i:abcdefgh|ABCDEFGH)|(?:^|[_-])(?:key|token|secret)s?$"
)
_TEMPLATE = re.compile(r"^(?:\$\{?[\w.:-]+\}?|%\(?[\w.]+\)?s?|\{\{?[^}]*\}\}?|<[^>]*>|\[[^\]]*\]|@[\w.-]+@)$")

# Code that names where a secret is kept rather than the secret itself: `os.environ[...]`, `settings.api_key`,
# `OPENAI_API_KEY`, `get_token()`.
_REFERENCE = re.compile(
    r"^(?:(?:os\.)?(?:environ|getenv)\b.*|(?:process\.env|env|secrets|vars|ENV|config|settings|self|args)[.\[].*|"
    r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z_][a-z0-9_]*(?:\.[A-Za-z_]+\d{0,2})+(?:\(.*\))?|[a-z]+(?:_[a-z]+)+|"
    r"[a-z]{2,}(?:[A-Z][a-z]{2,})+|[A-Za-z_]\w*\(.*)$"
)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HEX_DIGEST = re.compile(r"^(?:sha(?:1|224|256|384|512)[:=~-])?[0-9a-fA-F]{7,128}$")
_BASE64_DIGEST = re.compile(r"^sha(?:1|256|384|512)-[A-Za-z0-9+/]{27,88}={0,2}$")


def is_placeholder(value: str) -> bool:
    """True for stand-ins: `password`, `****`, `xxxx`, `<your-key>`, `YOUR_API_KEY`, `sk-...`, `${PGPASSWORD}`."""
    stripped = value.strip().strip("\"'`")
    if not stripped or stripped.lower() in PLACEHOLDER_WORDS or len(set(stripped.lower())) <= 2:
        return True
    return bool(_PLACEHOLDER_PARTS.search(stripped)) or bool(_TEMPLATE.match(stripped))


def is_reference(value: str) -> bool:
    """True for code that names a secret's place: `os.environ["KEY"]`, `OPENAI_API_KEY`, `cfg.token`, `get()`."""
    return bool(_REFERENCE.match(value.strip().strip("\"'`")))


# Keys vendors publish in web pages on purpose (Stripe and Clerk publishable keys, Mapbox public tokens,
# PostHog project keys, Langfuse and Supabase public keys).
_PUBLIC_KEY = re.compile(r"^(?:pk_(?:live|test)_|pk\.eyJ|phc_|pk-lf-|sb_publishable_)")


def is_public_key(value: str) -> bool:
    """True for a key its vendor means to be public (`pk_live_...`)."""
    return bool(_PUBLIC_KEY.match(value))


# Names of objects, not credentials, in the forms their services print them: Twilio SIDs other than an API key's,
# Stripe object ids (docs.stripe.com/api), OpenAI and Anthropic object and request ids.
_OBJECT_ID = re.compile(
    r"^(?:(?:AC|PN|MG|CA|SM|MM|RE|CF|IS|VA)[0-9a-f]{32}|"
    r"(?:cus|pi|pm|price|prod|acct|evt|ch|in|sub|txn|seti|src|card|py|po|tr|ii|il|si|cs)_[A-Za-z0-9]{8,}|"
    r"(?:org|file|chatcmpl)-[A-Za-z0-9]{16,}|(?:proj|asst|thread|run|msg|batch|req|toolu|step|vs)_[A-Za-z0-9]{12,})$"
)


def is_object_id(value: str) -> bool:
    """True for an object's id a service prints (`AC...` Twilio account, `cus_...` Stripe customer, `msg_...`)."""
    return bool(_OBJECT_ID.match(value))


def is_uuid(value: str) -> bool:
    """True for a UUID written in its 8-4-4-4-12 form."""
    return bool(_UUID.match(value))


def is_digest(value: str) -> bool:
    """True for a hex digest (git SHA, checksum, docker digest) or an SRI hash (`sha512-...`)."""
    return bool(_HEX_DIGEST.match(value)) or bool(_BASE64_DIGEST.match(value))
