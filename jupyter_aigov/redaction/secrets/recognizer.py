"""SecretRecognizer: every way of finding a secret (formats, detect-secrets, key names, credential slots, key
blocks) as one Presidio recognizer of entity SECRET."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.secrets.blocks import find_private_key_blocks
from jupyter_aigov.redaction.secrets.context import find_in_context
from jupyter_aigov.redaction.secrets.credential_slots import find_in_slots
from jupyter_aigov.redaction.secrets.detect_secrets_plugins import find_with_detect_secrets, plugin_regexes
from jupyter_aigov.redaction.secrets.formats import load_formats
from jupyter_aigov.redaction.secrets.lookalikes import is_object_id

SECRET = "SECRET"

Found = list[tuple[str, int, int, float]]


def _blocks(text: str) -> Found:
    return [(name, start, end, 1.0) for name, start, end in find_private_key_blocks(text)]


def _formats(text: str) -> Found:
    # a vendor's prefix is near proof; a plain shape on a line naming the vendor, less so
    return [(f.name, start, end, 0.9 if f.context else 0.95) for f, start, end in load_formats().scan(text)]


def _detect_secrets(text: str) -> Found:
    return [(f"detect_secrets_{name}", start, end, 0.9) for name, start, end in find_with_detect_secrets(text)]


def _context(text: str) -> Found:
    return [(rule, start, end, 0.85) for rule, start, end in find_in_context(text)]


def _slots(text: str) -> Found:
    return [(rule, start, end, 0.85) for rule, start, end in find_in_slots(text)]


# Every way of finding a secret, by name (the benchmark measures what each adds).
PARTS: dict[str, Callable[[str], Found]] = {
    "blocks": _blocks,
    "formats": _formats,
    "detect_secrets": _detect_secrets,
    "context": _context,
    "slots": _slots,
}


def find_secrets(text: str, parts: Iterable[str] = PARTS) -> Found:
    """Every secret in `text` as (kind, start, end, score), spans not overlapping, sorted by position."""
    found = [f for part in parts for f in PARTS[part](text) if not is_object_id(text[f[1] : f[2]])]
    return merge_overlaps(found)


def merge_overlaps(found: Found) -> Found:
    """One span per secret: overlapping findings join, named by the surest of them."""
    merged: Found = []
    for name, start, end, score in sorted(found, key=lambda f: (f[1], -f[2], -f[3])):
        if merged and start < merged[-1][2]:
            last = merged[-1]
            best = last if last[3] >= score else (name, start, end, score)
            merged[-1] = (best[0], last[1], max(last[2], end), max(last[3], score))
        else:
            merged.append((name, start, end, score))
    return merged


class SecretRecognizer(EntityRecognizer):
    """Presidio recognizer reporting every secret `find_secrets` finds as entity SECRET."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[SECRET], name="AigovSecretRecognizer", supported_language="en")

    def load(self) -> None:
        """Compile the format table and detect-secrets' plugins (in the engine's loading thread)."""
        load_formats()
        plugin_regexes()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find secrets in `text`."""
        if SECRET not in entities:
            return []
        return [RecognizerResult(SECRET, start, end, score) for _, start, end, score in find_secrets(text)]
