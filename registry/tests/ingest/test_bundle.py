"""Ingest, called directly: a failure after the file is placed takes the file away again, unless it is shared."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from aigov_registry.config import Settings
from aigov_registry.db import session_factory
from aigov_registry.ingest.bundle import ingest_bundle
from aigov_registry.ingest.store import BundleStore
from aigov_registry.ingest.upload import Upload
from aigov_registry.tokens import caller_for, create_token
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from ..conftest import Stored
from ..projects import Project


def _failing_commits(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose commit fails, as a database that goes away at the last moment would make it."""
    sessions = session_factory(engine)

    def fail(_session: Session) -> None:
        raise RuntimeError("the commit failed")

    event.listen(sessions, "before_commit", fail)
    return sessions


def _upload(bundle: Path, folder: Path) -> Upload:
    copy = folder / f"upload-{bundle.name}.part"
    shutil.copy(bundle, copy)
    data = bundle.read_bytes()
    return Upload(copy, hashlib.sha256(data).hexdigest(), len(data))


def _caller(engine: Engine, team: str):
    sessions = session_factory(engine)
    with sessions.begin() as session:
        token = create_token(session, team, "submit")
    with sessions() as session:
        return caller_for(session, token)


def test_when_the_transaction_fails_after_the_file_is_placed_then_no_row_and_no_file_remain(
    project: Project, tmp_path: Path, engine: Engine, settings: Settings, stored
):
    project.record(5)
    bundle = project.export(tmp_path / "audit.zip")
    store = BundleStore(settings.bundle_folder())
    store.incoming.mkdir(parents=True)
    caller, upload = _caller(engine, "a"), _upload(bundle, store.incoming)

    with pytest.raises(RuntimeError, match="the commit failed"):
        ingest_bundle(_failing_commits(engine), store, caller, upload, settings.archive_limits())

    assert stored() == Stored(0, 0, 0, 0, 0)


def test_when_the_failed_bundle_is_another_teams_too_then_its_file_stays(
    project: Project, tmp_path: Path, engine: Engine, settings: Settings, stored
):
    project.record(5)
    bundle = project.export(tmp_path / "audit.zip")
    sessions, limits = session_factory(engine), settings.archive_limits()
    store = BundleStore(settings.bundle_folder())
    store.incoming.mkdir(parents=True)
    kept = ingest_bundle(sessions, store, _caller(engine, "a"), _upload(bundle, store.incoming), limits)
    caller, upload = _caller(engine, "b"), _upload(bundle, store.incoming)

    with pytest.raises(RuntimeError, match="the commit failed"):
        ingest_bundle(_failing_commits(engine), store, caller, upload, limits)

    assert stored() == Stored(bundles=1, decisions=5, models=0, assessments=0, files=1)
    assert store.exists(kept.bundle.stored_path)
