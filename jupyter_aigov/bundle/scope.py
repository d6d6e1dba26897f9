"""What an export takes: the notebooks, their evidence logs, the policies in force and the project's inventory.

`aigov export NOTEBOOK` takes one notebook, its log and its policy; `aigov export FOLDER` every notebook and
log under the folder; in a kernel, `aigov.export_bundle()` takes the notebook the kernel runs. Each file gets a
name inside the bag's ``data/`` folder that mirrors where it lives in the project.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aigov_core.errors import BundleError
from jupyter_aigov.governance import evidence_dir_for
from jupyter_aigov.inventory.location import inventory_dir_for
from jupyter_aigov.policy import LoadedPolicy, discover_policy

EVIDENCE_SUFFIX = ".jsonl"
NOTEBOOK_SUFFIX = ".ipynb"
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^\w .+@()=,-]")  # % and control characters would need escaping in a bag


@dataclass(frozen=True)
class Part:
    """A file of the project and its name in the bag (``data/...``)."""

    source: Path
    name: str


@dataclass(frozen=True)
class PolicyPart:
    """A policy in force and its name in the bag."""

    loaded: LoadedPolicy
    name: str


@dataclass
class ExportScope:
    """Everything an export takes, named as it will be in the bag."""

    target: Path
    title: str  # names the bundle: the notebook's stem or the folder's name
    logs: list[Part] = field(default_factory=list)
    notebooks: list[Part] = field(default_factory=list)
    policies: list[PolicyPart] = field(default_factory=list)
    inventory: Path | None = None


def scope_for(target: Path, env: Mapping[str, str]) -> ExportScope:
    """The scope of `aigov export TARGET`: a notebook, a folder of notebooks, or one evidence log."""
    target = target.expanduser()
    if not target.exists():
        raise BundleError(f"{target} does not exist. Name a notebook (.ipynb), a folder of notebooks, or a log.")
    target = target.resolve()
    if target.is_dir():
        return _folder_scope(target, env)
    if target.suffix == EVIDENCE_SUFFIX:
        return _log_scope(target, env)
    if target.suffix == NOTEBOOK_SUFFIX:
        return _notebook_scope(target, env)
    raise BundleError(f"{target} is neither a notebook (.ipynb), a folder, nor an evidence log (.jsonl).")


def kernel_scope(notebook: Path | None, log: Path, loaded: LoadedPolicy, env: Mapping[str, str]) -> ExportScope:
    """The scope of an export from a kernel: its own log and policy, and its notebook when saved on disk."""
    folder = (notebook.parent if notebook is not None else log.parent).resolve()
    scope = ExportScope(target=notebook or log, title=_stem(notebook or log))
    names = _Names()
    scope.logs.append(Part(log, names.take(f"data/evidence/{log.name}")))
    if notebook is not None and notebook.is_file():
        scope.notebooks.append(Part(notebook, names.take(f"data/notebooks/{notebook.name}")))
    scope.policies.append(PolicyPart(loaded, _policy_name(loaded, folder)))
    scope.inventory = _inventory(folder, env, loaded)
    return scope


def notebook_logs_scope(notebook: Path, logs: Sequence[Path], env: Mapping[str, str]) -> ExportScope:
    """The scope of one notebook whose evidence spans several logs: its own and those of its former names."""
    folder = notebook.parent.resolve()
    loaded = discover_policy(folder, env)
    scope = ExportScope(target=notebook, title=_stem(notebook))
    names = _Names()
    for log in logs:
        scope.logs.append(Part(log, names.take(f"data/evidence/{_safe(log.name)}")))
    if notebook.is_file():
        scope.notebooks.append(Part(notebook, names.take(f"data/notebooks/{_safe(notebook.name)}")))
    scope.policies.append(PolicyPart(loaded, _policy_name(loaded, folder)))
    scope.inventory = _inventory(folder, env, loaded)
    return scope


def _notebook_scope(notebook: Path, env: Mapping[str, str]) -> ExportScope:
    folder = notebook.parent
    log = evidence_dir_for(folder, env) / f"{_stem(notebook)}{EVIDENCE_SUFFIX}"
    if not log.is_file():
        raise BundleError(
            f"There is no evidence for {notebook}: no log at {log}. Run the notebook with `%load_ext aigov` "
            "first, or export the folder that holds its .aigov/evidence."
        )
    loaded = discover_policy(folder, env)
    return kernel_scope(notebook, log, loaded, env)


def _log_scope(log: Path, env: Mapping[str, str]) -> ExportScope:
    folder = log.parent.parent.parent if log.parent.name == "evidence" else log.parent
    notebook = folder / f"{log.stem}{NOTEBOOK_SUFFIX}"
    return kernel_scope(notebook if notebook.is_file() else None, log, discover_policy(folder, env), env)


def _folder_scope(folder: Path, env: Mapping[str, str]) -> ExportScope:
    scope = ExportScope(target=folder, title=folder.name or "project")
    names = _Names()
    notebooks = sorted(_files_under(folder, NOTEBOOK_SUFFIX))
    logs = sorted(_logs_under(folder))
    configured = env.get("AIGOV_EVIDENCE_DIR", "").strip()
    if configured:  # logs kept apart from the project: those of this folder's notebooks
        elsewhere = Path(configured).expanduser()
        logs += [elsewhere / f"{_stem(nb)}{EVIDENCE_SUFFIX}" for nb in notebooks]
        logs = sorted({log.resolve() for log in logs if log.is_file()})
    if not logs:
        raise BundleError(
            f"There is no evidence under {folder}: no .aigov/evidence/*.jsonl. Run its notebooks with "
            "`%load_ext aigov` first."
        )
    for log in logs:
        home = (
            log.parent.parent.parent if log.parent.name == "evidence" and log.parent.parent.name == ".aigov" else None
        )
        relative = _relative(home, folder) if home is not None else None
        prefix = f"data/evidence/{relative}/" if relative else "data/evidence/"
        scope.logs.append(Part(log, names.take(prefix + _safe(log.name))))
    for notebook in notebooks:
        relative = _relative(notebook, folder) or notebook.name
        scope.notebooks.append(Part(notebook, names.take(f"data/notebooks/{relative}")))
    seen: dict[tuple[str, str], PolicyPart] = {}
    for start in sorted({part.source.parent for part in scope.notebooks} or {folder}):
        loaded = discover_policy(start, env)
        key = (loaded.source, loaded.sha256)
        if key not in seen:
            seen[key] = PolicyPart(loaded, names.take(_policy_name(loaded, folder)))
    scope.policies = list(seen.values())
    scope.inventory = _inventory(folder, env, scope.policies[0].loaded)
    return scope


def _inventory(folder: Path, env: Mapping[str, str], loaded: LoadedPolicy) -> Path | None:
    found = inventory_dir_for(folder, env, loaded.path)
    return found if found.is_dir() else None


def _policy_name(loaded: LoadedPolicy, folder: Path) -> str:
    if loaded.path is None:
        return "data/policy/built-in-default.yaml"
    relative = _relative(loaded.path.resolve(), folder)
    if relative:
        return f"data/policy/{relative}"
    return f"data/policy/external/{loaded.sha256[:12]}/{_safe(loaded.path.name)}"


def _files_under(folder: Path, suffix: str) -> Iterator[Path]:
    """Files with ``suffix`` under ``folder``, skipping hidden folders (.ipynb_checkpoints, .git, .aigov)."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(suffix) and not name.startswith("."):
                yield Path(root) / name


