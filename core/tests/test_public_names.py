"""Each package of aigov-core lists in ``__all__`` exactly the public names it holds, its modules aside."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import aigov_core


@pytest.mark.parametrize("package", ["aigov_core.evidence", "aigov_core.policy"])
def test_when_a_package_is_imported_then_all_lists_exactly_its_public_names(package: str) -> None:
    module = importlib.import_module(package)
    modules = {info.name for info in pkgutil.iter_modules(module.__path__)}
    public = {name for name in dir(module) if not name.startswith("_")}
    assert set(module.__all__) == public - modules


def test_when_imported_then_the_version_is_the_distributions() -> None:
    from importlib.metadata import version

    assert aigov_core.__version__ == version("aigov-core")
