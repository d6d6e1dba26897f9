"""Export an evidence bundle: stream the logs and the rest into a zipped BagIt bag, attest it, sign it.

Everything streams into the zip in one pass: each log is read once, its chain checked, its records summed up
for the report, its bytes hashed as they are compressed. Memory stays flat however long the logs are. The zip
is written beside its destination and renamed into place at the end: an export lands whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from aigov_core.bundle import layout
from aigov_core.bundle.attestation import build_statement, sign_statement
from aigov_core.bundle.log_copy import CopiedLog, copy_log, excerpt_name
from aigov_core.bundle.signing import SigningKey
from aigov_core.errors import BundleError, EvidenceError
from aigov_core.evidence import utc_now
from jupyter_aigov import __version__
from jupyter_aigov.bundle.archive_writer import BundleWriter
from jupyter_aigov.bundle.environment import environment_report
from jupyter_aigov.bundle.progress import Progress
from jupyter_aigov.bundle.report import render_report
from jupyter_aigov.bundle.scope import ExportScope, Part
from jupyter_aigov.bundle.selection import RecordFilter
from jupyter_aigov.bundle.summary import EvidenceSummary

_JSON_SUFFIX = ".json"


@dataclass(frozen=True)
class ExportedBundle:
    """The bundle written: where, signed by which key, and what it holds."""

    path: Path
    fingerprint: str
    key_path: Path | None
    key_created: bool
    logs: list[dict[str, Any]]
    notebooks: list[dict[str, Any]]
    records: int  # records included, over all logs

    def __str__(self) -> str:
        return (
            f"Evidence bundle written to {self.path}\n"
            f"  {self.records} evidence records from {len(self.logs)} log(s), {len(self.notebooks)} notebook(s)\n"
            f"  signed by {self.fingerprint}"
            + (f" (new key created at {self.key_path})" if self.key_created else "")
            + f"\n  check it with: aigov verify {self.path} --signer {self.fingerprint}"
        )


@dataclass(frozen=True)
class NotebookRedaction:
    """How notebooks are redacted: the detection engine, the entity types, values the kernel already replaced."""

    engine: Any  # a DetectionEngine, ready
    entities: list[str]
    known_values: Mapping[str, str]
    deadline_ms: int


def write_bundle(
    scope: ExportScope,
    output: Path,
    *,
    key: SigningKey,
    key_created: bool,
    record_filter: RecordFilter,
    exported_by: str,
    redaction: NotebookRedaction | None,
    progress: bool,
) -> ExportedBundle:
    """Write the bundle of ``scope`` to ``output`` (a .zip), signed with ``key``."""
    exported_at = utc_now()
    root = output.name.removesuffix(".zip") or "bundle"
    summary = EvidenceSummary()
    total = sum(_size(part.source) for part in scope.logs)
    logs: list[dict[str, Any]] = []
    notebooks: list[dict[str, Any]] = []
    with BundleWriter(output, root) as writer, Progress(total, f"Exporting {scope.title}", enabled=progress) as bar:
        for part in scope.logs:
            logs.append(_write_log(writer, part, record_filter, summary, bar))
        registrations, assessments = _write_inventory(writer, scope.inventory)
        policies = [_write_policy(writer, policy.loaded, policy.name) for policy in scope.policies]
        for part in scope.notebooks:
            notebooks.append(_write_notebook(writer, part, redaction))
        nlp_model = scope.policies[0].loaded.policy.redaction.nlp_model if scope.policies else None
        writer.add_bytes(layout.ENVIRONMENT, _json(environment_report(nlp_model)))
        description = {
            "format": layout.BUNDLE_FORMAT,
            "tool": {"name": "jupyter-aigov", "version": __version__},
            "exported_at": exported_at,
            "exported_by": exported_by,
            "source": str(scope.target),
            "filters": record_filter.describe(),
            "logs": logs,
            "notebooks": notebooks,
            "policies": policies,
            "inventory": {
                "source": str(scope.inventory) if scope.inventory else None,
                "models": len(registrations),
                "assessments": len(assessments),
            },
            "summary": summary.as_dict(),
        }
        writer.add_bytes(layout.BUNDLE_JSON, _json(description))
        report = render_report(
            summary,
            title=f"AI governance evidence: {scope.title}",
            exported_at=exported_at,
            exported_by=exported_by,
            filters=record_filter.describe(),
            logs=logs,
            registrations=registrations,
            assessments=assessments,
            policies=policies,
            notebooks=notebooks,
        )
        writer.add_bytes(layout.REPORT, report.encode("utf-8"))
        _write_tag_files(writer, key, exported_at, exported_by, scope.title)
        predicate = {
            "exported_at": exported_at,
            "exported_by": exported_by,
            "tool": description["tool"],
            "filters": description["filters"],
            "bundle": layout.BUNDLE_JSON,
        }
        statement = build_statement(dict(writer.digests), predicate)
        writer.add_bytes(layout.ATTESTATION, sign_statement(statement, key))
    return ExportedBundle(
        path=output,
        fingerprint=key.fingerprint,
        key_path=key.path,
        key_created=key_created,
        logs=logs,
        notebooks=notebooks,
        records=sum(log["included"] for log in logs),
    )


def default_output(folder: Path, title: str) -> Path:
    """``<folder>/<title>-evidence-<UTC time>.zip``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"{title}-evidence-{stamp}.zip"


