"""Detection of personal data and secrets in outbound prompts (Presidio + spaCy + aigov's recognizers).

>>> engine = DetectionEngine.from_policy(policy.redaction)      # doctest: +SKIP
>>> engine.start_loading()                                      # doctest: +SKIP
>>> findings = engine.analyze_many(parts, entities_to_detect(policy.redaction.entities))  # doctest: +SKIP
>>> decide(findings, policy.redaction.entities).action          # doctest: +SKIP
'redact'
"""

from jupyter_aigov.redaction.cache import FindingsCache
from jupyter_aigov.redaction.decision import RedactionDecision, decide, entities_to_detect, merge_spans
from jupyter_aigov.redaction.engine import DEFAULT_DETECTED, DetectionEngine
from jupyter_aigov.redaction.findings import DetectionFailed, Finding
from jupyter_aigov.redaction.secrets import SECRET, find_secrets

__all__ = [
    "DEFAULT_DETECTED",
    "SECRET",
    "DetectionEngine",
    "DetectionFailed",
    "Finding",
    "FindingsCache",
    "RedactionDecision",
    "decide",
    "entities_to_detect",
    "find_secrets",
    "merge_spans",
]
