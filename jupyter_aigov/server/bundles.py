"""Evidence bundles of one notebook: exported to ``<notebook dir>/.aigov/bundles/``, listed, pushed to the registry."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aigov_core.errors import NoEvidenceError, NoRegistryError
from jupyter_aigov.registry_client.http import RegistrySettings
from jupyter_aigov.registry_client.push import PushResult, push_bundle
from jupyter_aigov.server.notebook_state import NotebookFiles

if TYPE_CHECKING:
    from jupyter_aigov.bundle.export import ExportedBundle

BUNDLE_SUFFIX = ".zip"


def export_notebook(files: NotebookFiles, env: Mapping[str, str]) -> ExportedBundle:
    """Export the notebook's evidence (its own log and those of its former names), redacted notebook, policy and
    inventory as a signed bundle; slow (it redacts the notebook): run it off the event loop."""
    from aigov_core.bundle.signing import signing_key_for
    from jupyter_aigov.bundle.api import redaction_for
    from jupyter_aigov.bundle.export import write_bundle
    from jupyter_aigov.bundle.scope import notebook_logs_scope
    from jupyter_aigov.bundle.selection import record_filter
    from jupyter_aigov.context import acting_user

    logs = files.existing_logs()
    if not logs:
        raise NoEvidenceError(f"No evidence for {files.path} yet: run a cell with %load_ext aigov first.")
    scope = notebook_logs_scope(files.notebook, logs, env)
    key, created = signing_key_for(None, env)
    return write_bundle(
        scope,
        _free_name(files.bundles, scope.title),
        key=key,
        key_created=created,
        record_filter=record_filter(),
        exported_by=acting_user(env),
        redaction=redaction_for(scope, {}) if scope.notebooks else None,
        progress=False,
    )


def bundle_file(files: NotebookFiles, name: str) -> Path | None:
    """The bundle called ``name`` among the notebook's bundles; None when ``name`` is not a plain name of one."""
    if not name or name != Path(name).name or name.startswith(".") or not name.endswith(BUNDLE_SUFFIX):
        return None
    if "/" in name or "\\" in name or "\x00" in name:
        return None
    folder = files.bundles
    file = folder / name
    if not file.is_file() or file.resolve().parent != folder.resolve():  # a link out of the folder is not one
        return None
    return file


def registry_settings(env: Mapping[str, str]) -> RegistrySettings:
    """The registry of the server's AIGOV_REGISTRY_URL (and AIGOV_REGISTRY_TOKEN); NoRegistryError when unset."""
    settings = RegistrySettings.from_env(env)
    if settings is None:
        raise NoRegistryError(
            "No registry configured: set AIGOV_REGISTRY_URL (and AIGOV_REGISTRY_TOKEN) in the environment of "
            "jupyter lab."
        )
    return settings


def push(bundle: Path, settings: RegistrySettings) -> PushResult:
    """Push a bundle to the registry; RegistryError with the registry's reason when it refuses."""
    return push_bundle(bundle, settings)


def _free_name(folder: Path, title: str) -> Path:
    """``<folder>/<title>-evidence-<UTC time>.zip``, numbered when an export in the same second took it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = folder / f"{title}-evidence-{stamp}{BUNDLE_SUFFIX}"
    number = 1
    while os.path.lexists(candidate):  # a dangling link too: writing through it would land where it points
        number += 1
        candidate = folder / f"{title}-evidence-{stamp}-{number}{BUNDLE_SUFFIX}"
    return candidate
