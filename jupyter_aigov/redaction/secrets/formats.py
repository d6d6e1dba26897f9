"""The table of secret formats by service (`formats.toml`), compiled, and a scan that runs only what can match."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from jupyter_aigov.redaction.secrets.entropy import shannon_entropy
from jupyter_aigov.redaction.secrets.keywords import KeywordIndex, lines_holding
from jupyter_aigov.redaction.secrets.lookalikes import is_placeholder

# A secret never continues into letters or digits on either side (`TAKIA...X` is a product code, not a key);
# a vendor-context value stands alone, not part of a longer token, path or base64 run. Checked after the
# match rather than as lookbehinds, which would stop the regex engine from searching for the literal prefix.
_JOINS_TOKEN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_JOINS_VALUE = _JOINS_TOKEN | frozenset("_+/-")
_LITERAL_PREFIX = re.compile(r"(?:[A-Za-z0-9_~\-]|\\[.$/])+")


@dataclass(frozen=True, slots=True)
class SecretFormat:
    """One service's secret format: its family, name, regex, prefilter keywords, and whether it needs context."""

    family: str
    name: str
    regex: re.Pattern[str]
    keywords: tuple[str, ...]
    context: bool


class FormatTableError(ValueError):
    """`formats.toml` holds a format that cannot be used (no keyword to prefilter on, or a bad regex)."""


def literal_prefix(regex: str) -> str:
    """The literal characters a regex starts with, unescaped and lowercased ('' when it starts with a class)."""
    match = _LITERAL_PREFIX.match(regex)
    prefix = match.group(0) if match else ""
    # a quantifier after the last literal makes that character optional
    if prefix and regex[len(prefix) : len(prefix) + 1] in {"?", "*", "{"}:
        prefix = prefix[:-1]
    return prefix.replace("\\", "").lower()


def parse_formats(document: dict[str, object]) -> tuple[SecretFormat, ...]:
    """The formats a parsed `formats.toml` declares."""
    out: list[SecretFormat] = []
    for section, body in document.items():
        if not isinstance(body, dict):
            continue
        for entry in body["formats"]:
            name = f"{section}_{entry['name']}"
            context = bool(entry.get("context", False))
            keywords = tuple(k.lower() for k in entry.get("keywords", ())) or (literal_prefix(entry["regex"]),)
            if not keywords[0] or (len(keywords) == 1 and "keywords" not in entry and len(keywords[0]) < 3):
                raise FormatTableError(f"format {name} needs `keywords`: its regex has no literal prefix to look for")
            try:
                # vendors' docs write `[a-f0-9]`; keys are pasted upper-cased too, and a line naming the vendor
                # makes that safe
                regex = re.compile(entry["regex"], re.IGNORECASE if context else 0)
            except re.error as error:
                raise FormatTableError(f"format {name} has an invalid regex: {error}") from None
            out.append(SecretFormat(str(body["family"]), name, regex, keywords, context))
    return tuple(out)


@cache
def load_formats() -> FormatTable:
    """The shipped table, parsed and compiled once."""
    text = files("jupyter_aigov.redaction.secrets").joinpath("formats.toml").read_text(encoding="utf-8")
    return FormatTable(parse_formats(tomllib.loads(text)))


class FormatTable:
    """Formats indexed by keyword, so a text pays only for the formats whose keywords it contains."""

    def __init__(self, formats: tuple[SecretFormat, ...]) -> None:
        self.formats = formats
        index: dict[str, list[SecretFormat]] = {}
        for fmt in formats:
            for keyword in fmt.keywords:
                index.setdefault(keyword, []).append(fmt)
        self._index = {k: tuple(v) for k, v in index.items()}
        anywhere = {k for fmt in formats for k in fmt.keywords if _inside_token(k, fmt)}
        self._keywords = KeywordIndex(set(index) - anywhere, anywhere)

    @property
    def families(self) -> frozenset[str]:
        """The vendor families the table covers."""
        return frozenset(f.family for f in self.formats)

    def candidates(self, lowered: str) -> list[SecretFormat]:
        """Formats whose keywords occur in `lowered` (the text, lowercased), each once, in table order."""
        seen: dict[str, SecretFormat] = {}
        for keyword in sorted(self._keywords.present(lowered)):
            for fmt in self._index[keyword]:
                seen.setdefault(fmt.name, fmt)
        return list(seen.values())

    def scan(self, text: str) -> Iterator[tuple[SecretFormat, int, int]]:
        """Each match of a format in `text`, as (format, start, end)."""
        lowered = text.lower()
        for fmt in self.candidates(lowered):
            group = "s" if "s" in fmt.regex.groupindex else 0
            joins = _JOINS_VALUE if fmt.context else _JOINS_TOKEN
            # a context format is looked for only on the lines that name its vendor
            ranges = lines_holding(lowered, fmt.keywords) if fmt.context else [(0, len(text))]
            for start, end in ranges:
                yield from ((fmt, s, e) for s, e in _matches(fmt, text, start, end, group, joins))


def _matches(
    fmt: SecretFormat, text: str, start: int, end: int, group: str | int, joins: frozenset[str]
) -> Iterator[tuple[int, int]]:
    """Spans of `fmt`'s secrets in text[start:end]; after a rejected match the search resumes one character
    on, since a value whose alphabet includes `_` or `=` can begin inside the key before it (`KEY=v`)."""
    pos = start
    while (match := fmt.regex.search(text, pos, end)) is not None:
        value = match.group(group)
        if _joined(text, match.start(), match.end(), joins) or not _acceptable(value, fmt.context):
            pos = match.start() + 1
            continue
        yield match.start(group), match.end(group)
        pos = match.end()


def _acceptable(value: str, plain_shape: bool) -> bool:
    if is_placeholder(value) or shannon_entropy(value) < 2.0 or _WORDS.fullmatch(value):
        return False
    return _plausible(value) if plain_shape else True


def _inside_token(keyword: str, fmt: SecretFormat) -> bool:
    """True when `keyword` can sit inside a token: it starts with punctuation, or it is not where the format's
    match begins (`t3blbkfj` in the middle of an OpenAI key)."""
    if not keyword[0].isalnum():
        return True
    if fmt.context:
        return False
    prefix = literal_prefix(fmt.regex.pattern)
    return not prefix or not (keyword.startswith(prefix) or prefix.startswith(keyword))


def _joined(text: str, start: int, end: int, joins: frozenset[str]) -> bool:
    """True when the match runs on into the characters around it (it is part of a longer token)."""
    return (start > 0 and text[start - 1] in joins) or (end < len(text) and text[end] in joins)


# Words joined by hyphens or underscores (`sk-learn-compatible-wrapper`): a name, not a key.
_WORDS = re.compile(r"[a-z]{1,12}(?:[-_.][a-z]{1,12})+")


def _plausible(value: str) -> bool:
    """A plain-shaped value (32 letters and digits) is a key when it holds digits or both cases, as words do not."""
    has_digit = any(c.isdigit() for c in value)
    return has_digit or (any(c.islower() for c in value) and any(c.isupper() for c in value))
