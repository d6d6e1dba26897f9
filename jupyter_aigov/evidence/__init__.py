"""The hash-chained, append-only evidence log: write records (a kernel's through its recorder), verify the chain,
stream records back."""

from jupyter_aigov.evidence.canonical import RECOVERY_EVENT, ZERO_HASH, canonical_json
from jupyter_aigov.evidence.log import EvidenceLog, utc_now
from jupyter_aigov.evidence.recorder import EvidenceRecorder
from jupyter_aigov.evidence.verify import LogVerification, iter_records, verify_lines, verify_log

__all__ = [
    "RECOVERY_EVENT",
    "ZERO_HASH",
    "EvidenceLog",
    "EvidenceRecorder",
    "LogVerification",
    "canonical_json",
    "iter_records",
    "utc_now",
    "verify_lines",
    "verify_log",
]
