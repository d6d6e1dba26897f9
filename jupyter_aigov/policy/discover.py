"""Which policy is in force: AIGOV_POLICY, else aigov.yaml from the notebook's folder up, else the default.

The upward search stops at the user's home directory when the start folder is inside it, so a file in a
folder shared by other users (e.g. /home or /) can never loosen a user's policy. Outside the home
directory (e.g. /srv/notebooks, /tmp) it goes up to the filesystem root. A folder holding both aigov.yaml
and aigov.yml is an error rather than a silent choice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from aigov_core.errors import PolicyError
from aigov_core.policy.document import Policy
from aigov_core.policy.load import parse_policy_bytes, read_policy_bytes

POLICY_ENV = "AIGOV_POLICY"
POLICY_FILE_NAMES = ("aigov.yaml", "aigov.yml")
DEFAULT_SOURCE = "built-in default"
# env: named by AIGOV_POLICY; file: found from the notebook's folder up; given: passed by the caller
# (e.g. aigov.enable(policy=...)); default: the built-in default.yaml.
Origin = Literal["env", "file", "given", "default"]


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    """A validated policy, where it came from, and the sha256 of the exact bytes read (for evidence)."""

    policy: Policy
    source: str  # the file path, or "built-in default"
    origin: Origin
    sha256: str
    path: Path | None  # None for the built-in default


def _loaded(data: bytes, source: str, origin: Origin, path: Path | None) -> LoadedPolicy:
    policy = parse_policy_bytes(data, source)
    return LoadedPolicy(policy, source, origin, hashlib.sha256(data).hexdigest(), path)


@cache
def default_policy() -> LoadedPolicy:
    """The built-in default policy shipped in the package (default.yaml)."""
    data = resources.files("jupyter_aigov.policy").joinpath("default.yaml").read_bytes()
    return _loaded(data, DEFAULT_SOURCE, "default", None)


def load_policy_file(path: Path | str) -> LoadedPolicy:
    """Read and validate a policy file the caller names (e.g. aigov.enable(policy=...)), with its sha256."""
    path = Path(path).expanduser()
    return _loaded(read_policy_bytes(path), str(path), "given", path)


def _search_dirs(start: Path, home: Path | None) -> list[Path]:
    """start and its parents, stopping at home when start is inside it."""
    dirs = [start, *start.parents]
    if home is not None and start.is_relative_to(home):
        dirs = dirs[: dirs.index(home) + 1]
    return dirs


def find_policy_file(start_dir: Path, home: Path | None) -> Path | None:
    """The nearest aigov.yaml (or aigov.yml) from start_dir upward, or None."""
    for folder in _search_dirs(start_dir, home):
        found = [folder / name for name in POLICY_FILE_NAMES if (folder / name).is_file()]
        if len(found) > 1:
            message = (
                f"Both {found[0]} and {found[1]} exist; aigov will not guess which policy is meant. "
                f"Delete or rename one of them."
            )
            raise PolicyError(message, source=str(folder))
        if found:
            return found[0]
    return None


def _home(env: Mapping[str, str]) -> Path | None:
    home = env.get("HOME")
    if home:
        return Path(home).expanduser().resolve()
    try:
        return Path.home().resolve()
    except RuntimeError:  # no home directory can be determined (some containers)
        return None


def discover_policy(start_dir: Path | None = None, env: Mapping[str, str] | None = None) -> LoadedPolicy:
    """Find, read and validate the policy in force; PolicyError when the one found is invalid."""
    env = os.environ if env is None else env
    named = env.get(POLICY_ENV, "").strip()
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            what = "is a directory, not a file" if path.is_dir() else "does not exist"
            message = (
                f"{POLICY_ENV} points at {path}, which {what}. Fix the path, or unset {POLICY_ENV} to use "
                f"aigov.yaml from the notebook's folder (or the built-in default)."
            )
            raise PolicyError(message, source=str(path))
        return _loaded(read_policy_bytes(path), str(path), "env", path)
    start = (start_dir or Path.cwd()).expanduser().resolve()
    found = find_policy_file(start, _home(env))
    if found is not None:
        return _loaded(read_policy_bytes(found), str(found), "file", found)
    return default_policy()
