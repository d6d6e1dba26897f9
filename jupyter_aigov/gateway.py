"""One kernel's governance: its session, the evidence it writes, the pipeline its AI calls go through, its budgets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .context import RunContext, kernel_id
from .evidence import EvidenceLog
from .evidence.recorder import EvidenceRecorder
from .inventory.project import ProjectInventory
from .pipeline.flow import Pipeline
from .plugins import NO_PLUGINS, LoadedPlugins
from .policy import LoadedPolicy
from .session import Session
from .spend.guard import BudgetGuard
from .state import sealed_setattr

if TYPE_CHECKING:
    from .inventory.store import Inventory


class Gateway:
    """Governs the AI calls of one kernel under one policy: what the interceptor binds, and `%aigov` reads.

    `session` holds who and under which policy and use case; `evidence` writes the records; `pipeline` decides on
    each call; `budgets` is the spending ledger; `projects` opens the project's model inventory on first use.
    In a locked kernel none of them can be rebound, nor can one be added.
    """

    __slots__ = (
        "__weakref__",
        "budgets",
        "evidence",
        "evidence_dir",
        "kernel",
        "pipeline",
        "plugins",
        "projects",
        "session",
    )
    __setattr__ = sealed_setattr()

    def __init__(
        self,
        loaded: LoadedPolicy,
        context: RunContext,
        evidence_dir: Path,
        use_case: str | None,
        session_user: str | None = None,
        ledger_dir: Path | None = None,
        plugins: LoadedPlugins = NO_PLUGINS,
    ):
        self.evidence_dir = evidence_dir
        # the kernel this governance descends from: this one's id, or the one a child inherited (inheritance.py)
        self.kernel = kernel_id() or (context.parent or {}).get("kernel")
        self.plugins = plugins  # the policy's plugins: catalogue entries, checks and recognizers, record sinks
        self.session = Session(loaded, context, use_case)
        self.evidence = EvidenceRecorder(EvidenceLog(evidence_dir / f"{context.stem}.jsonl"), self._common_fields)
        self.budgets = BudgetGuard(
            ledger_dir or evidence_dir, kernel_id() or context.session, context.user, session_user
        )
        # the policy file that marks the project folder (the inventory's home); a registry policy is not one
        self.projects = ProjectInventory(context.notebook_dir, loaded.path)
        self.pipeline = Pipeline(
            self.session,
            self.evidence,
            self.budgets,
            self.projects,
            plugins.catalogue,  # the built-in one, with what the plugins add
            plugins.checks,
            plugins.recognizers,
        )
        if (feed := plugins.sink_feed(self.evidence.record_later)) is not None:
            self.evidence.listeners.append(feed)  # the plugins' record sinks see every record, from the first

    def _common_fields(self) -> dict[str, Any]:
        context = self.session.context
        fields: dict[str, Any] = {
            "session": context.session,
            "user": context.user,
            "notebook": context.notebook,
            "use_case": self.session.use_case,
        }
        if context.parent is not None:  # a child process of a governed kernel says whose child it is
            fields["parent"] = dict(context.parent)
        return fields

    @property
    def inventory(self) -> Inventory:
        """The model inventory of this notebook's project."""
        return self.projects.inventory

    def set_use_case(self, name: str | None, policy: LoadedPolicy | None = None) -> None:
        """Declare the use case for the calls that follow (under ``policy`` when given), and record the change."""
        self.session.set_use_case(name, policy)
        self.evidence.record("use_case.set", decision="allow", reason=f"Use case set to {name!r}.")

    def after_fork(self, parent_pid: int) -> None:
        """In a forked child: its own session id, whose child it is, and none of the parent's queued records."""
        self.session.after_fork(parent_pid, self.kernel)
        self.evidence.after_fork()

    def close(self) -> None:
        """Stop deciding, then flush and close the log, the budget ledger and the inventory."""
        self.pipeline.in_force = False
        try:
            self.evidence.close()
        finally:
            self.budgets.close()
            self.projects.close()
