"""Contents-API paths (relative to the server root, "/" separators) turned into files that never leave the root."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

NOTEBOOK_SUFFIXES = (".ipynb", ".py")


class OutsideRootError(ValueError):
    """A path that names something outside the server root (``..``, absolute, or a link out of it)."""


class LinkOutOfRootError(OutsideRootError):
    """A file aigov reads or writes for a notebook lies under the root, but a symbolic link leads it out."""

    def __init__(self, what: str, shown: str) -> None:
        super().__init__(
            f"{what} ({shown}) leads out of the server root through a symbolic link; aigov neither reads nor "
            "writes outside the root. Replace the link with a folder or file under the root."
        )


def kept_in_root(root: Path, file: Path, what: str) -> Path:
    """``file``, unless it lies under ``root`` (resolved) but resolves outside it: then LinkOutOfRootError.

    A file the server's own settings place outside the root (AIGOV_EVIDENCE_DIR, an aigov.yaml above it) is
    the operator's choice and kept; only a link that turns a path under the root into one outside is refused.
    """
    written = Path(os.path.abspath(file))
    if written.is_relative_to(root) and not file.resolve().is_relative_to(root):
        raise LinkOutOfRootError(what, written.relative_to(root).as_posix())
    return file


def file_under_root(root: Path, path: str) -> Path:
    """The file ``path`` names under ``root`` (which must be resolved); OutsideRootError when it would leave it.

    >>> file_under_root(Path("/srv/nb"), "work/churn.ipynb")
    PosixPath('/srv/nb/work/churn.ipynb')
    """
    if "\\" in path or "\x00" in path:
        raise OutsideRootError(path)
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise OutsideRootError(path)
    candidate = root.joinpath(*relative.parts)
    # A symbolic link inside the root may still point out of it: judge where the path really leads.
    if not candidate.resolve().is_relative_to(root):
        raise OutsideRootError(path)
    return candidate


def root_relative(root: Path, file: Path) -> str:
    """``file`` as a contents-API path when it lies under ``root``, else its absolute path."""
    try:
        return file.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(file)


def notebook_stem(path: str | Path) -> str:
    """The name that names a notebook's evidence log: its file name without .ipynb (as the kernel names it)."""
    name = PurePosixPath(str(path)).name
    for suffix in NOTEBOOK_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] or "notebook"
    return name or "notebook"
