"""Recognizer for entity SECRET: API keys, tokens, private keys and passwords, as a table of patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

SECRET = "SECRET"

# Literal stand-ins people write in examples; flagging them would block harmless prompts.
_PLACEHOLDERS = frozenset({"password", "passwd", "pass", "pwd", "secret", "changeme", "your_password", "xxx", "..."})


@dataclass(frozen=True, slots=True)
class SecretPattern:
    """One kind of secret: a regex whose group `s` (or whole match) is the secret, and how random it must look."""

    name: str
    regex: str
    score: float = 0.95
    random: bool = False


# Sources: the vendors' documented key formats (OpenAI, Anthropic, AWS IAM identifiers, GitHub token
# prefixes, Slack token types, Google API keys, RFC 7468 PEM, RFC 7519 JWT, RFC 3986 userinfo).
PATTERNS: tuple[SecretPattern, ...] = (
    SecretPattern("anthropic_key", r"\bsk-ant-[A-Za-z0-9]{2,8}-[A-Za-z0-9_-]{20,}"),
    SecretPattern(
        "openai_key", r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])", random=True
    ),
    SecretPattern("aws_access_key_id", r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b"),
    SecretPattern(
        "aws_secret_access_key",
        r"(?i:aws_?secret(?:_?access)?_?key|secret_?access_?key)[\"']?\s*[:=]\s*[\"']?(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])",
    ),
    SecretPattern("github_token", r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b"),
    SecretPattern("github_pat", r"\bgithub_pat_[A-Za-z0-9_]{22,}\b"),
    SecretPattern("slack_token", r"\bxox[baprse]-(?:[0-9]+-)+[A-Za-z0-9]{10,}\b"),
    SecretPattern("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
    SecretPattern("bearer_token", r"(?i:\bbearer)\s+(?P<s>[A-Za-z0-9._~+/-]{16,}=*)", random=True),
    SecretPattern(
        "pem_private_key",
        # Unterminated keys (pasted truncated) still count, up to the end of their base64 body.
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"
        r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|[A-Za-z0-9+/=\s]*)",
    ),
    SecretPattern("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    SecretPattern(
        "connection_string_password",
        r"\b(?i:postgres(?:ql)?|mysql|mariadb|mssql|sqlserver|oracle|mongodb(?:\+srv)?|rediss?|amqps?|snowflake|clickhouse)"
        r"(?:\+\w+)?://[^:/\s@]+:(?P<s>[^@\s/]+)@",
        score=0.9,
    ),
    SecretPattern(
        "assigned_secret",
        r"(?i:\b(?:password|passwd|pwd|api_?key|secret_?key|access_?token|auth_?token|client_?secret))[\"']?\s*[:=]\s*"
        r"[\"'](?P<s>[^\"'\s]{8,})[\"']",
        score=0.8,
        random=True,
    ),
)

_COMPILED = tuple((p, re.compile(p.regex)) for p in PATTERNS)


def looks_random(value: str) -> bool:
    """True when `value` mixes digits with letters of both cases, as generated keys do and words do not."""
    return any(c.isdigit() for c in value) and any(c.islower() for c in value) and any(c.isupper() for c in value)


def is_placeholder(value: str) -> bool:
    """True for stand-ins such as `password`, `****`, `${PGPASSWORD}` or `<token>`."""
    stripped = value.strip()
    return (
        stripped.lower() in _PLACEHOLDERS
        or stripped[:1] in {"$", "{", "<", "*", "%"}
        or set(stripped) <= {"*", "x", "X"}
    )


def find_secrets(text: str) -> list[tuple[str, int, int, float]]:
    """Every secret in `text` as (pattern name, start, end, score)."""
    found: list[tuple[str, int, int, float]] = []
    for pattern, regex in _COMPILED:
        for match in regex.finditer(text):
            group = "s" if "s" in regex.groupindex else 0
            value = match.group(group)
            if not value or is_placeholder(value) or (pattern.random and not looks_random(value)):
                continue
            found.append((pattern.name, match.start(group), match.end(group), pattern.score))
    return found


class SecretRecognizer(EntityRecognizer):
    """Presidio recognizer reporting every `PATTERNS` match as entity SECRET."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[SECRET], name="AigovSecretRecognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load: the patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find secrets in `text`."""
        if SECRET not in entities:
            return []
        return [RecognizerResult(SECRET, start, end, score) for _, start, end, score in find_secrets(text)]
