"""The registry's web pages: server-rendered HTML over the API's own queries, scoped to the signed-in team."""

from __future__ import annotations

from fastapi import APIRouter

from aigov_registry.web import assets, bundles, decisions, inventory, signin

router = APIRouter(include_in_schema=False)
for _pages in (signin, inventory, decisions, bundles, assets):
    router.include_router(_pages.router)
