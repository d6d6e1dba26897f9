"""The policy file (aigov.yaml, `version: 1`) as pydantic models; their descriptions document every key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

EntityAction = Literal["redact", "block", "allow"]
Api = Literal["openai", "anthropic", "gemini", "bedrock", "ollama"]

Glob = Annotated[str, StringConstraints(min_length=1)]
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
EntityName = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")]
EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
HttpUrl = Annotated[str, Field(json_schema_extra={"format": "uri", "pattern": "^https?://"})]

# What the redaction engine does when a policy file omits `redaction.entities`: safe, not silent.
DEFAULT_ENTITIES: dict[str, EntityAction] = {
    "SECRET": "block",
    "CREDIT_CARD": "block",
    "US_SSN": "block",
    "PERSON": "redact",
    "EMAIL_ADDRESS": "redact",
    "PHONE_NUMBER": "redact",
}


class _Section(BaseModel):
    """Common configuration: unknown keys are errors, YAML types are taken as written, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http:// or https:// URL with a host name, got {value!r}")
    try:
        parts.port  # noqa: B018 -- urlsplit checks the port only when asked
    except ValueError:
        raise ValueError(f"has a port that is not a number from 0 to 65535: {value!r}") from None
    return value


class ModelsSection(_Section):
    """Which models may be called; globs match either "model" or "provider/model"."""

    allow: list[Glob] = Field(
        default_factory=list,
        description='Globs of allowed models, e.g. "gpt-4o-mini", "claude-*", "ollama/*"; empty: all.',
    )
    deny: list[Glob] = Field(
        default_factory=list,
        description='Globs of refused models, e.g. "*-realtime*". Deny wins over allow.',
    )


# A team's pattern is a line of policy, not a program: the bound keeps its analysis and its matching short.
MAX_REGEX_LENGTH = 500
Word = Annotated[str, StringConstraints(pattern=r"^\S+$")]


def _has_a_word(term: str) -> str:
    if not re.search(r"\w", term):
        raise ValueError(f"{term!r} has no letter or digit, so it can never be found (terms are matched as words)")
    return term


Term = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_has_a_word)]


class PolicyPattern(_Section):
    """A team's own pattern: what `regex` matches is found as `entity`, surer near a context word."""

    name: Name = Field(description='What the pattern is called in messages, e.g. "employee_id"; unique per section.')
    regex: str = Field(
        description=(
            "Python regular expression, matched as written (case-sensitive unless it starts with (?i)), e.g. "
            '"\\bEMP-\\d{6}\\b". At most 500 characters; one that could backtrack catastrophically, such as '
            '"(\\w+\\s?)*", is refused.'
        ),
        json_schema_extra={"format": "regex", "maxLength": MAX_REGEX_LENGTH},
    )
    entity: EntityName = Field(
        description="The entity type a match is, e.g. EMPLOYEE_ID; its action is set under redaction.entities."
    )
    score: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description=(
            "Confidence of a match (0 to 1). A context word among the five words before it adds 0.35; a score "
            "below redaction.score_threshold makes the pattern count only near a context word."
        ),
    )
    context: list[Word] = Field(
        default_factory=list,
        description='Words that make a match likelier when they come shortly before it, e.g. ["employee", "staff"].',
    )

    @field_validator("regex")
    @classmethod
    def _safe_regex(cls, value: str) -> str:
        if len(value) > MAX_REGEX_LENGTH:
            raise ValueError(
                f"is {len(value)} characters long, more than the {MAX_REGEX_LENGTH} a pattern may be; split it "
                "into several patterns with the same entity"
            )
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid Python regular expression ({exc})") from None
        if compiled.fullmatch("") is not None:
            raise ValueError("matches the empty text, so it finds nothing; use + rather than * for the required part")
        from aigov_core.policy.regex_safety import backtracking_risk  # only for policies with patterns: 3 ms

        risk = backtracking_risk(value)
        if risk is not None:
            raise ValueError(f"refused because it could backtrack catastrophically: {risk}")
        return value


