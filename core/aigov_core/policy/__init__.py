"""The policy file (aigov.yaml): its models and JSON Schema, and reading it with every mistake and its line.

policy = parse_policy_bytes(data, "team/aigov.yaml")  # PolicyError: .problems, each with its line and key
"""

from aigov_core.policy.document import (
    DEFAULT_ENTITIES,
    ArgumentCheck,
    BudgetsSection,
    ModelsSection,
    Policy,
    PolicyPattern,
    ProviderEntry,
    RedactionSection,
    Route,
    RouteTarget,
    ToolsSection,
    UseCase,
)
from aigov_core.policy.load import check_policy_file, load_policy, parse_policy_bytes, parse_policy_text
from aigov_core.policy.problems import PolicyProblem
from aigov_core.policy.schema import SCHEMA_ID, policy_schema, schema_text

__all__ = [
    "DEFAULT_ENTITIES",
    "SCHEMA_ID",
    "ArgumentCheck",
    "BudgetsSection",
    "ModelsSection",
    "Policy",
    "PolicyPattern",
    "PolicyProblem",
    "ProviderEntry",
    "RedactionSection",
    "Route",
    "RouteTarget",
    "ToolsSection",
    "UseCase",
    "check_policy_file",
    "load_policy",
    "parse_policy_bytes",
    "parse_policy_text",
    "policy_schema",
    "schema_text",
]
