"""The REST handlers under ``<base_url>/aigov/``: notebook state, export, bundle download, push."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any
from urllib.parse import urlencode

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from aigov_core.errors import AIGovError, BundleError, NoEvidenceError, NoRegistryError, RegistryError
from jupyter_aigov.server.bundles import (
    bundle_file,
    export_notebook,
    push,
    registry_settings,
)
from jupyter_aigov.server.notebook_state import NotebookFiles, NotebookStates, etag_for
from jupyter_aigov.server.paths import LinkOutOfRootError, OutsideRootError

PATH_HELP = "path (the notebook's path relative to the server root)"
_CHUNK = 1 << 20


class AigovHandler(APIHandler):
    """What every aigov handler shares: the notebook states, and turning a contents path into its files."""

    auth_resource = "contents"  # these answers are made from the notebooks' files and their evidence

    def initialize(self, states: NotebookStates) -> None:
        self.states = states

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A refusal's message as the JSON {"message", "reason"} of APIHandler, its "%" kept as written."""
        error = (kwargs.get("exc_info") or (None, None, None))[1]
        if isinstance(error, web.HTTPError) and error.args and error.log_message:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"message": error.log_message % error.args, "reason": error.reason}))
            return
        super().write_error(status_code, **kwargs)

    def notebook_files(self, path: str | None, where: str) -> NotebookFiles:
        """The files behind ``path``; 400 when it is missing, 404 when it leaves the server root, 403 when a file
        aigov would read or write for it is a link out of the root."""
        if not path:
            raise refusal(400, f"Missing {where}: {PATH_HELP}")
        try:
            return self.states.files(path)
        except LinkOutOfRootError as exc:
            raise refusal(403, f"Refused for {path}: {exc}") from None
        except OutsideRootError:
            raise refusal(
                404, f"No notebook at {path!r} under the server root: give a path relative to the root."
            ) from None

    def body_path(self) -> str | None:
        """The ``path`` field of a JSON body."""
        body = self.get_json_body() or {}
        path = body.get("path") if isinstance(body, dict) else None
        return path if isinstance(path, str) else None

    async def export(self, files: NotebookFiles) -> Any:
        """Export off the event loop; errors become HTTP errors with the exporter's own message."""
        try:
            return await asyncio.to_thread(export_notebook, files, os.environ)
        except NoEvidenceError as exc:
            raise refusal(404, str(exc)) from None
        except BundleError as exc:
            raise refusal(409, str(exc)) from None
        except AIGovError as exc:  # e.g. an invalid policy file next to the notebook
            raise refusal(422, str(exc)) from None

    def download_link(self, files: NotebookFiles, name: str) -> str:
        return "aigov/bundle?" + urlencode({"path": files.path, "name": name})


class NotebookStateHandler(AigovHandler):
    """GET aigov/notebook?path=P: the NotebookState, with an ETag; 304 when nothing it depends on changed."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        files = self.notebook_files(self.get_query_argument("path", None), "query parameter")
        etag = etag_for(files, os.environ)
        self.set_header("ETag", etag)
        self.set_header("Cache-Control", "no-cache")  # revalidate each time: the ETag makes that cheap
        if etag in _tags(self.request.headers.get("If-None-Match", "")):
            self.set_status(304)
            await self.finish()
            return
        state = await asyncio.to_thread(self.states.state, files)
        await self.finish(json.dumps(state))


class ExportHandler(AigovHandler):
    """POST aigov/export {"path": P}: write a bundle of the notebook's evidence; 201 with its download link."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        files = self.notebook_files(self.body_path(), "field in the JSON body")
        exported = await self.export(files)
        name = exported.path.name
        self.set_status(201)
        await self.finish(
            json.dumps(
                {
                    "bundle": name,
                    "download": self.download_link(files, name),
                    "records": exported.records,
                    "signer": exported.fingerprint,
                }
            )
        )


class BundleHandler(AigovHandler):
    """GET aigov/bundle?path=P&name=N: one of the notebook's bundles, streamed as an attachment."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        files = self.notebook_files(self.get_query_argument("path", None), "query parameter")
        name = self.get_query_argument("name", "")
        bundle = bundle_file(files, name)
        if bundle is None:
            raise refusal(404, f"No bundle named {name!r} for {files.path}: export one first (POST aigov/export).")
        self.set_header("Content-Type", "application/zip")
        self.set_header("Content-Disposition", f'attachment; filename="{bundle.name}"')
        self.set_header("Content-Length", str(bundle.stat().st_size))
        with open(bundle, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                self.write(chunk)
                await self.flush()
        await self.finish()


class PushHandler(AigovHandler):
    """POST aigov/push {"path": P}: export, then push the bundle to the server's registry."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        files = self.notebook_files(self.body_path(), "field in the JSON body")
        try:
            settings = registry_settings(os.environ)  # refuse before the (slow) export
        except NoRegistryError as exc:
            raise refusal(409, str(exc)) from None
        exported = await self.export(files)
        try:
            result = await asyncio.to_thread(push, exported.path, settings)
        except RegistryError as exc:
            raise refusal(502, f"The registry did not take the bundle: {exc}") from None
        self.set_status(201 if result.created else 200)
        await self.finish(
            json.dumps(
                {
                    "status": "stored" if result.created else "already held",
                    "id": result.bundle_id,
                    "url": result.page_url,
                    "api_url": result.api_url,
                    "bundle": exported.path.name,
                    "download": self.download_link(files, exported.path.name),
                }
            )
        )


def refusal(status: int, message: str) -> web.HTTPError:
    """An HTTP error whose message is shown as is (tornado reads a bare message as a %-format)."""
    return web.HTTPError(status, "%s", message)


def _tags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header (weak ones compared by their opaque part)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def handlers_for(base_url: str, states: NotebookStates) -> list[tuple[str, type[AigovHandler], dict[str, Any]]]:
    """The URL routes of the extension under ``base_url``."""
    routes = {"notebook": NotebookStateHandler, "export": ExportHandler, "bundle": BundleHandler, "push": PushHandler}
    return [(url_path_join(base_url, "aigov", name), handler, {"states": states}) for name, handler in routes.items()]
