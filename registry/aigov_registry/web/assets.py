"""The pages' stylesheet and icon, served by the application itself (no CDN, nothing else to deploy)."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, Response

router = APIRouter(include_in_schema=False)
_FOLDER = files("aigov_registry.web").joinpath("static")
_CACHED = {"Cache-Control": "public, max-age=3600"}
_CSS = _FOLDER.joinpath("registry.css").read_text(encoding="utf-8")
_ICON = _FOLDER.joinpath("icon.svg").read_text(encoding="utf-8")


@router.get("/static/registry.css")
def stylesheet() -> Response:
    """The stylesheet."""
    return Response(_CSS, media_type="text/css", headers=_CACHED)


@router.get("/static/icon.svg")
def icon() -> Response:
    """The icon browsers show in the tab (without it they ask for /favicon.ico and log a 404)."""
    return Response(_ICON, media_type="image/svg+xml", headers=_CACHED)
