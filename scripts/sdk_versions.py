"""Requirement lines for scripts/test_sdks.sh, read from pyproject.toml and constraints.txt.

python scripts/sdk_versions.py oldest       each SDK and raw client at its lower bound (name==X)
python scripts/sdk_versions.py newest       each at its range (the resolver takes the newest release in it)
python scripts/sdk_versions.py others       what the SDK tests need besides: the runtime dependencies, pytest
python scripts/sdk_versions.py constraints  constraints.txt's lines for the runtime dependencies and pytest
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The libraries whose supported range is tested at both ends, as named in pyproject.toml's test extras.
SDKS = (
    "openai", "anthropic", "google-genai", "boto3", "botocore", "litellm", "httpx", "httpx2", "requests", "aiohttp",
    "urllib3",
)  # fmt: skip
TEST_TOOLS = ("pytest", "pytest-asyncio")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def _project(folder: Path = ROOT) -> dict:
    return tomllib.loads((folder / "pyproject.toml").read_text())["project"]


def _tested() -> dict[str, str]:
    test = _project()["optional-dependencies"]["test"]
    return {_name(r): r for r in test if _name(r) in SDKS}


def oldest() -> list[str]:
    """Each SDK pinned to its range's lower bound."""
    lines = []
    for name, requirement in _tested().items():
        lower = re.search(r">=\s*([^,;\s]+)", requirement)
        if lower is None:
            raise SystemExit(f"pyproject.toml's test extras give {name} no lower bound (>=): {requirement!r}")
        lines.append(f"{name}=={lower.group(1)}")
    return lines


def others() -> list[str]:
    """The runtime dependencies, aigov-core's among them (aigov-core itself runs from core/, never from an index)."""
    test = _project()["optional-dependencies"]["test"]
    runtime = [r for r in _project()["dependencies"] if _name(r) != "aigov-core"]
    named = {_name(r) for r in runtime}
    core = [r for r in _project(ROOT / "core")["dependencies"] if _name(r) not in named]
    return [*runtime, *core, *(r for r in test if _name(r) in TEST_TOOLS)]


def constraints() -> list[str]:
    """The locked versions of what the package and pytest need directly; an SDK's own dependencies (botocore
    with boto3, multidict with aiohttp...) are left to the resolver, to move with the SDK's version."""
    direct = {_name(r) for r in others()} - set(SDKS)
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return [line for line in lines if not line.startswith("#") and _name(line) in direct]


def main(which: str) -> None:
    chosen = {"oldest": oldest, "newest": lambda: list(_tested().values()), "others": others}.get(which, constraints)
    if which not in ("oldest", "newest", "others", "constraints"):
        raise SystemExit(__doc__)
    print("\n".join(chosen()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
