"""Switching governance on and off for this process, and what it can tell about itself."""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import functools
import os
import sys
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aigov_core.errors import AIGovError, EvidenceError, GovernanceLocked, PluginError, PolicyViolation

from . import __version__, inheritance
from .backstop import arm as arm_backstop
from .context import current_context, kernel_id
from .gateway import Gateway
from .intercept import Interceptor
from .locked import (
    LOCKED_HINT,
    LockedMode,
    environment_guard,
    locked_by,
    locked_policy,
    locked_user,
    policy_failed,
    put_back_environment,
    start_environment,
)
from .pipeline import governor, refuse, tamper_hint
from .plugins import load_plugins
from .policy import LoadedPolicy, discover_policy, find_policy_file, load_policy_file
from .redaction.transit import engine_state, engine_status
from .redaction.transit import prepare as prepare_detection
from .spend.guard import has_limits
from .spend.prices import warm_up as warm_up_prices
from .state import active_gateway, lock, locked_mode, set_active_gateway

if TYPE_CHECKING:
    from .registry_client.link import RegistryLink

_lock = threading.RLock()
_interceptor: Interceptor | None = None
_STOP_KEY = object()  # what the interceptor asks of whoever takes its patches out: disable(), which records it


@dataclass(frozen=True)
class _SessionStart:
    """Who a kernel session started as, for which notebook, with its evidence where: reloads do not change it."""

    user: str
    notebook: str
    evidence_dir: Path
    log: Path


_sessions: dict[str, _SessionStart] = {}
_reloading = False  # between a %reload_ext's unload and its load: the gateway in force stays until replaced
_registry: RegistryLink | None = None


def _after_fork_in_child() -> None:
    gateway = active_gateway()
    if gateway is not None:
        # AIGOV_INHERIT stays the parent's: a fork that execs Python (`!python x.py` through pexpect) is its child
        gateway.after_fork(os.getppid())


if hasattr(os, "register_at_fork"):  # a forked worker (multiprocessing) keeps governing, as its own session
    os.register_at_fork(after_in_child=_after_fork_in_child)


def evidence_dir_for(notebook_dir: Path, env: Mapping[str, str]) -> Path:
    """AIGOV_EVIDENCE_DIR, else .aigov/evidence beside the notebook."""
    configured = env.get("AIGOV_EVIDENCE_DIR", "").strip()
    return Path(configured).expanduser() if configured else notebook_dir / ".aigov" / "evidence"


def _load(
    policy: str | os.PathLike[str] | None, start: Path, env: Mapping[str, str], locked: str | None
) -> LoadedPolicy:
    if policy is not None:
        return load_policy_file(Path(policy))
    return discover_policy(start, env) if locked is None else locked_policy(start, env)


