"""The append-only evidence log of a notebook: write records (a kernel's through its recorder). The format, the
hash chain and verifying it are aigov_core.evidence."""

from jupyter_aigov.evidence.log import EvidenceLog
from jupyter_aigov.evidence.recorder import EvidenceRecorder

__all__ = ["EvidenceLog", "EvidenceRecorder"]
