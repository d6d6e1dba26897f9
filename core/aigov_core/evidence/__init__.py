"""The evidence log's format: canonical JSON and the hash rule, record times, and verifying a chain."""

from aigov_core.evidence.canonical import RECOVERY_EVENT, ZERO_HASH, canonical_json
from aigov_core.evidence.timestamps import parse_ts, utc_now
from aigov_core.evidence.verify import LogVerification, iter_records, verify_lines, verify_log

__all__ = [
    "RECOVERY_EVENT",
    "ZERO_HASH",
    "LogVerification",
    "canonical_json",
    "iter_records",
    "parse_ts",
    "utc_now",
    "verify_lines",
    "verify_log",
]
