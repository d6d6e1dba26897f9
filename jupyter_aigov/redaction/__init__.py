"""Detection of personal data and secrets in outbound prompts (Presidio + spaCy + aigov's recognizers).

>>> engine = DetectionEngine.from_policy(policy.redaction)      # doctest: +SKIP
>>> engine.start_loading()                                      # doctest: +SKIP
>>> findings = engine.analyze_many(parts, entities_to_detect(policy.redaction.entities))  # doctest: +SKIP
>>> decide(findings, policy.redaction.entities).action          # doctest: +SKIP
'redact'
"""

from typing import TYPE_CHECKING, Any

from jupyter_aigov.redaction.cache import FindingsCache
from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.redaction.placeholders import PLACEHOLDER_PATTERN, PlaceholderVault
from jupyter_aigov.redaction.plan import RedactionPlan, decide, entities_to_detect, merge_spans
from jupyter_aigov.redaction.restore import restore_json_bytes, restore_text
from jupyter_aigov.redaction.restore_stream import StreamRestorer

if TYPE_CHECKING:
    from jupyter_aigov.redaction.engine import DEFAULT_DETECTED, DetectionEngine
    from jupyter_aigov.redaction.secrets import SECRET, find_secrets

# spaCy and Presidio take over a second to import: only what needs them pays for it, not `import aigov`
_LAZY = {
    "DEFAULT_DETECTED": "engine",
    "DetectionEngine": "engine",
    "SECRET": "secrets",
    "find_secrets": "secrets",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"jupyter_aigov.redaction.{module}"), name)


__all__ = [
    "DEFAULT_DETECTED",
    "PLACEHOLDER_PATTERN",
    "SECRET",
    "DetectionEngine",
    "Finding",
    "FindingsCache",
    "PlaceholderVault",
    "RedactionPlan",
    "StreamRestorer",
    "decide",
    "entities_to_detect",
    "find_secrets",
    "merge_spans",
    "restore_json_bytes",
    "restore_text",
]
