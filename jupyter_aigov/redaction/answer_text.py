"""Text of a model's answer: how much of a growing text can be scanned and released, and findings masked.

A streamed answer arrives a few characters at a time. A finding can only be judged on whole words, and names,
phone numbers and keys span several deltas, so the scanner releases text up to the last line or sentence end
and holds the rest (`release_point`). What it releases is scanned, and each finding replaced by a marker
(`<SECRET>`, `<PERSON>`): not a numbered placeholder, so restore never turns it back into a value.

>>> release_point("Here it is. The key is sk-pro")
12
>>> mask("Use sk-abc now", [Finding("SECRET", 4, 10, 0.9)])
'Use <SECRET> now'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.redaction.placeholders import PLACEHOLDER_PATTERN, entity_tag

# A line end, or a sentence end followed by a space: no finding of aigov's spans one (postal blocks over
# several lines are scanned line by line: their weak spot).
_BREAK = re.compile(r"\n|[.!?][\"')\]]*[ \t]")
HOLD_CHARS = 2000  # a text this long without a break is released up to its last whitespace
HOLD_TOKEN_CHARS = 16 * 1024  # ... and without whitespace either: released whole (a base64 blob, a minified file)
HOLD_JSON_CHARS = 1024 * 1024  # tool arguments are held to their end, up to this (the tool-call gate holds them too)
_PEM_BEGIN, _PEM_END = "-----BEGIN", "-----END"
_QUOTES = '"\\'


def release_point(text: str, json_text: bool = False) -> int:
    """How many leading characters of a growing text can be scanned and released now; the rest is held."""
    if json_text:  # pieces of a tool call's JSON arguments: held whole, scanned as JSON once complete
        return _last_space(text) if len(text) > HOLD_JSON_CHARS else 0
    cut = 0
    for match in _BREAK.finditer(text):
        cut = match.end()
    if len(text) - cut > HOLD_CHARS:
        cut = max(cut, _last_space(text))
        if len(text) - cut > HOLD_TOKEN_CHARS:
            cut = len(text)
    begin = text.rfind(_PEM_BEGIN, 0, cut)
    if begin >= 0 and _PEM_END not in text[begin:] and len(text) - begin <= HOLD_TOKEN_CHARS:
        # a private key block is scanned whole: held from the break before it
        cut = max((match.end() for match in _BREAK.finditer(text, 0, begin)), default=0)
    return cut


def _last_space(text: str) -> int:
    return max(text.rfind(" "), text.rfind("\n"), text.rfind("\t")) + 1


def marker(entity: str) -> str:
    """What replaces a finding in an answer: `<SECRET>`; never a placeholder restore would fill in."""
    tag = entity_tag(entity)
    text = f"<{tag}>"
    return f"<{tag}_REDACTED>" if PLACEHOLDER_PATTERN.fullmatch(text) else text


def outside_placeholders(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """The findings that do not touch a placeholder (`<PERSON_1>`): those stand for the caller's own values."""
    if "<" not in text:
        return list(findings)
    taken = [(m.start(), m.end()) for m in PLACEHOLDER_PATTERN.finditer(text)]
    return [f for f in findings if not any(f.start < end and start < f.end for start, end in taken)]


def mask(text: str, spans: Sequence[Finding], json_text: bool = False) -> str:
    """`text` with each span (non-overlapping, as `merge_spans` makes them) replaced by its marker.

    In JSON text a span is trimmed of quotes and backslashes at its ends, so the JSON stays valid.
    """
    out: list[str] = []
    pos = 0
    for finding in sorted(spans, key=lambda f: f.start):
        start, end = max(finding.start, pos), finding.end
        if json_text:
            while start < end and text[start] in _QUOTES:
                start += 1
            while end > start and text[end - 1] in _QUOTES:
                end -= 1
        if start >= end:
            continue
        out += (text[pos:start], marker(finding.entity))
        pos = end
    out.append(text[pos:])
    return "".join(out)
