"""The Jupyter server extension: REST endpoints under ``aigov/`` for the JupyterLab panel, and rename tracking.

Enabled by ``jupyter server extension enable jupyter_aigov``; the handlers are in ``handlers.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_aigov.server.notebook_state import NotebookStates

CONTENTS_EVENTS = "https://events.jupyter.org/jupyter_server/contents_service/v1"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Where jupyter_server finds this extension."""
    return [{"module": "jupyter_aigov.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Register the handlers and start recording the former names of renamed notebooks."""
    from jupyter_server.utils import url_path_join

    from jupyter_aigov.server.handlers import handlers_for
    from jupyter_aigov.server.notebook_state import NotebookStates

    states = NotebookStates(Path(serverapp.root_dir))
    serverapp.web_app.add_handlers(".*$", handlers_for(serverapp.base_url, states))

    async def on_contents_event(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        if data.get("action") != "rename" or not data.get("source_path") or not data.get("path"):
            return
        try:
            remember_rename(states, str(data["source_path"]), str(data["path"]))
        except Exception as exc:  # a listener that raises would be logged by jupyter_events without context
            serverapp.log.warning("aigov could not record that %s was renamed: %s", data.get("source_path"), exc)

    serverapp.event_logger.add_listener(schema_id=CONTENTS_EVENTS, listener=on_contents_event)
    serverapp.log.info("jupyter_aigov server extension loaded: %s", url_path_join(serverapp.base_url, "aigov/"))


def remember_rename(states: NotebookStates, source_path: str, new_path: str) -> list[str] | None:
    """Record ``source_path`` as a former name of ``new_path`` when it had evidence; return the former names."""
    from jupyter_aigov.server.names import record_rename

    source = states.files(source_path)
    renamed = states.files(new_path)
    if renamed.notebook.is_dir() or not source.existing_logs():
        return None  # a folder moves with its own .aigov; a file without evidence has nothing to carry
    return record_rename(states.root, source_path, new_path)