def _unique_pattern_names(patterns: list[PolicyPattern]) -> list[PolicyPattern]:
    first: dict[str, int] = {}
    errors: list[InitErrorDetails] = []
    for index, pattern in enumerate(patterns):
        if pattern.name in first:
            message = f"the name {pattern.name!r} is used by patterns[{first[pattern.name]}] too; rename one"
            errors.append(_error((index, "name"), message, pattern.name))
        first.setdefault(pattern.name, index)
    if errors:
        raise ValidationError.from_exception_data("patterns", errors)
    return patterns


class RedactionSection(_Section):
    """What happens to sensitive entities found in prompts before they leave the kernel."""

    entities: dict[EntityName, EntityAction] = Field(
        default_factory=lambda: dict(DEFAULT_ENTITIES),
        description=(
            "ENTITY: redact | block | allow. redact replaces the value with a placeholder, block refuses "
            "the call, allow lets it through; entities not listed are allowed. When omitted: SECRET, "
            "CREDIT_CARD, US_SSN block; PERSON, EMAIL_ADDRESS, PHONE_NUMBER redact. Names are upper case "
            "(presidio entity types)."
        ),
        json_schema_extra={"additionalProperties": False},
    )
    restore_in_response: bool = Field(
        default=True,
        description="Put the original values back into what the caller receives.",
    )
    responses: Literal["allow", "redact", "block"] = Field(
        default="allow",
        description=(
            "What happens to what the model sends back, before the caller reads it: allow leaves it as it is; "
            "redact replaces personal data and secrets new to the caller (the entities redacted or blocked "
            "under entities, not found in the prompt) with a marker such as <SECRET>; block refuses the "
            "answer with a PolicyViolation."
        ),
    )
    allow_terms: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=list,
        description='Words never treated as entities, e.g. "Acme", "S3" (exact, case-sensitive).',
    )
    patterns: list[PolicyPattern] = Field(
        default_factory=list,
        description=(
            "The team's own patterns, found beside the built-in recognizers; each entity a pattern finds needs "
            "an action under redaction.entities."
        ),
    )
    deny_terms: dict[EntityName, list[Term]] = Field(
        default_factory=dict,
        description=(
            'ENTITY: [terms]: words always found as that entity, e.g. {PROJECT_CODENAME: ["Bluebird"]}. Whole '
            "words, any case; spaces and punctuation between a term's words may differ. Each entity needs an "
            "action under redaction.entities."
        ),
        json_schema_extra={"additionalProperties": False},
    )
    nlp_model: Annotated[str, StringConstraints(min_length=1)] = Field(
        default="en_core_web_sm",
        description="The spaCy model the entity analyzer loads.",
    )
    score_threshold: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Lowest analyzer confidence (0 to 1) at which a finding counts as an entity.",
    )
    deadline_ms: int = Field(
        default=2000,
        gt=0,
        description="Longest the analysis of one request may take (milliseconds); past it on_error decides.",
    )

    @field_validator("patterns")
    @classmethod
    def _unique_names(cls, value: list[PolicyPattern]) -> list[PolicyPattern]:
        return _unique_pattern_names(value)

    @model_validator(mode="after")
    def _not_both_allowed_and_denied(self) -> RedactionSection:
        allowed = {term.casefold() for term in self.allow_terms}
        errors = [
            _error(
                ("deny_terms", entity, index),
                f"{term!r} is under allow_terms too, which would let it through; keep it in one of the two",
                term,
            )
            for entity, terms in self.deny_terms.items()
            for index, term in enumerate(terms)
            if term.casefold() in allowed
        ]
        if errors:
            raise ValidationError.from_exception_data("RedactionSection", errors)
        return self

    def unset_entities(self, entities: Mapping[str, str]) -> list[tuple[tuple[str | int, ...], str]]:
        """(key path, entity) of each pattern and deny list whose entity has no action in `entities`."""
        unset: list[tuple[tuple[str | int, ...], str]] = [
            (("patterns", index, "entity"), p.entity)
            for index, p in enumerate(self.patterns)
            if p.entity not in entities
        ]
        unset += [(("deny_terms", entity), entity) for entity in self.deny_terms if entity not in entities]
        return unset


