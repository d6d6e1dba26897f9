"""API v1: one router per resource, the dependencies they share, and errors as ``{"detail": ...}``."""
