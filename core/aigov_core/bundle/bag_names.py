"""The rules for names inside a bundle: safe relative POSIX paths, none landing on the same file as another."""

from __future__ import annotations

import re
import unicodedata

_DRIVE = re.compile(r"[A-Za-z]:")


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a safe relative POSIX path (said as the end of a sentence), or None when it is."""
    if not name:
        return "is empty"
    if name[0] in "/\\":
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a Windows drive letter"
    if "\\" in name:
        return "contains a backslash, which Windows reads as a folder separator"
    for char in name:
        if unicodedata.category(char) == "Cc":
            return f"contains the control character U+{ord(char):04X}"
    for part in name.split("/"):
        if part == "..":
            return "has a '..' component, which points outside the bag"
        if part == ".":
            return "has a '.' component"
        if not part:
            return "has an empty path component ('//')"
    return None


def _fold(name: str) -> str:
    """The form under which two names land on the same file on a case-insensitive, normalising file system."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _same_name(taken: str, path: str) -> str:
    if taken == path:
        return "appears twice"
    return (
        f"collides with {taken!r}: the two are the same name once case and Unicode normalisation are ignored, "
        "so one would overwrite the other on macOS and Windows"
    )


class NameRegistry:
    """Paths already taken, compared as macOS and Windows compare them, so no entry can overwrite another."""

    def __init__(self) -> None:
        self._files: dict[str, str] = {}
        self._folders: dict[str, str] = {}  # every folder a path lies in, plus explicit folder entries
        self._folder_entries: dict[str, str] = {}

    def add(self, path: str, *, folder: bool = False) -> str | None:
        """Take ``path``; return why it collides with a path taken before (nothing is taken then), or None."""
        key = _fold(path)
        file = self._files.get(key)
        if file is not None:
            return f"is a folder, but {file!r} is a file of the same name" if folder else _same_name(file, path)
        if folder:
            entry = self._folder_entries.get(key)
            if entry is not None:
                return _same_name(entry, path)
        elif key in self._folders:
            return f"is a file, but {self._folders[key]!r} is also a folder holding other entries"
        parts = path.split("/")
        prefixes = ["/".join(parts[:end]) for end in range(1, len(parts))]
        for prefix in prefixes:
            file = self._files.get(_fold(prefix))
            if file is not None:
                return f"lies under {file!r}, which is a file"
        for prefix in prefixes:
            self._folders.setdefault(_fold(prefix), prefix)
        if folder:
            self._folder_entries[key] = path
            self._folders.setdefault(key, path)
        else:
            self._files[key] = path
        return None
