"""The shapes the API answers with, as published in /openapi.json."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from aigov_core.inventory.records import Identifier, RiskTier


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, validate_by_name=True, validate_by_alias=True)


class BundleItem(_Out):
    """A stored bundle, as listed."""

    id: str
    sha256: str = Field(description="SHA-256 of the zip as received.")
    size: int
    signer: str = Field(description="Fingerprint of the key that signed the bundle.")
    exported_at: datetime | None
    exported_by: str | None
    source: str | None
    received_at: datetime
    verified_at: datetime
    records: int = Field(description="Evidence records in the bundle.")
    records_new: int = Field(description="Records this bundle added (the others came in an earlier bundle).")


class Verification(BaseModel):
    """What the verifier found when the bundle was received."""

    ok: bool
    fault: str | None = None
    signer: str | None = None
    pinned: bool = False
    files: int = 0
    logs: dict[str, int] = Field(default_factory=dict, description="Log path in the bundle -> records checked.")
    exported_at: str | None = None
    exported_by: str | None = None


class BundleDetail(BundleItem):
    """A stored bundle with its verification result and the summary its bundle.json gives."""

    verification: Verification
    summary: dict[str, Any]
    logs: list[dict[str, Any]]


class InventoryCounts(_Out):
    """The inventory documents a bundle held, and how many changed what the registry keeps."""

    models: int
    assessments: int
    changed: int


class Ingested(BundleDetail):
    """An upload's outcome: the bundle stored, and whether this upload stored it (else it was there already)."""

    created: bool
    inventory: InventoryCounts


class BundlePage(BaseModel):
    """One page of bundles, newest first."""

    items: list[BundleItem]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class Decision(_Out):
    """One evidence record: a decision of the gateway, or another event of the log."""

    id: int
    bundle_id: str | None = Field(description="The bundle that brought it; null for a record pushed live.")
    origin: str = Field(description="'bundle' or 'live' (pushed by a kernel as it happened).")
    log: str = Field(description="The log's path in the bundle it came from.")
    seq: int
    record_hash: str
    ts: datetime
    event: str | None
    user: str | None
    notebook: str | None
    use_case: str | None
    provider: str | None
    model: str | None
    decision: str | None
    reason: str | None
    rules: list[str | None] | None
    entities: dict[str, int] | None
    input_tokens: int | None
    output_tokens: int | None
    cost_usd: float | None
    session: str | None


class DecisionPage(BaseModel):
    """One page of decisions, oldest first."""

    items: list[Decision]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class InventoryDocument(_Out):
    """A team's current copy of an inventory document, with the registry's revision of it."""

    id: str = Field(validation_alias="document_id")
    revision: int = Field(description="Counts the times the registry's copy changed, from 1.")
    updated_at: datetime | None = Field(description="When the document's author last changed it.")
    stored_at: datetime
    bundle_id: str | None = Field(description="The bundle that brought this revision; null when written by the API.")
    document: dict[str, Any]


class Assessment(InventoryDocument):
    """An assessment of a model against one framework."""

    model_id: str


class Model(InventoryDocument):
    """A model registration."""


class ModelDetail(Model):
    """A model registration with its assessments."""

    assessments: list[Assessment]


class ModelList(BaseModel):
    """The team's model registrations."""

    items: list[Model]


class AssessmentList(BaseModel):
    """The team's assessments."""

    items: list[Assessment]


SystemStatus = Literal["planned", "development", "production", "retired"]


class SystemBody(BaseModel):
    """An AI system as submitted: what it does, which registered models it uses, who owns it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Identifier
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    purpose: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    owner: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    model_ids: list[Identifier] = Field(default_factory=list, description="Ids of the team's registered models.")
    risk_tier: RiskTier
    use_cases: list[Annotated[str, StringConstraints(min_length=1, max_length=128)]] = Field(default_factory=list)
    status: SystemStatus = "development"


class System(_Out):
    """A team's AI system with the registry's revision of it."""

    id: str = Field(validation_alias="document_id")
    revision: int = Field(description="Counts the times the registry's copy changed, from 1.")
    updated_at: datetime
    document: dict[str, Any]


class SystemList(BaseModel):
    """The team's AI systems."""

    items: list[System]


class LiveRecords(BaseModel):
    """Evidence records pushed by a kernel, exactly as its log holds them (with seq, prev and hash)."""

    log: str = Field(description="The notebook's log file name, e.g. churn.jsonl.")
    records: list[dict[str, Any]]


class RecordsStored(BaseModel):
    """What a push of live records stored: records new to the team, and those it already had."""

    stored: int
    duplicates: int


class PolicyStored(_Out):
    """A policy as stored: its use case ("" for the team's default), revision and hash."""

    use_case: str
    revision: int
    sha256: str
    updated_at: datetime
    updated_by: str


class ChangeItem(_Out):
    """One change of the team's history: who, when, what it was, what it became; chained by hash."""

    seq: int
    kind: str
    document_id: str
    action: str
    actor: str
    at: datetime
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    prev: str
    hash: str


class ChangePage(BaseModel):
    """One page of the team's changes, oldest first."""

    items: list[ChangeItem]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class ChainCheck(_Out):
    """Whether the team's change history is intact, and where it first breaks if not."""

    ok: bool
    changes: int
    fault: str | None
    seq: int | None


class TokenItem(_Out):
    """A token as listed: its prefix, role and dates; never the token itself."""

    prefix: str
    team: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


class TokenList(BaseModel):
    """The team's tokens."""

    items: list[TokenItem]


class TokenRequest(BaseModel):
    """The role a new token of the caller's team gets."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["read", "submit", "admin"]


class TokenCreated(TokenItem):
    """A new token: the only time it is shown."""

    token: str