def enable(policy: str | os.PathLike[str] | None = None, *, user_ns: Mapping[str, Any] | None = None) -> Gateway:
    """Govern every AI call of this process; a second call returns the gateway already in force.

    >>> import aigov; aigov.enable("aigov.yaml")  # doctest: +SKIP
    """
    global _interceptor, _registry, _reloading
    with _lock:
        previous = active_gateway()
        if previous is not None and not _reloading:
            return previous
        env = os.environ
        kept = start_environment(env)  # before anything else reads it: what a locked kernel keeps
        # a child of a governed process says whose child it is (the parent handed governance down)
        context = dataclasses.replace(current_context(env, user_ns), parent=inheritance.parent_of(env))
        claimed_user = context.user
        use_case = env.get("AIGOV_USE_CASE", "").strip() or None
        link = _registry_link(env, pull=policy is None)
        pulled = link.policy_for(use_case) if link is not None else None
        locked = locked_by(env, pulled.policy if pulled is not None else None)
        if locked is not None:  # the user JupyterHub started the server for, not whoever the notebook claims
            context = replace(context, user=locked_user(env))
        # a bad policy raises PolicyError: nothing is patched (a locked kernel refuses every AI call instead)
        loaded = pulled or _load(policy, context.notebook_dir, env, locked)
        try:
            plugins = load_plugins(loaded.policy.plugins, loaded.source)  # one that cannot load: PluginError
        except PluginError as error:
            if locked is None:
                raise
            loaded = policy_failed(error)
            plugins = load_plugins(loaded.policy.plugins, loaded.source)
        kernel = kernel_id()  # a kernel's session outlives reloads; a script's ends with it
        evidence_dir = evidence_dir_for(context.notebook_dir, env)
        log = evidence_dir / f"{context.stem}.jsonl"
        start = _SessionStart(context.user, context.notebook, evidence_dir, log)
        first = _sessions.get(kernel, start) if kernel else None
        first_user = first.user if first is not None else context.user
        # the budget ledger stays the session's first: pointing the evidence elsewhere gives no fresh budget
        ledger_dir = first.evidence_dir if first is not None else evidence_dir
        gateway = Gateway(loaded, context, evidence_dir, use_case, first_user, ledger_dir, plugins)
        if pulled is not None:
            gateway.projects.project_policy = find_policy_file(context.notebook_dir.resolve(), None)
        if link is not None:
            link.attach(gateway)  # before the first records: they are pushed too
        try:
            gateway.evidence.record(
                "extension.load",
                decision="allow",
                reason=f"aigov {__version__} loaded." + (f" Locked by {locked}." if locked else ""),
                context_source=context.source,
                **({"locked": locked} if locked else {}),
                **({"claimed_user": claimed_user} if locked and claimed_user != context.user else {}),
            )
            _record_policy_load(gateway, loaded, link)
            if first_user != context.user:
                gateway.evidence.record(
                    "user.changed",
                    decision="allow",
                    previous_user=first_user,
                    reason=(
                        f"The acting user changed from {first_user!r} to {context.user!r} within this kernel "
                        f"session; its budgets keep counting what the session spent, charged to {first_user!r}."
                    ),
                )
            if first is not None and (first.notebook, first.evidence_dir) != (context.notebook, evidence_dir):
                _record_context_change(gateway, first)
        except EvidenceError as exc:
            # loading goes on: with on_error: block every AI call is then refused, with this reason
            then = "every AI call is refused until it can" if loaded.policy.on_error == "block" else "calls go on"
            warnings.warn(f"aigov: {exc} The evidence log cannot be written: {then}.", stacklevel=2)
        # the import watch goes in before anything imports in the background: a library another thread is
        # importing is then patched by that thread the moment it is whole, and start() waits for any import
        # already under way instead of patching a half-initialised module
        _interceptor = _interceptor or Interceptor(_STOP_KEY)
        _interceptor.on_failure = functools.partial(_layer_failed, gateway)
        _interceptor.start(gateway)  # makes it the active gateway too, in one step: a reload is never ungoverned
        gateway.pipeline.verify_layers = _integrity_check(_interceptor)
        if kernel and first is not None:
            _sessions.setdefault(kernel, first)
        _watch_connections(_interceptor)
        arm_backstop(governor)  # AI routes around the layers (raw sockets, programs) are refused from now on
        inheritance.export(gateway)  # Python children start governed as this process is
        if previous is not None:  # a reload: the gateway before hands over, then closes
            _close(previous, f"aigov reloaded; the policy from {loaded.source} governs from here.")
        _reloading = False
        _registry = link
        # spaCy loads in the background, not in %load_ext (and the plugins' recognizers are made with it)
        prepare_detection(gateway.session.effective.redaction, plugins.recognizers)
        # the price list loads a moment later, off the path of %load_ext (it would compete for the GIL)
        warm = threading.Timer(PRICES_WARM_UP_DELAY_S, _warm_prices)
        warm.daemon = True
        warm.start()
        atexit.register(flush_evidence)
        if locked is not None:  # last: everything above may still set up the gateway
            mode = LockedMode(locked, context.user, kept, _locked_refusal(gateway, locked))
            lock(mode)
            sys.addaudithook(environment_guard(mode))
        return gateway


PRICES_WARM_UP_DELAY_S = 1.0


def _layer_failed(gateway: Gateway, module: str, error_type: str) -> None:
    """On record: a client layer could not be installed, so its library's AI calls are refused."""
    gateway.evidence.record(
        "intercept.unavailable",
        decision="block",
        rules=["intercept.unavailable"],
        library=module,
        error=error_type,
        reason=f"aigov could not install its {module} layer ({error_type}); AI calls through it are refused.",
    )


def _warm_prices() -> None:
    """Load the price list now, so that the first call's accounting does not wait for it."""
    with contextlib.suppress(Exception):  # pricing is best effort: a call without a price records None
        warm_up_prices()


def flush_evidence() -> None:
    """Write the records still queued (a call's usage) and sync the log; warns instead of raising."""
    gateway = active_gateway()
    if gateway is None:
        return
    try:
        gateway.evidence.flush()
    except EvidenceError as exc:
        warnings.warn(f"aigov: {exc}", stacklevel=2)


def disable(*, from_extension: bool = False) -> None:
    """Stop governing and restore every patched function; harmless when governance is off.

    In IPython, the aigov extension is unloaded with it, so that a later `%load_ext aigov` loads it again. In a
    locked kernel it is refused (`GovernanceLocked`), on record.
    """
    global _registry
    mode = locked_mode()
    if mode is not None:
        raise mode.refuse("`%unload_ext aigov`" if from_extension else "`aigov.disable()`")
    if not from_extension and _unload_extension():
        return  # the extension's unload called back here
    with _lock:
        atexit.unregister(flush_evidence)
        gateway = active_gateway()
        if _interceptor is not None:  # unbinds and switches the active gateway off in one step
            _interceptor.stop(_STOP_KEY)
        set_active_gateway(None)
        inheritance.withdraw()
        if gateway is not None:
            _close(gateway, "aigov unloaded.")
        _registry = None


