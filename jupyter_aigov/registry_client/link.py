"""A governed kernel's link to the registry: the policy it pulled, and its live-records pusher."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .http import RegistrySettings
from .live import LivePusher, spool_path_for
from .policy_pull import PulledPolicy, pull_policy

if TYPE_CHECKING:
    from ..gateway import Gateway
    from ..policy import LoadedPolicy


class RegistryLink:
    """Made at enable when AIGOV_REGISTRY_URL is set; pulls policy, pushes records, reports both."""

    def __init__(self, settings: RegistrySettings, *, pull: bool) -> None:
        self.settings = settings
        self.pull = pull  # False when aigov.enable(policy=...) named the policy: that one wins
        self.pulled: PulledPolicy | None = None
        self.pusher: LivePusher | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, pull: bool) -> RegistryLink | None:
        """A link when AIGOV_REGISTRY_URL is set, else None."""
        settings = RegistrySettings.from_env(env)
        return cls(settings, pull=pull) if settings is not None else None

    def policy_for(self, use_case: str | None) -> LoadedPolicy | None:
        """The registry's policy for this use case (or its cached copy); None: keep the local one."""
        if not self.pull:
            return None
        self.pulled = pull_policy(self.settings, use_case)
        return self.pulled.loaded

    def attach(self, gateway: Gateway) -> None:
        """Push the gateway's records from now on (and what an earlier run spooled)."""
        spool = spool_path_for(gateway.evidence_dir, gateway.evidence.log.path.name)
        self.pusher = LivePusher(self.settings, gateway.evidence.log.path.name, spool).start()
        gateway.evidence.listeners.append(self.pusher)

    def detach(self, gateway: Gateway) -> None:
        """Stop pushing: what is pending is sent, or spooled, within a short timeout."""
        if self.pusher is None:
            return
        if self.pusher in gateway.evidence.listeners:
            gateway.evidence.listeners.remove(self.pusher)
        self.pusher.stop()

    def status(self) -> dict[str, Any]:
        """For aigov.status()["registry"]."""
        policy: dict[str, Any] | None = None
        if self.pulled is not None:
            policy = {"state": self.pulled.state, "message": self.pulled.message, "etag": self.pulled.etag}
        elif not self.pull:
            policy = {"state": "not pulled", "message": "aigov.enable(policy=...) named the policy in force."}
        return {
            "url": self.settings.url,
            "token": "set" if self.settings.token else "missing (set AIGOV_REGISTRY_TOKEN)",
            "policy": policy,
            "live": self.pusher.status() if self.pusher is not None else None,
        }
