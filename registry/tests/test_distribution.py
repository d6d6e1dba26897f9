"""The registry installs alone: what ``pip install`` brings with aigov-registry holds none of the notebook's stack.

Read from the installed distributions' metadata (their ``Requires-Dist``), followed transitively, extras only where
one was asked for: the test extra (which builds bundles with jupyter-aigov) is not the service.
"""

from __future__ import annotations

import re
from importlib import metadata

from packaging.requirements import Requirement

NOTEBOOK_STACK = {"spacy", "presidio-analyzer", "pandas", "matplotlib", "ipython", "jupyter-server", "jupyter-aigov"}


def _name(name: str) -> str:
    """A distribution name as PEP 503 normalises it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(distribution: str) -> dict[str, str]:
    """Every distribution a plain install of ``distribution`` brings, by normalised name, with who required it."""
    required_by = {_name(distribution): ""}
    pending = [(distribution, frozenset[str]())]
    while pending:
        name, extras = pending.pop()
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is not None and not any(marker.evaluate({"extra": extra}) for extra in {"", *extras}):
                continue  # another platform's, or an extra nobody asked for
            wanted = _name(requirement.name)
            if wanted not in required_by:
                required_by[wanted] = _name(name)
                pending.append((requirement.name, frozenset(requirement.extras)))
    return required_by


def test_when_the_registry_is_installed_then_it_brings_aigov_core_and_none_of_the_notebook_stack() -> None:
    closure = runtime_closure("aigov-registry")

    assert "aigov-core" in closure and closure["aigov-core"] == "aigov-registry"
    assert {"fastapi", "sqlalchemy", "cryptography", "pydantic", "rfc8785"} <= closure.keys()
    brought = {name: f"required by {closure[name]}" for name in NOTEBOOK_STACK & closure.keys()}
    assert brought == {}


def test_when_aigov_core_is_installed_then_it_needs_only_a_few_light_distributions() -> None:
    closure = runtime_closure("aigov-core")

    assert NOTEBOOK_STACK.isdisjoint(closure)
    direct = {name for name, parent in closure.items() if parent == "aigov-core"}
    assert direct == {"pyyaml", "pydantic", "rfc8785", "cryptography"}


def test_when_the_notebook_package_is_installed_then_it_brings_aigov_core_and_its_stack() -> None:
    # the other side of the shared part; and the walk above does find the stack where it is required
    closure = runtime_closure("jupyter-aigov")

    assert "aigov-core" in closure
    assert NOTEBOOK_STACK - {"jupyter-aigov"} <= closure.keys()
