"""What the notebook panel polls: one notebook's evidence, policy, inventory and registry, with an ETag.

The ETag is made from the size and mtime of every file the answer depends on, so a poll that finds
nothing changed only stat()s files and answers 304.
"""

from __future__ import annotations

import hashlib
import heapq
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from aigov_core.errors import AIGovError
from jupyter_aigov import __version__
from jupyter_aigov.governance import evidence_dir_for
from jupyter_aigov.inventory.location import inventory_dir_for
from jupyter_aigov.policy.discover import DEFAULT_SOURCE, POLICY_ENV, discover_policy, find_policy_file
from jupyter_aigov.registry_client.http import RegistrySettings
from jupyter_aigov.server.log_summary import MAX_DECISIONS, LogSummaries, LogView
from jupyter_aigov.server.names import former_paths, names_file_for
from jupyter_aigov.server.paths import file_under_root, kept_in_root, notebook_stem, root_relative

EVIDENCE_SUFFIX = ".jsonl"
BUNDLES_DIR = Path(".aigov") / "bundles"


@dataclass(frozen=True)
class NotebookFiles:
    """The files one notebook's answer depends on."""

    path: str  # the contents-API path asked about
    notebook: Path
    logs: list[Path]  # its own log first, then those of its former names; some may not exist
    former_paths: list[str]
    names_file: Path
    policy_file: Path | None
    inventory: Path
    bundles: Path  # where its bundles are written

    def existing_logs(self) -> list[Path]:
        """The logs that exist on disk."""
        return [log for log in self.logs if log.is_file()]


def log_for(notebook: Path, env: Mapping[str, str]) -> Path:
    """The log a kernel running ``notebook`` writes: named after its stem, beside it or in AIGOV_EVIDENCE_DIR."""
    return evidence_dir_for(notebook.parent, env) / f"{notebook_stem(notebook)}{EVIDENCE_SUFFIX}"


def notebook_files(root: Path, path: str, env: Mapping[str, str]) -> NotebookFiles:
    """The files behind contents path ``path``; OutsideRootError when it, or any file read or written for it
    (evidence, policy, inventory, names, bundles), leaves ``root`` (LinkOutOfRootError: through a link)."""
    notebook = file_under_root(root, path)
    names_file = kept_in_root(root, names_file_for(notebook), "The folder's names file")
    formers = former_paths(root, path)
    logs: dict[Path, None] = {kept_in_root(root, log_for(notebook, env), "The notebook's evidence log"): None}
    for former in formers:
        try:
            logs.setdefault(kept_in_root(root, log_for(file_under_root(root, former), env), "A log"), None)
        except ValueError:  # a names file edited by hand to point outside the root: ignored
            continue
    policy_file = _policy_file(notebook.parent, env)
    if policy_file is not None:
        kept_in_root(root, policy_file, "The notebook's policy file")
    inventory = _inventory(root, inventory_dir_for(notebook.parent, env, policy_file))
    return NotebookFiles(
        path=path,
        notebook=notebook,
        logs=list(logs),
        former_paths=formers,
        names_file=names_file,
        policy_file=policy_file,
        inventory=inventory,
        bundles=kept_in_root(root, notebook.parent / BUNDLES_DIR, "The notebook's bundles folder"),
    )


def _inventory(root: Path, folder: Path) -> Path:
    """The inventory folder, once it and every file in it (a few dozen documents) are found to stay in the root."""
    kept_in_root(root, folder, "The inventory folder")
    pending = [folder] if Path(os.path.abspath(folder)).is_relative_to(root) else []
    while pending:
        current = pending.pop()
        for entry in current.iterdir() if current.is_dir() else ():
            kept_in_root(root, entry, "An inventory file")
            if entry.is_dir() and not entry.is_symlink():
                pending.append(entry)
    return folder


def etag_for(files: NotebookFiles, env: Mapping[str, str]) -> str:
    """A strong ETag over the extension version, the registry setting and the (size, mtime) of every file used."""
    digest = hashlib.sha256(f"{__version__}\0{env.get('AIGOV_REGISTRY_URL', '')}".encode())
    watched = [*files.logs, files.names_file, files.policy_file, files.inventory / "changes.jsonl"]
    watched += [files.inventory / "models", files.inventory / "assessments"]  # a document added or replaced
    for file in watched:
        try:
            stat = os.stat(file) if file is not None else None
        except OSError:
            stat = None
        digest.update(f"\0{file}\0{stat.st_size if stat else -1}\0{stat.st_mtime_ns if stat else -1}".encode())
    return f'"{digest.hexdigest()[:40]}"'


