"""Live records (decisions without a bundle, with their origin) and inventory documents written through the API.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot alter a column's nullability in place, so Alembic copies the table.
    with op.batch_alter_table("decisions") as batch:
        batch.alter_column("bundle_id", existing_type=sa.String(36), nullable=True)
        # 'bundle' for records from an uploaded bundle, 'live' for records a kernel pushed as they happened.
        batch.add_column(sa.Column("origin", sa.String(8), nullable=False, server_default="bundle"))
    for table in ("models", "assessments"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("bundle_id", existing_type=sa.String(36), nullable=True)  # null: written by the API


def downgrade() -> None:
    op.execute("DELETE FROM decisions WHERE bundle_id IS NULL")
    for table in ("models", "assessments"):
        op.execute(f"DELETE FROM {table} WHERE bundle_id IS NULL")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("bundle_id", existing_type=sa.String(36), nullable=False)
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("origin")
        batch.alter_column("bundle_id", existing_type=sa.String(36), nullable=False)
