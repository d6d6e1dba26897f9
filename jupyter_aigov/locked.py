"""Locked mode, for administrators: whether a kernel is locked, what it started with, and the watch on that.

AIGOV_LOCKED=1 in the kernel's environment, or `locked: true` in the policy the registry serves, turns it on.
Once locked, governance cannot be unloaded or disabled, the user is the one JupyterHub started the server for,
and the environment variables below keep the values read at start: a change is refused, or put back, on record.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import warnings
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigov_core.errors import GovernanceLocked, PolicyError
from aigov_core.policy.document import Policy
from aigov_core.policy.load import parse_policy_bytes

from .context import acting_user
from .policy import POLICY_ENV, LoadedPolicy, default_policy, discover_policy, find_policy_file

LOCKED_ENV = "AIGOV_LOCKED"
# what governance read at start, and what a child process inherits: each keeps its start value while locked
KEPT_ENV = (
    "AIGOV_POLICY",
    "AIGOV_USER",
    "AIGOV_EVIDENCE_DIR",
    "AIGOV_LOCKED",
    "AIGOV_REGISTRY_URL",
    "JUPYTERHUB_USER",
)
_OFF = ("", "0", "false", "no", "off")
LOCKED_HINT = (
    "governance of this kernel is locked by your administrator (AIGOV_LOCKED in the kernel's environment, or "
    "`locked: true` in the registry's policy); ask them if it is in your way. The attempt is in the evidence log "
    "as governance.locked."
)

Refuse = Callable[[str], GovernanceLocked]


@dataclass(frozen=True, slots=True)
class LockedMode:
    """A locked kernel: what locked it, its user, the environment it started with, and how an attempt is refused."""

    by: str  # "AIGOV_LOCKED=1", or "the registry's policy (locked: true)"
    user: str
    environment: tuple[tuple[str, str | None], ...]  # KEPT_ENV as read at start (None: unset)
    refuse: Refuse  # records the attempt as governance.locked and returns the error to raise


def locked_by(env: Mapping[str, str], registry_policy: Policy | None) -> str | None:
    """What locks this kernel, in words, or None: AIGOV_LOCKED (any value but 0/false/no/off), or the registry.

    A local policy file's `locked: true` does not lock: whoever runs the notebook can edit it.
    """
    if env.get(LOCKED_ENV, "").strip().lower() not in _OFF:
        return f"{LOCKED_ENV}={env[LOCKED_ENV].strip()}"
    if registry_policy is not None and registry_policy.locked:
        return "the registry's policy (locked: true)"
    return None


FAIL_CLOSED_SOURCE = "aigov's fail-closed policy (the administrator's policy did not load in this locked kernel)"
_REFUSE_EVERY_MODEL = b"version: 1\nmodels:\n  deny: ['*']\n"


def fail_closed_policy() -> LoadedPolicy:
    """What governs a locked kernel whose policy did not load: every model denied, so every AI call is refused."""
    policy = parse_policy_bytes(_REFUSE_EVERY_MODEL, FAIL_CLOSED_SOURCE)
    return LoadedPolicy(policy, FAIL_CLOSED_SOURCE, "default", hashlib.sha256(_REFUSE_EVERY_MODEL).hexdigest(), None)


def policy_failed(error: PolicyError) -> LoadedPolicy:
    """A locked kernel's policy (or a plugin it lists) did not load: said in red, and every AI call refused."""
    warnings.warn(
        f"aigov: {error} This kernel is locked, so it is not left ungoverned: every AI call is refused until the "
        "administrator fixes the policy and the kernel restarts.",
        stacklevel=3,
    )
    return fail_closed_policy()


def locked_policy(start: Path, env: Mapping[str, str]) -> LoadedPolicy:
    """The administrator's policy: AIGOV_POLICY, else the built-in default (the registry's is pulled before).

    An aigov.yaml found from the notebook's folder up is not read: whoever runs the notebook can write one there.
    """
    try:
        if env.get(POLICY_ENV, "").strip():
            return discover_policy(start, env)
    except PolicyError as error:
        return policy_failed(error)
    found = None
    with contextlib.suppress(PolicyError, OSError):
        found = find_policy_file(start.expanduser().resolve(), None)
    if found is not None:
        warnings.warn(
            f"aigov: {found} is not read: this kernel is locked, so its policy is the administrator's "
            f"({POLICY_ENV}, or the registry's), else the built-in default.",
            stacklevel=2,
        )
    return default_policy()


def locked_user(env: Mapping[str, str]) -> str:
    """The user JupyterHub started the server for, when it did; else the acting user as read at start."""
    return env.get("JUPYTERHUB_USER", "").strip() or acting_user(env)


def start_environment(env: Mapping[str, str]) -> tuple[tuple[str, str | None], ...]:
    """The kept variables as they are now."""
    return tuple((name, env.get(name)) for name in KEPT_ENV)


def environment_changes(mode: LockedMode, env: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """The kept variables whose value differs from the start one, each with its start value."""
    return [(name, value) for name, value in mode.environment if env.get(name) != value]


def put_back_environment(mode: LockedMode, env: MutableMapping[str, str] = os.environ) -> list[str]:
    """Each kept variable changed since start gets its start value back, on record; returns the names put back.

    A change through os.environ is refused as it happens (`environment_guard`); this finds one made around it.
    """
    changed = environment_changes(mode, env)
    for name, value in changed:
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    for name, _ in changed:
        mode.refuse(f"changing {name} in the kernel's environment")  # recorded; the start value stays in force
    return [name for name, _ in changed]


def environment_guard(mode: LockedMode) -> Callable[[str, tuple[Any, ...]], None]:
    """An audit hook: os.environ[...] = / del os.environ[...] of a kept variable is refused before it happens."""
    start = {name.encode(): value for name, value in mode.environment} | dict(mode.environment)

    def on_audit_event(event: str, args: tuple[Any, ...]) -> None:
        if event == "os.putenv":
            key, value = args
        elif event == "os.unsetenv":
            key, value = args[0], None
        else:
            return
        if key not in start:
            return
        value = os.fsdecode(value) if value is not None else None
        if value != start[key]:
            raise mode.refuse(f"changing {os.fsdecode(key)} in the kernel's environment")

    return on_audit_event