def begin_reload() -> None:
    """`%reload_ext aigov` is unloading: keep the gateway in force, and its patches, until the load replaces it."""
    global _reloading
    mode = locked_mode()
    if mode is not None:  # a reload would start afresh: a new policy, user and evidence log, and no tampering
        raise mode.refuse("`%reload_ext aigov`")
    with _lock:
        _reloading = active_gateway() is not None


def _close(gateway: Gateway, reason: str) -> None:
    """The last record of a gateway, then its log and ledger closed."""
    with contextlib.suppress(EvidenceError):
        gateway.evidence.record("extension.unload", decision="allow", reason=reason)
    try:
        gateway.close()
    finally:
        if _registry is not None:
            _registry.detach(gateway)


def _record_context_change(gateway: Gateway, first: _SessionStart) -> None:
    """A reload pointed the session at another notebook or evidence folder: said in both logs."""
    reason = (
        f"This kernel session started with notebook {first.notebook!r} and evidence in {first.evidence_dir}; it now "
        f"records for {gateway.session.context.notebook!r} in {gateway.evidence_dir}. Budgets stay counted in the "
        "first."
    )
    fields = {"previous_notebook": first.notebook, "previous_evidence_dir": str(first.evidence_dir)}
    gateway.evidence.record("context.changed", decision="allow", reason=reason, **fields)
    first_log = first.log
    if first_log != gateway.evidence.log.path:
        from .evidence import EvidenceLog

        record = gateway.evidence.fields("context.changed", {"decision": "allow", "reason": reason, **fields})
        log = EvidenceLog(first_log)
        try:
            log.append_all([record], durable=True)
        finally:
            log.close()


def _unload_extension() -> bool:
    """Unload the aigov IPython extension if it is loaded (its unload disables governance); False when not."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    manager = getattr(shell, "extension_manager", None)
    if manager is None or "aigov" not in manager.loaded:
        return False
    manager.unload_extension("aigov")
    return True


def _connection_watch(interceptor: Interceptor) -> Callable[[str, tuple[Any, ...]], None]:
    """An audit hook: before any new connection leaves, a patch changed in this very cell is found and the
    connection refused. It holds the interceptor itself, so rebinding this module's names does not blind it."""

    def on_audit_event(event: str, args: tuple[Any, ...]) -> None:
        if event != "socket.connect" or interceptor.gateway is None:
            return
        found = interceptor.verify()
        if found:
            refuse(
                PolicyViolation(
                    "governance.tampered",
                    f"{found[0]}, so this connection was refused; AI calls are refused from now on.",
                    None,
                    tamper_hint(),
                )
            )

    return on_audit_event


_watched: list[Interceptor] = []


def _watch_connections(interceptor: Interceptor) -> None:
    """Add the audit hook once per interceptor (Python cannot take one out; it does nothing while aigov is off)."""
    if not any(seen is interceptor for seen in _watched):
        sys.addaudithook(_connection_watch(interceptor))
        _watched.append(interceptor)


def _integrity_check(interceptor: Interceptor) -> Callable[[], list[str]]:
    """What runs on every AI call and after each cell: the patches checked, and a locked kernel's environment.

    It holds the interceptor itself, so rebinding this module's names does not blind it.
    """

    def check() -> list[str]:
        found = interceptor.verify()
        mode = locked_mode()
        if mode is not None:  # a kept variable changed around the audit hook (os.environ._data): put back
            found += [f"{name} was changed in the kernel's environment" for name in put_back_environment(mode)]
        return found

    return check


def check_integrity() -> list[str]:
    """Look for patches and switches of aigov changed behind its back (after each cell, and on every AI call)."""
    gateway = active_gateway()
    check = gateway.pipeline.verify_layers if gateway is not None else None
    if check is None:
        return _interceptor.verify() if _interceptor is not None else []
    found = check()
    return found if isinstance(found, list) else []


def _locked_refusal(gateway: Gateway, by: str) -> Callable[[str], GovernanceLocked]:
    """How a locked kernel refuses an attempt: a governance.locked record, and the error that names it."""

    def refuse_attempt(attempt: str) -> GovernanceLocked:
        reason = f"Governance of this kernel is locked by the administrator ({by}): {attempt} was refused."
        record = None
        with contextlib.suppress(EvidenceError):  # refused either way
            record = gateway.evidence.record(
                "governance.locked", decision="block", rules=["governance.locked"], attempt=attempt, reason=reason
            )
        return GovernanceLocked(attempt, reason, record, LOCKED_HINT)

    return refuse_attempt


