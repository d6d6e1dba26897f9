"""`aigov.export_bundle()` and what `aigov export` / `%aigov export` run: pick the scope, the key, and write."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from aigov_core.errors import BundleError

if TYPE_CHECKING:
    from jupyter_aigov.bundle.export import ExportedBundle, NotebookRedaction
    from jupyter_aigov.bundle.scope import ExportScope

# Redacting notebooks for an audit is not on a call's path: give detection all the time it needs.
EXPORT_DETECTION_DEADLINE_MS = 600_000
MODEL_LOAD_TIMEOUT_S = 300.0


class ExportOptions(TypedDict, total=False):
    """What to export and how: the keywords of :func:`export_bundle` after its path."""

    source: str | os.PathLike[str] | None  # another notebook, folder or log than this kernel's
    since: str | date | datetime | None  # keep records from this time (inclusive)
    until: str | date | datetime | None  # ... to this time (exclusive)
    use_case: str | None  # keep records of this use case
    model: str | None  # keep calls to models matching this glob (model or provider/model)
    redact_notebooks: bool  # replace personal data and secrets in the notebooks first (default True)
    key: str | os.PathLike[str] | None  # sign with this Ed25519 key instead of your own
    progress: bool  # show a progress bar (default True)


def export_bundle(path: str | os.PathLike[str] | None = None, **options: Unpack[ExportOptions]) -> Path:
    """Write a signed evidence bundle (a zipped BagIt bag) and return its path.

    In a governed kernel it takes this notebook's evidence, notebook, policy and inventory; ``source`` names
    another notebook, folder or log instead. Filters keep records from ``since`` (inclusive) to ``until``
    (exclusive), of ``use_case``, calling a model matching the glob ``model``.

    >>> aigov.export_bundle(since="2026-11-01", use_case="churn-analysis")  # doctest: +SKIP
    PosixPath('.../churn-evidence-20261125T101500Z.zip')
    """
    return export(path, **options).path


def export(
    path: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    **options: Unpack[ExportOptions],
) -> ExportedBundle:
    """Like :func:`export_bundle`, returning what was written (path, signer, counts)."""
    from aigov_core.bundle.signing import signing_key_for
    from jupyter_aigov.bundle.export import default_output, write_bundle
    from jupyter_aigov.bundle.selection import record_filter
    from jupyter_aigov.context import acting_user

    env = os.environ if env is None else env
    selection = record_filter(options.get("since"), options.get("until"), options.get("use_case"), options.get("model"))
    scope, known_values, default_folder = _scope(options.get("source"), env)
    output = Path(path).expanduser() if path is not None else default_output(default_folder, scope.title)
    if output.suffix != ".zip":
        raise BundleError(f"The bundle is a zip file: name it with .zip (got {output}).")
    if output.exists():
        raise BundleError(f"{output} already exists. Name another file, or move that one away first.")
    signing_key, created = signing_key_for(options.get("key"), env)
    redacting = options.get("redact_notebooks", True) and scope.notebooks
    redaction = redaction_for(scope, known_values) if redacting else None
    return write_bundle(
        scope,
        output,
        key=signing_key,
        key_created=created,
        record_filter=selection,
        exported_by=acting_user(env),
        redaction=redaction,
        progress=options.get("progress", True),
    )


def _scope(source: str | os.PathLike[str] | None, env: Mapping[str, str]) -> tuple[ExportScope, dict[str, str], Path]:
    """The scope, the values this kernel already redacted (to scrub from notebooks), the default folder."""
    from jupyter_aigov.bundle.scope import kernel_scope, scope_for
    from jupyter_aigov.state import active_gateway

    gateway = active_gateway()
    if source is not None:
        scope = scope_for(Path(source), env)
        known = gateway.pipeline.vault.known_values() if gateway is not None else {}
        folder = Path.cwd()
        return scope, known, folder
    if gateway is None:
        raise BundleError(
            "Nothing to export: aigov is not governing this kernel. Run `%load_ext aigov` first, or name what "
            "to export: aigov.export_bundle(source='analysis.ipynb')."
        )
    gateway.evidence.flush()
    context = gateway.session.context
    notebook = context.notebook_dir / Path(context.notebook).name
    notebook = notebook if notebook.suffix == ".ipynb" else notebook.with_suffix(".ipynb")
    scope = kernel_scope(
        notebook if notebook.is_file() else None, gateway.evidence.log.path, gateway.session.loaded, env
    )
    return scope, gateway.pipeline.vault.known_values(), gateway.evidence.log.path.parent.parent / "bundles"


def redaction_for(scope: ExportScope, known_values: dict[str, str]) -> NotebookRedaction:
    """The detection engine of the first policy in force (the kernel's own, when it runs one), ready."""
    from jupyter_aigov.bundle.export import NotebookRedaction
    from jupyter_aigov.bundle.notebook_redaction import entities_to_redact
    from jupyter_aigov.plugins import load_plugins
    from jupyter_aigov.redaction.transit import engine_for

    loaded = scope.policies[0].loaded
    section = loaded.policy.redaction
    # the policy's plugins' recognizers too: an entity they find is redacted in the notebooks as in the prompts
    engine = engine_for(section, load_plugins(loaded.policy.plugins, loaded.source).recognizers)
    if not engine.wait_ready(MODEL_LOAD_TIMEOUT_S):
        raise BundleError(
            f"Notebooks cannot be redacted: {engine.status()} Try again, or export with redact_notebooks=False "
            "(--no-redact-notebooks) to include them as they are."
        )
    return NotebookRedaction(engine, entities_to_redact(section), known_values, EXPORT_DETECTION_DEADLINE_MS)
