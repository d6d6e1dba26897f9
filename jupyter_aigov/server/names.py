"""The names a notebook had before a rename: ``<notebook dir>/.aigov/names.json``, {new path: [former paths]}.

Paths are contents-API paths (relative to the server root). A kernel started before a rename keeps writing
to the log named after the former name, so the notebook's evidence is its own log plus those of its former
names; this file is how the server remembers them.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path, PurePosixPath

from jupyter_aigov.server.paths import OutsideRootError, file_under_root

NAMES_FILE = Path(".aigov") / "names.json"

_lock = threading.RLock()  # _update reads the file while holding it
_parsed: dict[Path, tuple[tuple[int, int], dict[str, list[str]]]] = {}  # file -> (size, mtime_ns), contents


def names_file_for(notebook: Path) -> Path:
    """The names file of the folder that holds ``notebook``."""
    return notebook.parent / NAMES_FILE


def read_names(file: Path) -> dict[str, list[str]]:
    """The names file's contents; {} when it is missing or unreadable (parsed again only when it changed)."""
    try:
        stat = file.stat()
    except OSError:
        return {}
    key = (stat.st_size, stat.st_mtime_ns)
    with _lock:
        cached = _parsed.get(file)
        if cached is not None and cached[0] == key:
            return cached[1]
    try:
        loaded = json.loads(file.read_bytes())
    except (OSError, ValueError):
        return {}
    names = {
        str(path): [str(former) for former in formers if isinstance(former, str)]
        for path, formers in (loaded.items() if isinstance(loaded, dict) else ())
        if isinstance(formers, list)
    }
    with _lock:
        _parsed[file] = (key, names)
    return names


def former_paths(root: Path, path: str) -> list[str]:
    """The names the notebook at contents path ``path`` had before, most recent first."""
    try:
        notebook = file_under_root(root, path)
    except OutsideRootError:
        return []
    return list(read_names(names_file_for(notebook)).get(_key(path), []))


def record_rename(root: Path, source_path: str, new_path: str) -> list[str]:
    """Remember that ``new_path`` was ``source_path`` (and the names that one had); return its former paths."""
    source_key, new_key = _key(source_path), _key(new_path)
    source_file, new_file = file_under_root(root, source_key), file_under_root(root, new_key)
    formers = [source_key, *former_paths(root, source_key)]
    formers = [name for name in dict.fromkeys(formers) if name != new_key]  # renamed back: not its own former
    _update(names_file_for(source_file), source_key, None)  # a new notebook at the old name starts afresh
    _update(names_file_for(new_file), new_key, formers)
    return formers


def _key(path: str) -> str:
    return PurePosixPath(path.strip("/")).as_posix()


def _update(file: Path, key: str, formers: list[str] | None) -> None:
    """Set (or, with None, drop) one entry of a names file, written whole to a temporary file then moved in."""
    with _lock:
        names = dict(read_names(file)) if file.exists() else {}
        if formers is None:
            if key not in names:
                return
            del names[key]
        else:
            names[key] = formers
        file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".names-", suffix=".json", dir=file.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(names, stream, indent=1, sort_keys=True)
            os.replace(temporary, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
