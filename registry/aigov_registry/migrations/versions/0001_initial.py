"""Teams, tokens, bundles, decisions, and the inventory's models and assessments.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported from the package: a migration must keep meaning what it meant when written.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
        sa.UniqueConstraint("name", name="uq_teams_name"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("revoked_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tokens"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_tokens_team_id_teams"),
        sa.UniqueConstraint("token_sha256", name="uq_tokens_token_sha256"),
    )
    op.create_index("ix_tokens_team_id", "tokens", ["team_id"])
    op.create_table(
        "bundles",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", BIG_ID, nullable=False),
        sa.Column("stored_path", sa.String(200), nullable=False),
        sa.Column("signer", sa.String(100), nullable=False),
        sa.Column("exported_at", TIME, nullable=True),
        sa.Column("exported_by", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("verified_at", TIME, nullable=False),
        sa.Column("verification", JSON, nullable=False),
        sa.Column("summary", JSON, nullable=False),
        sa.Column("logs", JSON, nullable=False),
        sa.Column("records", BIG_ID, nullable=False),
        sa.Column("records_new", BIG_ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bundles"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_bundles_team_id_teams"),
        sa.UniqueConstraint("team_id", "sha256", name="uq_bundles_team_id_sha256"),
    )
    op.create_index("ix_bundles_team_received", "bundles", ["team_id", "received_at", "id"])
    op.create_table(
        "decisions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(36), nullable=False),
        sa.Column("log", sa.Text(), nullable=False),
        sa.Column("seq", BIG_ID, nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
        sa.Column("ts", TIME, nullable=False),
        sa.Column("event", sa.Text(), nullable=True),
        sa.Column("user", sa.Text(), nullable=True),
        sa.Column("notebook", sa.Text(), nullable=True),
        sa.Column("use_case", sa.Text(), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("rules", JSON, nullable=True),
        sa.Column("entities", JSON, nullable=True),
        sa.Column("input_tokens", BIG_ID, nullable=True),
        sa.Column("output_tokens", BIG_ID, nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("session", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_decisions_team_id_teams"),
        sa.ForeignKeyConstraint(["bundle_id"], ["bundles.id"], name="fk_decisions_bundle_id_bundles"),
        sa.UniqueConstraint("team_id", "record_hash", name="uq_decisions_team_id_record_hash"),
    )
    op.create_index("ix_decisions_bundle_id", "decisions", ["bundle_id"])
    for name, column in (
        ("ix_decisions_team_ts", None),
        ("ix_decisions_team_model_ts", "model"),
        ("ix_decisions_team_user_ts", "user"),
        ("ix_decisions_team_use_case_ts", "use_case"),
        ("ix_decisions_team_decision_ts", "decision"),
    ):
        op.create_index(name, "decisions", ["team_id", *([column] if column else []), "ts", "id"])
    for table in ("models", "assessments"):
        extra = [sa.Column("model_id", sa.String(128), nullable=False)] if table == "assessments" else []
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("team_id", sa.Integer(), nullable=False),
            sa.Column("document_id", sa.String(128), nullable=False),
            sa.Column("document", JSON, nullable=False),
            sa.Column("revision", sa.Integer(), nullable=False),
            sa.Column("updated_at", TIME, nullable=True),
            sa.Column("stored_at", TIME, nullable=False),
            sa.Column("bundle_id", sa.String(36), nullable=False),
            *extra,
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=f"fk_{table}_team_id_teams"),
            sa.ForeignKeyConstraint(["bundle_id"], ["bundles.id"], name=f"fk_{table}_bundle_id_bundles"),
            sa.UniqueConstraint("team_id", "document_id", name=f"uq_{table}_team_id_document_id"),
        )
    op.create_index("ix_assessments_team_model", "assessments", ["team_id", "model_id"])


def downgrade() -> None:
    op.drop_table("assessments")
    op.drop_table("models")
    op.drop_table("decisions")
    op.drop_table("bundles")
    op.drop_table("tokens")
    op.drop_table("teams")
