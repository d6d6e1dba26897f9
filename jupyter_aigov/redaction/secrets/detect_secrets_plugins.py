"""detect-secrets' regex plugins, run on a text in memory: their regexes only, never files, git, the network or
their verification (which would send the secret to the vendor)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from jupyter_aigov.redaction.secrets.keywords import lines_holding
from jupyter_aigov.redaction.secrets.lookalikes import is_placeholder

# Left out, and why: IPPublicDetector finds addresses, not secrets (IP_ADDRESS covers them);
# PrivateKeyDetector finds only the BEGIN line (blocks.py takes the whole block); the keyword and
# high-entropy plugins are line scanners tied to file types (context.py does their job on free text).
EXCLUDED = frozenset({"IPPublicDetector", "PrivateKeyDetector", "KeywordDetector"})

# What each plugin's regexes cannot match without (read from their regexes): a plugin runs only on the
# lines holding one of its words, as written (`case`: its regexes are case-sensitive) or lowercased. A
# plugin missing here (a newer detect-secrets) runs on every line.
CASE, ANY_CASE = True, False
GATES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "ArtifactoryDetector": (CASE, ("AKC", "AP")),
    "AWSKeyDetector": (CASE, ("A3T", "ABIA", "ACCA", "AKIA", "ASIA", "aws")),
    "AzureStorageKeyDetector": (CASE, ("AccountKey=",)),
    "BasicAuthDetector": (CASE, ("://",)),
    "CloudantDetector": (ANY_CASE, ("key", "pwd", "pw", "pass", "token", ".cloudant.com")),
    "DiscordBotTokenDetector": (CASE, (".",)),
    "GitHubTokenDetector": (CASE, ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    "GitLabTokenDetector": (
        CASE,
        (
            "glpat-",
            "gldt-",
            "glft-",
            "glsoat-",
            "glrt-",
            "GR1348941",
            "glcbt-",
            "glimt-",
            "glptt-",
            "glagent-",
            "gloas-",
        ),
    ),
    "IbmCloudIamDetector": (ANY_CASE, ("key", "pwd", "pass", "token")),
    "IbmCosHmacDetector": (ANY_CASE, ("secret",)),
    "JwtTokenDetector": (CASE, ("eyJ",)),
    "MailchimpDetector": (CASE, ("-us",)),
    "NpmDetector": (CASE, (":_authToken=",)),
    "OpenAIDetector": (CASE, ("T3BlbkFJ",)),
    "PypiTokenDetector": (CASE, ("pypi-",)),
    "SendGridDetector": (CASE, ("SG.",)),
    "SlackDetector": (CASE, ("xox", "hooks.slack.com")),
    "SoftlayerDetector": (ANY_CASE, ("key", "pwd", "pass", "token", "api.softlayer.com")),
    "SquareOAuthDetector": (CASE, ("sq0csp-",)),
    "StripeDetector": (CASE, ("k_live_",)),
    "TelegramBotTokenDetector": (CASE, (":",)),
    "TwilioKeyDetector": (CASE, ("AC", "SK")),
}


@cache
def plugin_regexes() -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    """(plugin class name, its compiled regexes) for every regex-based detect-secrets plugin that finds secrets."""
    # imported here: detect-secrets imports `requests`, which the engine's loading thread pays for
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    out: list[tuple[str, tuple[re.Pattern[str], ...]]] = []
    plugins: list[Any] = list(get_mapping_from_secret_type_to_class().values())
    for plugin in plugins:
        if issubclass(plugin, RegexBasedDetector) and plugin.__name__ not in EXCLUDED:
            detector = plugin()
            out.append((plugin.__name__, tuple(detector.denylist)))
    return tuple(out)


def find_with_detect_secrets(text: str) -> Iterator[tuple[str, int, int]]:
    """Each secret detect-secrets' plugins find in `text`, as (plugin, start, end) of the secret itself."""
    lowered = text.lower()
    for plugin, regexes in plugin_regexes():
        ranges = _gated_ranges(text, lowered, GATES.get(plugin))
        for match in (m for regex in regexes for start, end in ranges for m in regex.finditer(text, start, end)):
            # a plugin's first non-empty group is the secret when it has groups (the rest is its context)
            group = next((i for i in range(1, (match.re.groups or 0) + 1) if match.group(i)), 0)
            value = match.group(group).strip("\"' \t\r\n")
            if not value or is_placeholder(value) or not _mixes_letters_and_digits(value):
                continue
            start = match.start(group) + match.group(group).find(value)
            end = start + len(value)
            # their regexes have no word boundaries: `TAKIA...X` would be an AWS key id inside a product code
            if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
                continue
            yield plugin, start, end


def _gated_ranges(text: str, lowered: str, gate: tuple[bool, tuple[str, ...]] | None) -> list[tuple[int, int]]:
    """The parts of `text` a plugin must read: the lines holding its words (the whole text when it has no gate
    or they are many, where one pass costs less than one per line)."""
    if gate is None:
        return [(0, len(text))]
    case, words = gate
    lines = lines_holding(text, words) if case else lines_holding(lowered, words)
    return [(0, len(text))] if len(lines) > 8 else lines


def _mixes_letters_and_digits(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