class NotebookStates:
    """Answers for the notebooks of one server root, reading each log incrementally."""

    def __init__(self, root: Path) -> None:
        self.root = root.expanduser().resolve()
        self.summaries = LogSummaries()

    def files(self, path: str, env: Mapping[str, str] | None = None) -> NotebookFiles:
        """The files behind ``path`` (see :func:`notebook_files`)."""
        return notebook_files(self.root, path, os.environ if env is None else env)

    def state(self, files: NotebookFiles, env: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The NotebookState of the API (a JSON-safe dict); reads only what was appended since the last call."""
        env = os.environ if env is None else env
        views = [self.summaries.current(log) for log in files.existing_logs()]
        views = [view for view in views if view.records]
        newest = max(views, key=lambda view: view.last_ts or "", default=None)
        # each log is in its own order already: merge them by time without reordering any one of them
        decisions = list(heapq.merge(*(view.decisions for view in views), key=_by_time))[-MAX_DECISIONS:]
        blocks = [view.last_block for view in views if view.last_block]
        registry = RegistrySettings.from_env(env)
        models, models_error = _models(files)
        return {
            "path": files.path,
            "governed": bool(views),
            "kernel_extension": bool(newest and newest.kernel_extension),
            "evidence": {
                "logs": [root_relative(self.root, view.path) for view in views],
                "records": sum(view.records for view in views),
                "last_seq": newest.last_seq if newest else None,
                "last_ts": newest.last_ts if newest else None,
            },
            "policy": self._policy(files, views, newest, env),
            "counts": {key: sum(view.counts[key] for view in views) for key in _COUNT_KEYS},
            "last_decision": decisions[-1] if decisions else None,
            "last_block": max(blocks, key=_by_time) if blocks else None,
            "decisions": decisions,
            "decisions_total": sum(view.decisions_total for view in views),
            "models": models,
            "models_error": models_error,
            "registry": {"configured": registry is not None, "url": registry.url if registry else None},
            "former_paths": files.former_paths,
        }

    def _policy(
        self, files: NotebookFiles, views: list[LogView], newest: LogView | None, env: Mapping[str, str]
    ) -> dict[str, Any]:
        loads = [view.policy_load for view in views if view.policy_load]
        use_case = newest.use_case if newest else None
        if loads:
            latest = max(loads, key=_by_time)
            source = str(latest.get("policy_source") or DEFAULT_SOURCE)
            return {**self._policy_file_fields(source), "sha256": latest.get("policy_sha256"), "origin": "evidence",
                    "use_case": use_case, "error": None}  # fmt: skip
        try:
            loaded = discover_policy(files.notebook.parent, env)
        except AIGovError as exc:  # an invalid aigov.yaml: say so, the panel shows it
            source = str(files.policy_file or DEFAULT_SOURCE)
            return {**self._policy_file_fields(source), "sha256": None, "origin": "discovered", "use_case": None,
                    "error": str(exc)}  # fmt: skip
        origin = "default" if loaded.path is None else "discovered"
        return {**self._policy_file_fields(loaded.source), "sha256": loaded.sha256, "origin": origin,
                "use_case": env.get("AIGOV_USE_CASE", "").strip() or None, "error": None}  # fmt: skip

    def _policy_file_fields(self, source: str) -> dict[str, Any]:
        if source == DEFAULT_SOURCE:
            return {"name": DEFAULT_SOURCE, "path": None}
        file = Path(source)
        relative = root_relative(self.root, file)
        return {"name": file.name, "path": None if relative == str(file) else relative}


_COUNT_KEYS = ("calls", "allowed", "redacted", "blocked", "redactions", "tool_calls", "tool_blocks")


def _by_time(row: dict[str, Any]) -> str:
    return str(row.get("ts") or "")


def _policy_file(notebook_dir: Path, env: Mapping[str, str]) -> Path | None:
    named = env.get(POLICY_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    home = Path(env.get("HOME", "") or Path.home()).expanduser().resolve()
    try:
        return find_policy_file(notebook_dir.resolve(), home)
    except AIGovError:  # aigov.yaml beside aigov.yml: discover_policy reports it in the answer
        return None


def _models(files: NotebookFiles) -> tuple[list[dict[str, Any]], str | None]:
    """The inventory that applies to the notebook as JSON-safe rows, and why it could not be read (else None)."""
    if not files.inventory.is_dir():
        return [], None
    from jupyter_aigov.inventory.api import inventory_rows
    from jupyter_aigov.inventory.store import Inventory

    try:
        return [_json_safe(row) for row in inventory_rows(Inventory(files.inventory))], None
    except (AIGovError, OSError, ValueError) as exc:
        return [], str(exc)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(item) for item in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
