"""The policy (aigov.yaml): its models and JSON Schema, loading with line numbers, discovery, decisions.

loaded = discover_policy(notebook_dir, os.environ)
effective = loaded.policy.for_context(user, use_case)
if effective.use_case_problem: ...  # use_case.required / .unknown / .user_not_listed
decision = decide_model(effective, "openai", "gpt-4o")  # models.allowed / .deny / .allow
"""

from jupyter_aigov.policy.discover import (
    DEFAULT_SOURCE,
    POLICY_ENV,
    POLICY_FILE_NAMES,
    LoadedPolicy,
    default_policy,
    discover_policy,
    find_policy_file,
    load_policy_file,
)
from jupyter_aigov.policy.document import (
    DEFAULT_ENTITIES,
    ArgumentCheck,
    BudgetsSection,
    ModelsSection,
    Policy,
    ProviderEntry,
    RedactionSection,
    Route,
    RouteTarget,
    ToolsSection,
    UseCase,
)
from jupyter_aigov.policy.globs import GlobSet
from jupyter_aigov.policy.load import (
    check_policy_file,
    load_policy,
    parse_policy_bytes,
    parse_policy_text,
)
from jupyter_aigov.policy.model_rules import decide_model
from jupyter_aigov.policy.problems import PolicyProblem
from jupyter_aigov.policy.resolve import EffectivePolicy
from jupyter_aigov.policy.schema import SCHEMA_ID, policy_schema, schema_text

__all__ = [
    "DEFAULT_ENTITIES",
    "DEFAULT_SOURCE",
    "POLICY_ENV",
    "POLICY_FILE_NAMES",
    "SCHEMA_ID",
    "ArgumentCheck",
    "BudgetsSection",
    "EffectivePolicy",
    "GlobSet",
    "LoadedPolicy",
    "ModelsSection",
    "Policy",
    "PolicyProblem",
    "ProviderEntry",
    "RedactionSection",
    "Route",
    "RouteTarget",
    "ToolsSection",
    "UseCase",
    "check_policy_file",
    "decide_model",
    "default_policy",
    "discover_policy",
    "find_policy_file",
    "load_policy",
    "load_policy_file",
    "parse_policy_bytes",
    "parse_policy_text",
    "policy_schema",
    "schema_text",
]
