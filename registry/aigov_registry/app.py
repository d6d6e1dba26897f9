"""The composition root: a FastAPI application over one database and one bundle store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aigov_registry import __version__
from aigov_registry.api import admin, bundles, decisions, history, inventory, policy, records, systems
from aigov_registry.api.errors import install_error_handlers
from aigov_registry.body_limit import BodyLimit, limit_for
from aigov_registry.config import Settings
from aigov_registry.db import create_registry_engine, session_factory
from aigov_registry.ingest.store import BundleStore
from aigov_registry.web import router as web_pages

DESCRIPTION = """\
The central registry of jupyter-aigov: signed evidence bundles, the decisions they record, and each team's
inventory of models and assessments.

Every request carries `Authorization: Bearer <token>`; tokens are made with
`aigov-registry token create --team T --role read|submit|admin`. Every read is scoped to the token's team.
"""


@dataclass(frozen=True)
class Registry:
    """What every request works with: the settings, the database and the stored bundles."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: BundleStore


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The registry's application; the database must already be migrated (``aigov-registry db upgrade``)."""
    engine = engine or create_registry_engine(settings.database_url)
    registry = Registry(settings, engine, session_factory(engine), BundleStore(settings.bundle_folder()))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(title="aigov-registry", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.registry = registry
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=limit_for(settings))
    for module in (bundles, decisions, inventory, systems, records, policy, history, admin):
        app.include_router(module.router, prefix="/api/v1")
    app.include_router(web_pages)
    return app
