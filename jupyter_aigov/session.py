"""One kernel's governed session: who is calling from which notebook, under which policy and use case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from .context import RunContext
from .policy import EffectivePolicy, LoadedPolicy, for_context
from .state import sealed_setattr

ExtraProvider = tuple[str, str, str]  # (name, base_url, api) of a policy's providers entry


@dataclass(frozen=True)
class InForce:
    """The use case and the effective policy for it, swapped whole: a call sees one or the other, never a mix."""

    use_case: str | None
    effective: EffectivePolicy
    extra_providers: tuple[ExtraProvider, ...]


class Session:
    """The policy loaded, the run context, and the use case declared; `in_force` is what calls are decided under."""

    __setattr__ = sealed_setattr()  # in a locked kernel, only its own methods change it

    def __init__(self, loaded: LoadedPolicy, context: RunContext, use_case: str | None) -> None:
        self.loaded = loaded
        self.context = context
        self.in_force = self._resolve(use_case or None)

    @property
    def use_case(self) -> str | None:
        return self.in_force.use_case

    @property
    def effective(self) -> EffectivePolicy:
        """The effective policy for this user and use case."""
        return self.in_force.effective

    def set_use_case(self, name: str | None, policy: LoadedPolicy | None = None) -> None:
        """Declare the use case for the calls that follow (under `policy`, the registry's, when given)."""
        if policy is not None:
            object.__setattr__(self, "loaded", policy)
        object.__setattr__(self, "in_force", self._resolve(name or None))

    def after_fork(self, parent_pid: int, kernel: str | None) -> None:
        """In a forked child: its own session id, and whose child it is."""
        parent = {"session": self.context.session, "kernel": kernel, "pid": parent_pid}
        object.__setattr__(self, "context", replace(self.context, session=uuid.uuid4().hex[:16], parent=parent))

    def _resolve(self, use_case: str | None) -> InForce:
        policy = self.loaded.policy
        extra = tuple((p.name, p.base_url, p.api) for p in policy.providers)
        return InForce(use_case, for_context(policy, self.context.user, use_case), extra)
