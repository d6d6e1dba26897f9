"""aigov-registry: the central registry of jupyter-aigov (signed evidence bundles, decisions, inventory)."""

__version__ = "0.1.0"
