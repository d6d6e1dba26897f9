"""aigov-core: what jupyter-aigov and its registry share. The evidence record format and canonical JSON, bundle
layout and verification, inventory records, the policy document, and the errors of all of them."""

__version__ = "0.1.0"