def _write_log(
    writer: BundleWriter, part: Part, record_filter: RecordFilter, summary: EvidenceSummary, bar: Progress
) -> dict[str, Any]:
    name = part.name if record_filter.is_empty else excerpt_name(part.name)
    with writer.open_entry(name) as sink:
        copied: CopiedLog = copy_log(
            part.source,
            sink,
            keep=None if record_filter.is_empty else record_filter.matches,
            on_record=lambda record: summary.add(record, name),
            on_progress=bar.update,
        )
    return {
        "path": name,
        "source": str(part.source),
        "kind": copied.kind,
        "records": copied.records,
        "included": copied.included,
        "head_hash": copied.head,
        "unfinished_tail_bytes": copied.unfinished_tail,
    }


def _write_inventory(writer: BundleWriter, inventory: Path | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    registrations: list[dict[str, Any]] = []
    assessments: list[dict[str, Any]] = []
    if inventory is None:
        return registrations, assessments
    for kind, documents in (("models", registrations), ("assessments", assessments)):
        folder = inventory / kind
        for path in sorted(folder.glob(f"*{_JSON_SUFFIX}")) if folder.is_dir() else []:
            data = path.read_bytes()
            try:
                documents.append(json.loads(data))
            except ValueError:
                raise BundleError(
                    f"The inventory document {path} is not valid JSON, so the inventory cannot be bundled. "
                    "Restore it (its history is in changes.jsonl) and export again."
                ) from None
            writer.add_bytes(f"{layout.INVENTORY_PREFIX}{kind}/{path.name}", data)
    changes = inventory / "changes.jsonl"
    if changes.is_file():
        with writer.open_entry(layout.INVENTORY_CHANGES) as sink:
            copy_log(changes, sink)
    return registrations, assessments


def _write_policy(writer: BundleWriter, loaded: Any, name: str) -> dict[str, Any]:
    if loaded.path is None:
        data = resources.files("jupyter_aigov.policy").joinpath("default.yaml").read_bytes()
    else:
        try:
            data = Path(loaded.path).read_bytes()
        except OSError as exc:
            raise BundleError(f"Cannot read the policy file {loaded.path}: {exc.strerror}.") from exc
    sha256 = hashlib.sha256(data).hexdigest()
    writer.add_bytes(name, data)
    return {
        "path": name,
        "source": loaded.source,
        "sha256": sha256,
        # the file may have been edited since the kernel read it: the evidence names the sha256 that was in force
        "in_force_sha256": loaded.sha256,
        "changed_since_loaded": sha256 != loaded.sha256,
    }


def _write_notebook(writer: BundleWriter, part: Part, redaction: NotebookRedaction | None) -> dict[str, Any]:
    from jupyter_aigov.bundle.notebook_redaction import redact_notebook

    try:
        data = part.source.read_bytes()
    except OSError as exc:
        raise BundleError(f"Cannot read the notebook {part.source}: {exc.strerror}.") from exc
    entities: dict[str, int] = {}
    if redaction is not None:
        redacted = redact_notebook(
            data,
            redaction.engine,
            redaction.entities,
            redaction.known_values,
            name=f"The notebook {part.source}",
            deadline_ms=redaction.deadline_ms,
        )
        data, entities = redacted.data, dict(redacted.entities)
    writer.add_bytes(part.name, data)
    return {"path": part.name, "source": str(part.source), "redacted": redaction is not None, "entities": entities}


def _write_tag_files(writer: BundleWriter, key: SigningKey, exported_at: str, exported_by: str, title: str) -> None:
    payload = {name: digest for name, digest in writer.digests.items() if name.startswith(layout.PAYLOAD_PREFIX)}
    payload_bytes = sum(writer.sizes[name] for name in payload)
    writer.add_bytes(layout.BAGIT_TXT, layout.BAGIT_DECLARATION)
    writer.add_bytes(layout.MANIFEST, layout.manifest_text(payload))
    writer.add_bytes(
        layout.BAG_INFO,
        layout.bag_info_text(
            [
                ("Bag-Software-Agent", f"jupyter-aigov {__version__}"),
                ("Bagging-Date", exported_at[:10]),
                ("Bagging-Time", exported_at),
                ("Contact-Name", exported_by),
                ("External-Description", f"AI governance evidence bundle of {title}"),
                ("External-Identifier", f"urn:uuid:{uuid.uuid4()}"),
                ("Payload-Oxum", f"{payload_bytes}.{len(payload)}"),
            ]
        ),
    )
    writer.add_bytes(layout.SIGNER_KEY, key.public_pem())
    tags = {
        name: writer.digests[name] for name in (layout.BAGIT_TXT, layout.BAG_INFO, layout.MANIFEST, layout.SIGNER_KEY)
    }
    writer.add_bytes(layout.TAG_MANIFEST, layout.manifest_text(tags))


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError as exc:
        raise EvidenceError(f"Cannot read the evidence log {path}: {exc.strerror}.") from exc
