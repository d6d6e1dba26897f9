"""The policy in force for one user and use case: a use case's overrides merged over the top level.

Merging, per section a use case gives (models, redaction, tools, budgets): each key the use case writes
replaces the top-level key, and keys it leaves out keep their top-level value, so narrowing `models.allow`
in a use case does not drop the top-level `models.deny`. `redaction.entities` merges one entity at a time:
the use case's action for an entity wins, other entities keep the top-level action. `routes` and
`require_registered_model` replace the top-level value when given.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from aigov_core.policy.document import (
    BudgetsSection,
    ModelsSection,
    Policy,
    ProviderEntry,
    RedactionSection,
    Route,
    ToolsSection,
)
from jupyter_aigov.policy.globs import GlobSet
from jupyter_aigov.verdict import Verdict

_SECTIONS = ("models", "redaction", "tools", "budgets")
Section = TypeVar("Section", bound=BaseModel)
# Each live policy's resolved contexts, by the policy's id: a policy holds lists, so it cannot key a weak dict.
_CONTEXTS: dict[int, dict[tuple[str, str | None, str], EffectivePolicy]] = {}


@dataclass(frozen=True, slots=True)
class EffectivePolicy:
    """The policy for one (user, use case); `use_case_problem` says when no call may be made at all."""

    user: str
    use_case: str | None
    use_case_problem: Verdict | None  # why no call may be made in this context (a block)
    use_case_declared: bool  # the use case is one of the policy's use_cases (not a free label)
    on_error: Literal["block", "allow"]
    require_use_case: bool
    require_registered_model: bool
    models: ModelsSection
    redaction: RedactionSection
    tools: ToolsSection
    budgets: BudgetsSection
    providers: tuple[ProviderEntry, ...]
    routes: tuple[Route, ...]
    origins: Mapping[str, str]  # "models.allow" -> the key that set it, e.g. "use_cases.x.models.allow"
    source: str  # the policy file, for hints
    model_allow: GlobSet = field(repr=False, compare=False)
    model_deny: GlobSet = field(repr=False, compare=False)
    tool_allow: GlobSet = field(repr=False, compare=False)
    tool_deny: GlobSet = field(repr=False, compare=False)
    model_decisions: dict[tuple[str, str | None], Verdict] = field(default_factory=dict, repr=False, compare=False)

    @property
    def use_case_error(self) -> str | None:
        """The sentence saying why the declared (or missing) use case refuses every call, or None."""
        return self.use_case_problem.reason if self.use_case_problem else None

    @property
    def has_tool_rules(self) -> bool:
        """Whether any tool is refused or checked here (else every tool call is allowed, and only recorded)."""
        return bool(self.tools.allow or self.tools.deny or self.tools.arguments)

    def arguments_checked(self, tool: str) -> bool:
        """Whether tools.arguments holds a check for this tool."""
        return any(fnmatchcase(tool, check.tool) for check in self.tools.arguments)

    def origin(self, key: str) -> str:
        """The policy key that set a dotted key in force here, e.g. origin("tools.deny")."""
        return self.origins.get(key, key)

    def where(self) -> str:
        """Where the rules in force come from, for sentences: "use case 'x'" or "the policy"."""
        return (
            f"use case '{self.use_case}'" if self.use_case_declared and self.use_case_problem is None else "the policy"
        )


def _merge(base: Section, override: Section | None, prefix: str, origins: dict[str, str]) -> Section:
    """Each key set explicitly in the override replaces the base's; redaction entities merge per entity."""
    if override is None:
        return base
    update: dict[str, Any] = {}
    for key in override.model_fields_set:
        value = getattr(override, key)
        if key == "entities":
            value = {**getattr(base, key), **value}
        update[key] = value
        origins[f"{prefix.rsplit('.', 1)[-1]}.{key}"] = f"{prefix}.{key}"
    return base.model_copy(update=update)


