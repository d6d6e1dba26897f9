"""Alembic migrations of the registry's schema, shipped in the package and run by ``aigov_registry.migrate``."""
