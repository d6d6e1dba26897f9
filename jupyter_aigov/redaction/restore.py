"""Put the original values back where a provider's answer carries placeholders: text, JSON values, JSON bodies.

>>> restore_json_bytes(b'{"content": "Hello <PERSON_1>"}', vault)  # doctest: +SKIP
b'{"content":"Hello Frank Holt"}'
"""

from __future__ import annotations

import json
import re
from typing import Any

from jupyter_aigov.redaction.placeholders import PLACEHOLDER_PATTERN, PlaceholderVault

# A placeholder as it may be written inside JSON text: `<`/`>` raw or as \u003c/\u003e, the escaped form that
# Go's encoder (Ollama) emits. `pre` keeps escaped backslashes before it, so `\\u003c` (a literal backslash,
# then "u003c") is not mistaken for an escape.
_JSON_PLACEHOLDER = re.compile(
    r"(?:(?P<pre>(?<!\\)(?:\\\\)*)\\u003[cC]|<)(?P<name>[A-Z][A-Z0-9_]*_[1-9][0-9]*)(?:\\u003[eE]|>)"
)


def restore_text(text: str, vault: PlaceholderVault) -> str:
    """`text` with every placeholder of `vault` replaced by its value; other placeholders are left as they are."""
    if "<" not in text:
        return text
    restored = PLACEHOLDER_PATTERN.sub(lambda m: vault.value_for(m.group()) or m.group(), text)
    return text if restored == text else restored  # the same object when unchanged: callers test identity


def restore_json_text(text: str, vault: PlaceholderVault) -> str:
    """JSON text (whole or a fragment) with placeholders inside its strings replaced by JSON-escaped values."""
    if "<" not in text and "\\u003" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        value = vault.value_for(f"<{match['name']}>")
        if value is None:
            return match.group()
        return (match["pre"] or "") + json.dumps(value, ensure_ascii=False)[1:-1]

    restored = _JSON_PLACEHOLDER.sub(replace, text)
    return text if restored == text else restored


def restore_string(text: str, vault: PlaceholderVault) -> str:
    """A JSON string value restored: as JSON when it is a JSON document (tool arguments), else as text."""
    if "<" not in text and "\\u003" not in text:
        return text
    if text.lstrip()[:1] in ("{", "["):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict | list):
            expected = restore_value(document, vault)
            if expected == document:
                return text
            # keep the model's own formatting when an in-place replacement means the same document
            in_place = restore_json_text(text, vault)
            try:
                if json.loads(in_place) == expected:
                    return in_place
            except ValueError:
                pass
            return json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    return restore_text(text, vault)


def restore_value(value: Any, vault: PlaceholderVault) -> Any:
    """A parsed JSON value with placeholders restored in every string and key; unchanged parts are the same objects."""
    if isinstance(value, str):
        return restore_string(value, vault)
    if isinstance(value, dict):
        items = [(restore_text(k, vault), restore_value(v, vault)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items(), strict=True)):
            return value
        return dict(items)
    if isinstance(value, list):
        restored = [restore_value(v, vault) for v in value]
        return value if all(a is b for a, b in zip(restored, value, strict=True)) else restored
    return value


def restore_json_bytes(body: bytes, vault: PlaceholderVault) -> bytes:
    """A complete response body restored: re-encoded compactly when JSON and changed, byte-level otherwise.

    The body must be the decoded one (after gzip/deflate): the length of what the caller reads changes.
    """
    if b"<" not in body and b"\\u003" not in body:
        return body
    try:
        document = json.loads(body)
    except ValueError:
        text = body.decode("utf-8", "surrogateescape")
        restored_text = restore_json_text(text, vault)
        return body if restored_text is text else restored_text.encode("utf-8", "surrogateescape")
    restored = restore_value(document, vault)
    if restored is document:
        return body
    try:
        return json.dumps(restored, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # a lone surrogate (from a \ud800 escape) has no UTF-8 form: keep it escaped
        return json.dumps(restored, separators=(",", ":")).encode()