def _refusal(policy: Policy, user: str, use_case: str | None) -> Verdict | None:
    """Why the declared use case (or the lack of one) refuses every call, or None."""
    names = ", ".join(policy.use_cases) or "none declared"
    if use_case is None:
        if not policy.require_use_case:
            return None
        return Verdict.block(
            "use_case.required",
            "This policy refuses AI calls until a use case is declared (require_use_case: true).",
            f"Declare one with `%aigov use-case NAME` or the AIGOV_USE_CASE environment variable "
            f"(use cases in {policy.source}: {names}).",
        )
    declared = policy.use_cases.get(use_case)
    if declared is None:
        if not policy.use_cases:
            return None  # a policy without use cases takes any name as a label for the evidence
        return Verdict.block(
            "use_case.unknown",
            f"Use case '{use_case}' is not declared in the policy (declared: {names}).",
            f"Declare one of {names} with `%aigov use-case NAME` or AIGOV_USE_CASE, "
            f"or add '{use_case}' under use_cases in {policy.source}.",
        )
    if not GlobSet(declared.users).matches(user):
        return Verdict.block(
            "use_case.user_not_listed",
            f"User '{user}' is not listed in the users of use case '{use_case}' (users: {', '.join(declared.users)}).",
            f"Ask the policy owner to add '{user}' to use_cases.{use_case}.users in {policy.source}, "
            f"or declare another use case.",
        )
    return None


def resolve(policy: Policy, user: str, use_case: str | None) -> EffectivePolicy:
    """Compute the policy in force for a user and a declared use case (uncached; see for_context)."""
    refusal = _refusal(policy, user, use_case)
    origins: dict[str, str] = {}
    sections: dict[str, Any] = {name: getattr(policy, name) for name in _SECTIONS}
    routes: list[Route] = policy.routes
    require_registered_model = policy.require_registered_model
    declared = policy.use_cases.get(use_case) if use_case is not None and refusal is None else None
    if declared is not None:
        prefix = f"use_cases.{use_case}"
        for name in _SECTIONS:
            sections[name] = _merge(sections[name], getattr(declared, name), f"{prefix}.{name}", origins)
        if declared.routes is not None:
            routes = declared.routes
            origins["routes"] = f"{prefix}.routes"
        if declared.require_registered_model is not None:
            require_registered_model = declared.require_registered_model
            origins["require_registered_model"] = f"{prefix}.require_registered_model"
    models: ModelsSection = sections["models"]
    tools: ToolsSection = sections["tools"]
    return EffectivePolicy(
        user=user,
        use_case=use_case,
        use_case_problem=refusal,
        use_case_declared=use_case is not None and use_case in policy.use_cases,
        on_error=policy.on_error,
        require_use_case=policy.require_use_case,
        require_registered_model=require_registered_model,
        models=models,
        redaction=sections["redaction"],
        tools=tools,
        budgets=sections["budgets"],
        providers=tuple(policy.providers),
        routes=tuple(routes),
        origins=origins,
        source=policy.source,
        model_allow=GlobSet(models.allow),
        model_deny=GlobSet(models.deny),
        tool_allow=GlobSet(tools.allow),
        tool_deny=GlobSet(tools.deny),
    )


def for_context(policy: Policy, user: str, use_case: str | None) -> EffectivePolicy:
    """The policy in force for one user and declared use case (cached while the policy lives)."""
    contexts = _CONTEXTS.get(id(policy))
    if contexts is None:
        contexts = _CONTEXTS[id(policy)] = {}
        weakref.finalize(policy, _CONTEXTS.pop, id(policy), None)
    key = (user, use_case, policy.source)  # the source is named in the hints
    cached = contexts.get(key)
    if cached is None:
        if len(contexts) >= 256:  # users per kernel are few; bound it anyway
            contexts.clear()
        cached = contexts[key] = resolve(policy, user, use_case)
    return cached
