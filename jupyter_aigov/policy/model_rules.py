"""Whether a model may be called, and where a call is routed, under the policy in force."""

from __future__ import annotations

from jupyter_aigov.policy.resolve import EffectivePolicy
from jupyter_aigov.verdict import Verdict

_SHOWN = 8  # allowed globs listed in a sentence before "and N more"


def _listed(globs: tuple[str, ...]) -> str:
    shown = ", ".join(globs[:_SHOWN])
    return shown if len(globs) <= _SHOWN else f"{shown} and {len(globs) - _SHOWN} more"


def _decide(effective: EffectivePolicy, provider: str, model: str | None) -> Verdict:
    where = effective.where()
    allow, deny = effective.model_allow, effective.model_deny
    if model is None:
        if not allow:
            return Verdict.allow("models.allowed", "No models.allow list is set, so any model is allowed.")
        key = effective.origin("models.allow")
        return Verdict.block(
            "models.allow",
            f"The model of this call could not be read, and {where} only allows listed models "
            f"(allowed: {_listed(allow.globs)}).",
            f"Name the model explicitly in the request, or empty {key} in {effective.source}.",
        )
    denied_by = deny.match_model(provider, model)
    if denied_by is not None:
        key = effective.origin("models.deny")
        return Verdict.block(
            "models.deny",
            f"Model '{model}' matches '{denied_by}' in the denied models of {where}.",
            f"Use a model that does not match '{denied_by}', or remove it from {key} in {effective.source}.",
        )
    if not allow:
        return Verdict.allow("models.allowed", f"Model '{model}' is allowed ({where} sets no allow list).")
    allowed_by = allow.match_model(provider, model)
    if allowed_by is None:
        key = effective.origin("models.allow")
        return Verdict.block(
            "models.allow",
            f"Model '{model}' is not in the allowed models of {where} (allowed: {_listed(allow.globs)}).",
            f"Use an allowed model ({_listed(allow.globs)}), or add '{model}' to {key} in {effective.source}.",
        )
    return Verdict.allow("models.allowed", f"Model '{model}' is allowed by the pattern '{allowed_by}'.")


def decide_model(effective: EffectivePolicy, provider: str, model: str | None) -> Verdict:
    """Decide whether `model` served by `provider` may be called (see GlobSet.match_model for globs)."""
    key = (provider, model)
    cache = effective.model_decisions
    decision = cache.get(key)
    if decision is None:
        if len(cache) >= 1024:  # a kernel calls few models; bound the cache anyway
            cache.clear()
        decision = cache[key] = _decide(effective, provider, model)
    return decision
