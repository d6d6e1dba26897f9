"""The policy in a notebook: discovery, the policy in force for a user and use case, model decisions.

The file's models, JSON Schema and loading with line numbers are aigov_core.policy.

loaded = discover_policy(notebook_dir, os.environ)
effective = for_context(loaded.policy, user, use_case)
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
from jupyter_aigov.policy.globs import GlobSet
from jupyter_aigov.policy.model_rules import decide_model
from jupyter_aigov.policy.resolve import EffectivePolicy, for_context

__all__ = [
    "DEFAULT_SOURCE",
    "POLICY_ENV",
    "POLICY_FILE_NAMES",
    "EffectivePolicy",
    "GlobSet",
    "LoadedPolicy",
    "decide_model",
    "default_policy",
    "discover_policy",
    "find_policy_file",
    "for_context",
    "load_policy_file",
]
