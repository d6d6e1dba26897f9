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

# Words each plugin's regexes need (read from their regexes), lowercase: a plugin runs only on the lines
# holding one. A plugin missing here (a newer detect-secrets) runs on every line.
LINE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "ArtifactoryDetector": ("akc", "ap"),
    "AWSKeyDetector": ("a3t", "abia", "acca", "akia", "asia", "aws"),
    "AzureStorageKeyDetector": ("accountkey=",),
    "BasicAuthDetector": ("://",),
    "CloudantDetector": ("cl",),
    "DiscordBotTokenDetector": (".",),
    "GitHubTokenDetector": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    "GitLabTokenDetector": ("gl", "gr1348941"),
    "IbmCloudIamDetector": ("key", "pwd", "pass", "token"),
    "IbmCosHmacDetector": ("secret",),
    "JwtTokenDetector": ("eyj",),
    "MailchimpDetector": ("-us",),
    "NpmDetector": ("_authtoken",),
    "OpenAIDetector": ("t3blbkfj",),
    "PypiTokenDetector": ("pypi-",),
    "SendGridDetector": ("sg.",),
    "SlackDetector": ("xox", "hooks.slack.com"),
    "SoftlayerDetector": ("sl", "softlayer"),
    "SquareOAuthDetector": ("sq0csp-",),
    "StripeDetector": ("k_live_",),
    "TelegramBotTokenDetector": (":",),
    "TwilioKeyDetector": ("ac", "sk"),
}


@cache
def plugin_regexes() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(plugin class name, compiled regex) for every regex-based detect-secrets plugin that finds secrets."""
    # imported here: detect-secrets imports `requests`, which the engine's loading thread pays for
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    out: list[tuple[str, re.Pattern[str]]] = []
    plugins: list[Any] = list(get_mapping_from_secret_type_to_class().values())
    for plugin in plugins:
        if issubclass(plugin, RegexBasedDetector) and plugin.__name__ not in EXCLUDED:
            detector = plugin()
            out.extend((plugin.__name__, regex) for regex in detector.denylist)
    return tuple(out)


def find_with_detect_secrets(text: str) -> Iterator[tuple[str, int, int]]:
    """Each secret detect-secrets' plugins find in `text`, as (plugin, start, end) of the secret itself."""
    lowered = text.lower()
    for plugin, regex in plugin_regexes():
        keywords = LINE_KEYWORDS.get(plugin)
        ranges = [(0, len(text))] if keywords is None else lines_holding(lowered, keywords)
        for match in (m for start, end in ranges for m in regex.finditer(text, start, end)):
            # a plugin's first non-empty group is the secret when it has groups (the rest is its context)
            group = next((i for i in range(1, (regex.groups or 0) + 1) if match.group(i)), 0)
            value = match.group(group).strip("\"' \t\r\n")
            if not value or is_placeholder(value) or not _mixes_letters_and_digits(value):
                continue
            start = match.start(group) + match.group(group).find(value)
            end = start + len(value)
            # their regexes have no word boundaries: `TAKIA...X` would be an AWS key id inside a product code
            if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
                continue
            yield plugin, start, end


def _mixes_letters_and_digits(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
