"""Where a project's inventory lives: `.aigov/inventory` of the project folder, shared by its notebooks."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

INVENTORY_ENV = "AIGOV_INVENTORY_DIR"
INVENTORY_SUBDIR = Path(".aigov") / "inventory"


def inventory_dir_for(notebook_dir: Path, env: Mapping[str, str], policy_path: Path | None = None) -> Path:
    """AIGOV_INVENTORY_DIR; else an existing .aigov/inventory from the notebook's folder upward; else the one
    beside the policy file (aigov.yaml marks the project folder); else beside the notebook."""
    configured = env.get(INVENTORY_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    start = notebook_dir.expanduser().resolve()
    home = Path(env.get("HOME", "") or Path.home()).resolve()
    for folder in (start, *start.parents):
        if (folder / INVENTORY_SUBDIR).is_dir():
            return folder / INVENTORY_SUBDIR
        if folder == home or (folder / ".git").exists():  # a project never spans home or its repository
            break
    if policy_path is not None:
        return policy_path.resolve().parent / INVENTORY_SUBDIR
    return start / INVENTORY_SUBDIR
