"""Model registrations and assessments as schema-versioned documents (pydantic), with their vocabularies.

The fields come from the standards and model-card practice, not invention:
- EU AI Act (Regulation (EU) 2024/1689): risk tiers (Art. 5 prohibited, Art. 6 high, Art. 50 transparency,
  Art. 51-53 general-purpose AI and systemic risk) and operator roles (Art. 3(3)-(8)).
- Model cards (Mitchell et al. 2019; Hugging Face's model card template; Google's Model Card Toolkit):
  overview, developers, model type, languages, licence, training and evaluation data, metrics,
  ethical considerations, trade-offs, recommendations, out-of-scope uses.
- NIST AI RMF MAP 1.1 / ISO/IEC 42001 A.6.2.7: intended purpose, users, data categories, limitations.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

SCHEMA_VERSION: Literal[1] = 1

RISK_TIERS: tuple[str, ...] = ("prohibited", "high", "limited", "minimal", "gpai", "gpai-systemic")
RISK_TIER_LABELS = {
    "prohibited": "Prohibited practice (Art. 5)",
    "high": "High risk (Art. 6, Annex I / III)",
    "limited": "Limited risk: transparency duties (Art. 50)",
    "minimal": "Minimal risk",
    "gpai": "General-purpose AI model (Art. 53)",
    "gpai-systemic": "General-purpose AI model with systemic risk (Art. 51, 55)",
}
OPERATOR_ROLES: tuple[str, ...] = (
    "deployer",
    "provider",
    "importer",
    "distributor",
    "authorised-representative",
    "product-manufacturer",
)
ASSESSMENT_STATUSES: tuple[str, ...] = ("draft", "submitted", "approved", "rejected")
# Common categories (GDPR Art. 4, 9, 10; confidentiality classes); free text is accepted too.
DATA_CATEGORIES: tuple[str, ...] = (
    "public",
    "internal",
    "confidential",
    "personal",
    "special-category",
    "criminal-offence",
    "children",
    "financial",
    "health",
    "biometric",
    "source-code",
    "synthetic",
)

RiskTier = Literal["prohibited", "high", "limited", "minimal", "gpai", "gpai-systemic"]
OperatorRole = Literal[
    "deployer", "provider", "importer", "distributor", "authorised-representative", "product-manufacturer"
]
AssessmentStatus = Literal["draft", "submitted", "approved", "rejected"]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,127}$")]
ModelName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def slug(text: str) -> str:
    """A file-safe id from free text: lower case, runs of other characters become one dash."""
    return re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-.")[:128]


def model_id_for(provider: str, name: str, version: str = "") -> str:
    """The id a registration gets when none is given: provider, name and version as a slug."""
    return slug("-".join(part for part in (provider, name, version) if part))


def _strings(value: Any) -> Any:
    """Lists may be given as one comma- or newline-separated string (as a form's text box holds them)."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
    return value


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


class _Document(BaseModel):
    """Unknown fields are mistakes (a typo must not pass silently); documents are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Link(_Document):
    """A titled link: model card, datasheet, evaluation report, DPIA, ticket."""

    url: str
    title: str = ""

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http:// or https:// address, got {value!r}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        # "https://x" or "Model card https://x" as typed in a list
        if isinstance(value, str):
            title, _, url = value.strip().rpartition(" ")
            return {"url": url, "title": title.strip()}
        return value


class ModelCard(_Document):
    """Model-card sections (Hugging Face template, Google Model Card Toolkit), all optional."""

    overview: Text = ""
    developed_by: Text = ""
    model_type: Text = ""
    languages: list[str] = Field(default_factory=list)
    license: Text = ""
    base_model: Text = ""
    training_data: Text = ""
    evaluation_data: Text = ""
    performance_metrics: Text = ""
    out_of_scope_uses: Text = ""
    ethical_considerations: Text = ""
    tradeoffs: Text = ""
    recommendations: Text = ""

    _split_languages = field_validator("languages", mode="before")(lambda cls, v: _strings(v))


class ModelRegistration(_Document):
    """One AI model (or system) as the organisation uses it: who owns it, what for, and how risky."""

    schema_version: Literal[1] = SCHEMA_VERSION
    kind: Literal["model"] = "model"
    id: Identifier
    name: ModelName
    version: Text = ""
    provider: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=100)]
    model_ids: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(
        default_factory=list, description="What calls name the model, e.g. 'gpt-4o-mini-2024-07-18'."
    )
    aliases: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]] = Field(
        default_factory=list, description="Other names it is called by, e.g. 'gpt-4o-mini' or 'azure-openai/prod'."
    )
    owner: Required
    intended_purpose: Required
    use_cases: list[str] = Field(default_factory=list)
    risk_tier: RiskTier
    operator_role: OperatorRole = "deployer"
    data_categories: list[str] = Field(default_factory=list)
    limitations: Text = ""
    model_card: ModelCard = Field(default_factory=ModelCard)
    links: list[Link] = Field(default_factory=list)
    revision: int = 0
    registered_by: str = ""
    registered_at: str = ""
    updated_by: str = ""
    updated_at: str = ""

    _split = field_validator("model_ids", "aliases", "use_cases", "data_categories", mode="before")(
        lambda cls, v: _strings(v)
    )

    @field_validator("model_ids", "aliases", "use_cases", "data_categories")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        return _unique(value)

    @model_validator(mode="after")
    def _called_by_something(self) -> ModelRegistration:
        if not self.model_ids:  # the name is what calls use unless told otherwise
            object.__setattr__(self, "model_ids", [self.name])
        return self

    def names(self) -> tuple[str, ...]:
        """Every model id and alias this registration answers to."""
        return (*self.model_ids, *self.aliases)


class Answer(_Document):
    """The answer to one catalogue item: a status, the answer, remarks and links to evidence."""

    status: str = "not-started"
    answer: Text = ""
    remarks: Text = ""
    evidence: list[Link] = Field(default_factory=list)

    @field_validator("evidence", mode="before")
    @classmethod
    def _split_evidence(cls, value: Any) -> Any:
        return [part for part in re.split(r"\n", value) if part.strip()] if isinstance(value, str) else value


class Assessment(_Document):
    """A model's answers to one framework catalogue, with who assessed and approved it and until when."""

    schema_version: Literal[1] = SCHEMA_VERSION
    kind: Literal["assessment"] = "assessment"
    id: Identifier
    model_id: Identifier
    framework: str
    framework_version: str = ""
    answers: dict[str, Answer] = Field(default_factory=dict)
    assessor: Required
    approver: Text = ""
    status: AssessmentStatus = "draft"
    next_review: date | None = None
    summary: Text = ""
    decided_at: str = ""  # when it was approved or rejected
    revision: int = 0
    created_by: str = ""
    created_at: str = ""
    updated_by: str = ""
    updated_at: str = ""

    @model_validator(mode="after")
    def _decisions_need_an_approver(self) -> Assessment:
        if self.status in ("approved", "rejected"):
            if not self.approver:
                raise ValueError(f"approver: an assessment that is {self.status} names its approver")
            if self.approver.casefold() == self.assessor.casefold():
                raise ValueError("approver: must be someone other than the assessor (four-eyes principle)")
        return self

    def in_force(self, today: date) -> bool:
        """Approved, and its next review is not yet past."""
        return self.status == "approved" and (self.next_review is None or self.next_review >= today)

    def answered(self) -> int:
        """How many items have a status other than not-started."""
        return sum(1 for answer in self.answers.values() if answer.status != "not-started")


def assessment_id_for(model_id: str, framework: str) -> str:
    """A model has one current assessment per framework; its history is in the change log."""
    return slug(f"{model_id}.{framework}")
