"""Alembic's entry point: migrate over the connection ``aigov_registry.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from aigov_registry.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run the registry's migrations with `aigov-registry db upgrade`, which opens the database.")
context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