def _logs_under(folder: Path) -> Iterator[Path]:
    for root, dirs, _files in os.walk(folder):
        evidence = Path(root) / ".aigov" / "evidence"
        if evidence.is_dir():
            yield from (log.resolve() for log in evidence.glob(f"*{EVIDENCE_SUFFIX}") if log.is_file())
        dirs[:] = [d for d in dirs if not d.startswith(".")]


def _relative(path: Path, folder: Path) -> str | None:
    """``path`` relative to ``folder`` in bag form (safe characters, ``/``), or None when outside it."""
    try:
        parts = path.resolve().relative_to(folder).parts
    except ValueError:
        return None
    return "/".join(_safe(part) for part in parts)


def _safe(name: str) -> str:
    return _UNSAFE_NAME_CHARACTERS.sub("_", name) or "_"


def _stem(path: Path) -> str:
    return path.name.removesuffix(NOTEBOOK_SUFFIX).removesuffix(EVIDENCE_SUFFIX) or "notebook"


class _Names:
    """Bag names already taken; a second file that would get the same name gets a numbered one."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, name: str) -> str:
        candidate, number = name, 1
        while candidate.casefold() in self._taken:
            number += 1
            stem, dot, suffix = name.rpartition(".")
            candidate = f"{stem}-{number}.{suffix}" if dot else f"{name}-{number}"
        self._taken.add(candidate.casefold())
        return candidate