def require_gateway() -> Gateway:
    """The gateway in force, or an error that says how to start one."""
    gateway = active_gateway()
    if gateway is None:
        raise AIGovError("aigov is not enabled: run `%load_ext aigov` in the notebook, or `aigov.enable()`.")
    return gateway


def status() -> dict[str, Any]:
    """What governs this kernel now: policy, user, notebook, evidence log, counts, intercepted libraries."""
    gateway = active_gateway()
    if gateway is None:
        return {"enabled": False}
    return {
        "enabled": True,
        "version": __version__,
        "policy": gateway.session.loaded.source,
        "policy_origin": gateway.session.loaded.origin,
        "policy_sha256": gateway.session.loaded.sha256,
        "on_error": gateway.session.loaded.policy.on_error,
        "user": gateway.session.context.user,
        "notebook": gateway.session.context.notebook,
        "session": gateway.session.context.session,
        "use_case": gateway.session.use_case,
        "evidence_log": str(gateway.evidence.log.path),
        "calls": dict(gateway.pipeline.tally.counts),
        "detection": engine_status(gateway.session.effective.redaction, gateway.plugins.recognizers),
        "detection_state": engine_state(gateway.session.effective.redaction, gateway.plugins.recognizers),
        "answers": gateway.session.effective.redaction.responses,
        "plugins": gateway.plugins.evidence(),
        "budgets": _budget_status(gateway),
        "inventory": {
            "path": str(gateway.inventory.root),
            "require_registered_model": gateway.session.effective.require_registered_model,
        },
        "last_decision": gateway.pipeline.tally.last_decision,
        "intercepting": list(_interceptor.installed) if _interceptor else [],
        "interception_failures": dict(_interceptor.failed) if _interceptor else {},
        "refusing": list(_interceptor.guarded) if _interceptor else [],
        "registry": _registry.status() if _registry is not None else None,
        "locked": _locked_status(),
    }


def _locked_status() -> dict[str, str] | None:
    """Locked mode as status shows it: what locked the kernel, and its user; None when not locked."""
    mode = locked_mode()
    return None if mode is None else {"by": mode.by, "user": mode.user}


def _budget_status(gateway: Gateway) -> dict[str, Any] | None:
    """The budgets in force and what counts against them now; None when no budget is set."""
    budgets = gateway.session.effective.budgets
    if not has_limits(budgets):
        return None
    try:
        spent: dict[str, Any] = gateway.budgets.spent(gateway.session.use_case)
    except Exception as exc:  # status must show, even when the ledger cannot be read
        spent = {"error": f"{type(exc).__name__}: {exc}"}
    return {"limits": budgets.model_dump(exclude_none=True), "spent": spent, "ledger": str(gateway.budgets.path)}


def _record_policy_load(gateway: Gateway, loaded: LoadedPolicy, link: RegistryLink | None) -> None:
    """The `policy.load` record: which policy is in force, its sha256, and what the registry said of it."""
    gateway.evidence.record(
        "policy.load",
        decision="allow",
        reason=f"Policy loaded from {loaded.source}.",
        policy_source=loaded.source,
        policy_sha256=loaded.sha256,
        **({"plugins": gateway.plugins.evidence()} if gateway.plugins.plugins else {}),
        **_registry_fields(link),
    )


def set_use_case(name: str | None) -> None:
    """Declare the use case of the calls that follow (as AIGOV_USE_CASE does at start)."""
    gateway = require_gateway()
    link = _registry
    pulled = link.policy_for(name) if link is not None else None
    changed = pulled is not None and pulled.sha256 != gateway.session.loaded.sha256
    if changed and pulled is not None and list(pulled.policy.plugins) != gateway.plugins.names:
        raise PluginError(
            f"The registry's policy for use case {name!r} lists the plugins {list(pulled.policy.plugins)}, but this "
            f"kernel loaded {gateway.plugins.names}; plugins load with the extension: set AIGOV_USE_CASE={name} "
            "and run `%reload_ext aigov`. The use case was not changed."
        )
    gateway.set_use_case(name, pulled if changed else None)
    inheritance.export(gateway)
    if changed and pulled is not None:
        _record_policy_load(gateway, pulled, link)


def _registry_link(env: Mapping[str, str], *, pull: bool) -> RegistryLink | None:
    """The registry link when AIGOV_REGISTRY_URL is set; its HTTP client is imported only then."""
    if not env.get("AIGOV_REGISTRY_URL", "").strip():
        return None
    from .registry_client.link import RegistryLink

    return RegistryLink.from_env(env, pull=pull)


def _registry_fields(link: RegistryLink | None) -> dict[str, Any]:
    """What the policy.load record says about the registry's policy: pulled, cached, or why not used."""
    if link is None or link.pulled is None:
        return {}
    return {"registry": link.settings.url, "registry_policy": link.pulled.state, "registry_note": link.pulled.message}