class ArgumentCheck(_Section):
    """A check on one argument of an allowed tool; give exactly one of deny_pattern and allow_pattern."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["deny_pattern"]}, {"required": ["allow_pattern"]}]}
    )

    tool: Glob = Field(description='Glob of the tool names this check applies to, e.g. "run_sql".')
    path: Annotated[str, StringConstraints(min_length=1)] = Field(
        description='Dotted path of the argument inside the tool call\'s JSON arguments, e.g. "query".'
    )
    deny_pattern: str | None = Field(
        default=None,
        description="Python regular expression; the call is refused when it is found anywhere in the value.",
        json_schema_extra={"format": "regex"},
    )
    allow_pattern: str | None = Field(
        default=None,
        description="Python regular expression; the call is refused unless it matches the whole value.",
        json_schema_extra={"format": "regex"},
    )
    _regex: re.Pattern[str] = PrivateAttr()

    @field_validator("deny_pattern", "allow_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid Python regular expression ({exc})") from None
        return value

    @model_validator(mode="after")
    def _exactly_one_pattern(self) -> ArgumentCheck:
        if (self.deny_pattern is None) == (self.allow_pattern is None):
            raise ValueError("give exactly one of deny_pattern and allow_pattern")
        self._regex = re.compile(self.deny_pattern or self.allow_pattern or "")
        return self

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled deny_pattern or allow_pattern."""
        return self._regex

    def refuses(self, value: str) -> bool:
        """Whether this check refuses an argument value."""
        if self.deny_pattern is not None:
            return self._regex.search(value) is not None
        return self._regex.fullmatch(value) is None


class ToolsSection(_Section):
    """Which tools a model may be offered and may call, and checks on their arguments."""

    allow: list[Glob] = Field(
        default_factory=list, description='Globs of allowed tool names, e.g. "search_*". Empty: all allowed.'
    )
    deny: list[Glob] = Field(
        default_factory=list,
        description='Globs of refused tool names, e.g. "run_shell". Deny wins over allow.',
    )
    arguments: list[ArgumentCheck] = Field(
        default_factory=list, description="Checks on the arguments of allowed tools."
    )
    on_forbidden_definition: Literal["refuse", "strip"] = Field(
        default="refuse",
        description=(
            "When a request offers the model a forbidden tool: refuse the call, or strip the tool from the "
            "request and send the rest."
        ),
    )


class BudgetsSection(_Section):
    """Limits on spending; an omitted limit is unlimited."""

    tokens_per_session: int | None = Field(
        default=None, gt=0, description="Input plus output tokens allowed in one kernel session."
    )
    usd_per_day: float | None = Field(
        default=None, gt=0, description="Estimated US dollars allowed per user per UTC day."
    )
    usd_per_day_per_use_case: float | None = Field(
        default=None, gt=0, description="Estimated US dollars allowed per use case per UTC day."
    )
    requests_per_minute: int | None = Field(default=None, gt=0, description="AI calls allowed in any sliding minute.")


class ProviderEntry(_Section):
    """An extra endpoint that counts as AI, besides the built-in provider catalogue."""

    name: Name = Field(description='The provider name used in "provider/model" globs and in evidence.')
    base_url: HttpUrl = Field(description="URL prefix of the endpoint (http or https).")
    api: Api = Field(default="openai", description="The wire format the endpoint speaks.")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _check_http_url(value)


