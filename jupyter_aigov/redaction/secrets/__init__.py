"""Secret detection: vendor formats (`formats.toml`), detect-secrets' plugins, context and entropy, key blocks.

>>> find_secrets('GITLAB_TOKEN="glpat-Zx81cVbq2W9dfKm4LpTr"')     # doctest: +SKIP
[('gitlab_pat', 14, 40, 0.95)]
"""

from jupyter_aigov.redaction.secrets.recognizer import SECRET, SecretRecognizer, find_secrets

__all__ = ["SECRET", "SecretRecognizer", "find_secrets"]
