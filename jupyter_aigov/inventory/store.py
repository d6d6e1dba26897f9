"""The local inventory: one JSON document per registration and assessment, every change on a hash-chained log.

Layout of `.aigov/inventory/`::

    models/<model id>.json            ModelRegistration
    assessments/<assessment id>.json  Assessment (one per model and framework; its history is in the log)
    changes.jsonl                     who changed what, when (an EvidenceLog: tamper-evident)
    .lock                             held while a change is read, checked and written

A change is written in this order, under the lock: the new document to a temporary file (synced), the
change record to the log (synced), then the temporary file renamed over the document. A failure before the
rename leaves the document as it was; the rename itself is atomic, so a reader sees the old or the new
document, never part of one. Writers in several kernels and processes are serialised by the lock.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from aigov_core.errors import EvidenceError, InventoryError
from aigov_core.evidence import utc_now
from aigov_core.inventory.records import Assessment, ModelRegistration
from jupyter_aigov.evidence import EvidenceLog
from jupyter_aigov.evidence.locking import lock, sync, sync_directory, unlock
from jupyter_aigov.inventory.problems import field_problems

Document = TypeVar("Document", ModelRegistration, Assessment)
BOOKKEEPING = frozenset(
    {"revision", "registered_by", "registered_at", "updated_by", "updated_at", "created_by", "created_at", "decided_at"}
)


def document_bytes(document: BaseModel) -> bytes:
    """A document as stored: indented JSON, keys in schema order, one trailing newline."""
    return (json.dumps(document.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode()


def changed_fields(before: BaseModel | None, after: BaseModel) -> dict[str, dict[str, Any]]:
    """{field: {"from": old, "to": new}} for each field that differs, bookkeeping left out."""
    old = before.model_dump(mode="json") if before is not None else {}
    new = after.model_dump(mode="json")
    return {
        key: {"from": old.get(key), "to": value}
        for key, value in new.items()
        if key not in BOOKKEEPING and key not in ("kind", "schema_version") and old.get(key) != value
    }


class Inventory:
    """The registrations and assessments of one project folder.

    >>> inventory = Inventory(Path(".aigov/inventory"))   # doctest: +SKIP
    >>> [model.id for model in inventory.models()]        # doctest: +SKIP
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.models_dir = root / "models"
        self.assessments_dir = root / "assessments"
        self.changes = EvidenceLog(root / "changes.jsonl")
        self._thread_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Inventory({str(self.root)!r})"

    # -- reading ------------------------------------------------------------------------------------
    def models(self) -> list[ModelRegistration]:
        """Every registration, by id."""
        return [self._read(path, ModelRegistration) for path in _documents(self.models_dir)]

    def assessments(self, model_id: str | None = None) -> list[Assessment]:
        """Every assessment (of one model when given), by id."""
        found = [self._read(path, Assessment) for path in _documents(self.assessments_dir)]
        return [item for item in found if model_id is None or item.model_id == model_id]

    def find_model(self, model_id: str) -> ModelRegistration | None:
        """The registration with this id, or None."""
        return self._read_if_present(self.models_dir, model_id, ModelRegistration)

    def model(self, model_id: str) -> ModelRegistration:
        """The registration with this id; an error naming the close ones when there is none."""
        found = self.find_model(model_id)
        if found is not None:
            return found
        known = [path.stem for path in _documents(self.models_dir)]
        close = difflib.get_close_matches(model_id, known, n=1)
        suggestion = f" Did you mean '{close[0]}'?" if close else ""
        listed = ", ".join(known) if known else "none yet"
        raise InventoryError(
            f"No model '{model_id}' is registered in {self.root} (registered: {listed}).{suggestion} "
            "Register it first with aigov.register_model().",
            {"model_id": "is not registered"},
        )

    def find_assessment(self, assessment_id: str) -> Assessment | None:
        """The assessment with this id, or None."""
        return self._read_if_present(self.assessments_dir, assessment_id, Assessment)

    def version_key(self) -> tuple[int, int, int]:
        """Changes whenever a document is written: the log grows, and renames touch the folders."""
        return (_stat_key(self.changes.path, size=True), _stat_key(self.models_dir), _stat_key(self.assessments_dir))

    # -- writing ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the inventory's lock: read, check and write one change with no other writer in between."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InventoryError(
                f"The inventory folder {self.root} cannot be written ({exc.strerror}). Make it writable, or set "
                "AIGOV_INVENTORY_DIR to a folder you can write."
            ) from exc
        with self._thread_lock:
            lock(fd)
            try:
                yield
            finally:
                unlock(fd)
                os.close(fd)

    def write(self, document: Document, event: str, changes: dict[str, Any], **fields: Any) -> Document:
        """Store a document and its change record; call while holding `locked()`."""
        folder = self.models_dir if isinstance(document, ModelRegistration) else self.assessments_dir
        target = folder / f"{document.id}.json"
        data = document_bytes(document)
        temporary = folder / f".{document.id}.json.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_synced(temporary, data)
            self.changes.append(
                {
                    "event": event,
                    "kind": document.kind,
                    "id": document.id,
                    "revision": document.revision,
                    "changes": changes,
                    "document_sha256": hashlib.sha256(data).hexdigest(),
                    **fields,
                }
            )
            os.replace(temporary, target)
            sync_directory(str(folder))
        except (OSError, EvidenceError) as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise InventoryError(
                f"Could not store {document.kind} '{document.id}' in {self.root}: {exc}. Nothing was changed; "
                "fix the cause (disk space, permissions) and submit again."
            ) from exc
        return document

    def close(self) -> None:
        """Close the change log."""
        self.changes.close()

    # -- internals ----------------------------------------------------------------------------------
    def _read_if_present(self, folder: Path, document_id: str, kind: type[Document]) -> Document | None:
        path = folder / f"{document_id}.json"
        if "/" in document_id or "\\" in document_id or not path.is_file():
            return None
        return self._read(path, kind)

    def _read(self, path: Path, kind: type[Document]) -> Document:
        try:
            return kind.model_validate_json(path.read_bytes())
        except OSError as exc:
            raise InventoryError(f"Cannot read {path}: {exc.strerror}.") from exc
        except ValidationError as exc:
            listed = "; ".join(f"{field} {message}" for field, message in field_problems(exc).items())
            raise InventoryError(
                f"{path} is not a valid {kind.__name__}: {listed}. Restore it from version control, or fix it "
                f"(its history is in {self.changes.path}).",
                field_problems(exc),
            ) from exc


def now() -> str:
    """The time stamps documents carry (UTC, RFC 3339)."""
    return utc_now()


def _documents(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.json") if not path.name.startswith("."))


def _stat_key(path: Path, size: bool = False) -> int:
    try:
        status = path.stat()
    except FileNotFoundError:
        return -1
    return status.st_size if size else status.st_mtime_ns


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        sync(fd)
    finally:
        os.close(fd)