class RouteTarget(_Section):
    """Where a routed call is sent instead."""

    model_config = ConfigDict(json_schema_extra={"dependentRequired": {"api_key_header": ["api_key_env"]}})

    base_url: HttpUrl = Field(
        description=(
            "Base URL of the approved deployment, as a client of the call's wire format takes it, e.g. "
            '"https://acme.openai.azure.com/openai/v1". The call\'s operation path ("/chat/completions", '
            '"/v1/messages", "/models/{model}:generateContent") is appended; a query given here '
            '(e.g. "?api-version=2024-10-21") is added to the call\'s own.'
        )
    )
    model: Annotated[str, StringConstraints(min_length=1)] | None = Field(
        default=None, description="Model to use there; omitted: the model the caller asked for."
    )
    api_key_env: EnvVarName | None = Field(
        default=None,
        description=(
            "Environment variable holding the deployment's API key, sent in the header its wire format uses "
            "(Authorization: Bearer, api-key on Azure OpenAI, x-api-key, x-goog-api-key). Omitted: the call "
            "keeps its own credentials at the same host, and goes without them to another host."
        ),
    )
    api_key_header: HeaderName | None = Field(
        default=None,
        description=(
            'Header that carries the key instead, e.g. "Ocp-Apim-Subscription-Key" for an API gateway; '
            '"Authorization" sends "Bearer <key>". Needs api_key_env.'
        ),
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _check_http_url(value)

    @model_validator(mode="after")
    def _header_needs_a_key(self) -> RouteTarget:
        if self.api_key_header is not None and self.api_key_env is None:
            raise ValueError("api_key_header needs api_key_env: name the environment variable that holds the key")
        return self


class Route(_Section):
    """Sends the calls for matching models to an approved deployment; the first matching route wins."""

    match: Glob = Field(description='Glob over "model" or "provider/model", e.g. "gpt-*".')
    to: RouteTarget = Field(description="The deployment the call is sent to.")


class UseCase(_Section):
    """A declared purpose of AI use; overrides sections of the policy for the users listed."""

    users: list[Glob] = Field(
        min_length=1,
        description='Globs of the users who may declare this use case, e.g. ["*"] or ["data-*"].',
    )
    description: str = Field(default="", description="What the use case is for, in a sentence.")
    models: ModelsSection | None = Field(
        default=None, description="Overrides models: each key given replaces the top-level key."
    )
    redaction: RedactionSection | None = Field(
        default=None,
        description="Overrides redaction: each key given replaces the top-level one; entities merge.",
    )
    tools: ToolsSection | None = Field(
        default=None, description="Overrides tools: each key given replaces the top-level key."
    )
    budgets: BudgetsSection | None = Field(
        default=None, description="Overrides budgets: each key given replaces the top-level key."
    )
    routes: list[Route] | None = Field(default=None, description="Replaces the top-level routes.")
    require_registered_model: bool | None = Field(
        default=None, description="Replaces the top-level require_registered_model."
    )


class Policy(_Section):
    """The aigov policy file: what AI calls from a notebook may do."""

    model_config = ConfigDict(title="aigov policy")

    version: Literal[1] = Field(description="Version of the policy format; this release reads 1.")
    on_error: Literal["block", "allow"] = Field(
        default="block",
        description="What happens to a call when aigov itself fails: block it or let it through.",
    )
    require_use_case: bool = Field(default=False, description="Refuse AI calls until a use case is declared.")
    locked: bool = Field(
        default=False,
        description=(
            "Locked mode, for administrators: governance cannot be unloaded or disabled in the kernel, and the "
            "policy, user and evidence folder it started with stay. Honoured in a policy served by the registry "
            "(AIGOV_REGISTRY_URL); a local file cannot lock (set AIGOV_LOCKED=1 in the kernel's environment)."
        ),
    )
    require_registered_model: bool = Field(
        default=False, description="Refuse models that have no approved registration."
    )
    models: ModelsSection = Field(default_factory=ModelsSection, description="Which models may be called.")
    redaction: RedactionSection = Field(
        default_factory=RedactionSection, description="What happens to sensitive entities in prompts."
    )
    tools: ToolsSection = Field(default_factory=ToolsSection, description="Which tools a model may use.")
    budgets: BudgetsSection = Field(default_factory=BudgetsSection, description="Limits on spending.")
    providers: list[ProviderEntry] = Field(
        default_factory=list, description="Extra endpoints that count as AI, besides the built-in catalogue."
    )
    routes: list[Route] = Field(default_factory=list, description="Send models to approved deployments.")
    plugins: list[Name] = Field(
        default_factory=list,
        description=(
            "Plugins to load: names of entry points in the group `aigov` of installed distributions. None loads "
            "unless listed; a listed one that is not installed, or fails to load, is an error."
        ),
    )
    use_cases: dict[Name, UseCase] = Field(
        default_factory=dict,
        description="Declared use cases by name; each overrides sections above for the users it lists.",
        json_schema_extra={"additionalProperties": False},
    )

    # Filled in by the loader; hints name the file to edit.
    _source: str = PrivateAttr(default="aigov.yaml")

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_an_integer(cls, value: object) -> object:
        # Literal[1] alone would take True and 1.0 as 1.
        if type(value) is not int:
            raise ValueError(f"must be the number 1, got {value!r}")
        return value

    @field_validator("providers")
    @classmethod
    def _unique_provider_names(cls, value: list[ProviderEntry]) -> list[ProviderEntry]:
        names = [p.name for p in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"provider names must be unique; repeated: {', '.join(duplicates)}")
        return value

    @field_validator("plugins")
    @classmethod
    def _unique_plugin_names(cls, value: list[str]) -> list[str]:
        duplicates = sorted({n for n in value if value.count(n) > 1})
        if duplicates:
            raise ValueError(f"plugin names must be unique; repeated: {', '.join(duplicates)}")
        return value

    @model_validator(mode="after")
    def _entities_have_actions(self) -> Policy:
        # Across sections: a use case's patterns may use entities the top level sets, and the reverse.
        errors: list[InitErrorDetails] = []
        defaulted = "entities" not in self.redaction.model_fields_set
        sections: list[tuple[tuple[str | int, ...], RedactionSection, Mapping[str, str]]] = [
            (("redaction",), self.redaction, self.redaction.entities)
        ]
        for name, use_case in self.use_cases.items():
            if use_case.redaction is not None:
                override = use_case.redaction
                merged = (
                    {**self.redaction.entities, **override.entities}
                    if "entities" in override.model_fields_set
                    else self.redaction.entities
                )
                sections.append((("use_cases", name, "redaction"), override, merged))
        for prefix, section, entities in sections:
            for path, entity in section.unset_entities(entities):
                errors.append(_unset_entity_error((*prefix, *path), entity, entities, defaulted))
        if errors:
            raise ValidationError.from_exception_data("Policy", errors)
        return self

    @property
    def source(self) -> str:
        """Where this policy was read from (a file path or "built-in default")."""
        return self._source

    def with_source(self, source: str) -> Policy:
        """Record where the policy was read from; returns self."""
        self._source = source
        return self


def _error(path: tuple[str | int, ...], message: str, value: object) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("value_error", "{m}", {"m": message}), loc=path, input=value)


def _unset_entity_error(
    path: tuple[str | int, ...], entity: str, entities: Mapping[str, str], defaulted: bool
) -> InitErrorDetails:
    message = (
        f"{entity} has no action under redaction.entities (listed: {', '.join(entities) or 'none'}), so what is "
        f"found would go out unchanged; add `{entity}: redact` (or block, or allow to switch it off) there"
    )
    if defaulted:
        message += " (the policy has no redaction.entities, so these defaults apply; once it lists entities, "
        message += "only those listed act: list the defaults you keep too)"
    return _error(path, message, entity)
