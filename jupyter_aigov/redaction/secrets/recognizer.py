"""SecretRecognizer: every way of finding a secret (formats, detect-secrets, context, key blocks) as one
Presidio recognizer of entity SECRET."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.secrets.blocks import find_private_key_blocks
from jupyter_aigov.redaction.secrets.context import find_in_context
from jupyter_aigov.redaction.secrets.detect_secrets_plugins import find_with_detect_secrets, plugin_regexes
from jupyter_aigov.redaction.secrets.formats import load_formats

SECRET = "SECRET"

# How sure each way is: a vendor's prefix is near proof; a value's context, less so.
SCORES = {"block": 1.0, "format": 0.95, "vendor_context": 0.9, "detect_secrets": 0.9, "context": 0.85}


def find_secrets(text: str) -> list[tuple[str, int, int, float]]:
    """Every secret in `text` as (kind, start, end, score), spans not overlapping, sorted by position."""
    found: list[tuple[str, int, int, float]] = [(n, s, e, SCORES["block"]) for n, s, e in find_private_key_blocks(text)]
    for fmt, start, end in load_formats().scan(text):
        found.append((fmt.name, start, end, SCORES["vendor_context" if fmt.context else "format"]))
    found.extend((f"detect_secrets_{n}", s, e, SCORES["detect_secrets"]) for n, s, e in find_with_detect_secrets(text))
    found.extend((n, s, e, SCORES["context"]) for n, s, e in find_in_context(text))
    return merge_overlaps(found)


def merge_overlaps(found: list[tuple[str, int, int, float]]) -> list[tuple[str, int, int, float]]:
    """One span per secret: overlapping findings join, named by the surest of them."""
    merged: list[tuple[str, int, int, float]] = []
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
