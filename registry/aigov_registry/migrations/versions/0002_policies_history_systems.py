"""Policies handed to kernels, the append-only change history, and AI systems.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("use_case", sa.String(128), nullable=False),  # "" is the team's default policy
        sa.Column("document", sa.Text(), nullable=False),  # the policy YAML, byte for byte as submitted
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_policies"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_policies_team_id_teams"),
        sa.UniqueConstraint("team_id", "use_case", name="uq_policies_team_id_use_case"),
    )
    op.create_table(
        "changes",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("seq", BIG_ID, nullable=False),  # 1, 2, 3... per team
        sa.Column("kind", sa.String(32), nullable=False),  # model | assessment | system | policy | token | team
        sa.Column("document_id", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),  # create | update | delete
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("old", JSON, nullable=True),
        sa.Column("new", JSON, nullable=True),
        sa.Column("prev", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_changes"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_changes_team_id_teams"),
        sa.UniqueConstraint("team_id", "seq", name="uq_changes_team_id_seq"),
    )
    op.create_index("ix_changes_team_kind_document", "changes", ["team_id", "kind", "document_id", "seq"])
    op.create_table(
        "systems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(128), nullable=False),
        sa.Column("document", JSON, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_systems"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_systems_team_id_teams"),
        sa.UniqueConstraint("team_id", "document_id", name="uq_systems_team_id_document_id"),
    )


def downgrade() -> None:
    op.drop_table("systems")
    op.drop_index("ix_changes_team_kind_document", table_name="changes")
    op.drop_table("changes")
    op.drop_table("policies")
