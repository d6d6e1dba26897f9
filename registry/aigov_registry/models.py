"""The registry's tables as typed SQLAlchemy models; the migrations under ``migrations/`` create them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from aigov_registry.columns import BigId, Json, UTCDateTime

# Named constraints so a later migration can drop or alter them by name on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ROLES = ("read", "submit", "admin")


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """The registry's declarative base."""

    metadata = MetaData(naming_convention=NAMING)


class Team(Base):
    """A team: the unit every read is scoped to."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Token(Base):
    """An API token: only its SHA-256 is kept, and a short prefix for people to tell tokens apart."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Bundle(Base):
    """An evidence bundle received, verified and stored (content-addressed by the SHA-256 of its zip)."""

    __tablename__ = "bundles"
    __table_args__ = (
        UniqueConstraint("team_id", "sha256", name="uq_bundles_team_id_sha256"),
        Index("ix_bundles_team_received", "team_id", "received_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId)
    stored_path: Mapped[str] = mapped_column(String(200))
    signer: Mapped[str] = mapped_column(String(100))
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exported_by: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verification: Mapped[dict[str, Any]] = mapped_column(Json)
    summary: Mapped[dict[str, Any]] = mapped_column(Json)
    logs: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    records: Mapped[int] = mapped_column(BigId)
    records_new: Mapped[int] = mapped_column(BigId)


class Decision(Base):
    """One evidence record, as ingested from the first bundle that held it (its hash is unique per team)."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("team_id", "record_hash", name="uq_decisions_team_id_record_hash"),
        # Every query is one team's, ordered by (ts, id): each filter gets an index that also serves that order.
        Index("ix_decisions_team_ts", "team_id", "ts", "id"),
        Index("ix_decisions_team_model_ts", "team_id", "model", "ts", "id"),
        Index("ix_decisions_team_user_ts", "team_id", "user", "ts", "id"),
        Index("ix_decisions_team_use_case_ts", "team_id", "use_case", "ts", "id"),
        Index("ix_decisions_team_decision_ts", "team_id", "decision", "ts", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    bundle_id: Mapped[str | None] = mapped_column(ForeignKey("bundles.id"), index=True)  # None: pushed live
    origin: Mapped[str] = mapped_column(String(8), default="bundle", server_default="bundle")  # bundle | live
    log: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(BigId)
    record_hash: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    event: Mapped[str | None] = mapped_column(Text)
    user: Mapped[str | None] = mapped_column(Text)
    notebook: Mapped[str | None] = mapped_column(Text)
    use_case: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    rules: Mapped[list[str] | None] = mapped_column(Json)
    entities: Mapped[dict[str, int] | None] = mapped_column(Json)
    input_tokens: Mapped[int | None] = mapped_column(BigId)
    output_tokens: Mapped[int | None] = mapped_column(BigId)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    session: Mapped[str | None] = mapped_column(Text)


class _InventoryDocument:
    """What a registration and an assessment share: the team's current document and its registry revision."""

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    document_id: Mapped[str] = mapped_column(String(128))
    document: Mapped[dict[str, Any]] = mapped_column(Json)
    revision: Mapped[int]
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the document's own, as its author wrote it
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    bundle_id: Mapped[str | None] = mapped_column(ForeignKey("bundles.id"))  # None: written through the API


class ModelDocument(_InventoryDocument, Base):
    """A team's registration of one model (``data/inventory/models/<id>.json``)."""

    __tablename__ = "models"
    __table_args__ = (UniqueConstraint("team_id", "document_id", name="uq_models_team_id_document_id"),)


class AssessmentDocument(_InventoryDocument, Base):
    """A team's assessment of one model against one framework (``data/inventory/assessments/<id>.json``)."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("team_id", "document_id", name="uq_assessments_team_id_document_id"),
        Index("ix_assessments_team_model", "team_id", "model_id"),
    )

    model_id: Mapped[str] = mapped_column(String(128))


class Policy(Base):
    """The policy a team hands to its kernels: for one use case, or ("") the team's default."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("team_id", "use_case", name="uq_policies_team_id_use_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    use_case: Mapped[str] = mapped_column(String(128))
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_by: Mapped[str] = mapped_column(String(100))


class Change(Base):
    """One change to a team's records (who, when, old, new), chained by hash to the change before it."""

    __tablename__ = "changes"
    __table_args__ = (
        UniqueConstraint("team_id", "seq", name="uq_changes_team_id_seq"),
        Index("ix_changes_team_kind_document", "team_id", "kind", "document_id", "seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    seq: Mapped[int] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    old: Mapped[dict[str, Any] | None] = mapped_column(Json)
    new: Mapped[dict[str, Any] | None] = mapped_column(Json)
    prev: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class SystemDocument(Base):
    """A team's AI system: what it does, which models it uses, who owns it (its document as submitted)."""

    __tablename__ = "systems"
    __table_args__ = (UniqueConstraint("team_id", "document_id", name="uq_systems_team_id_document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    document_id: Mapped[str] = mapped_column(String(128))
    document: Mapped[dict[str, Any]] = mapped_column(Json)
    revision: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
