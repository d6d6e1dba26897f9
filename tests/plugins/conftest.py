"""Plugin distributions installed for one test: a module and a dist-info folder on sys.path, found as any is."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """install(name, source) puts a distribution providing the plugin `name` (the module `source`) on sys.path;
    returns the module's name. Its entry point is in the group `aigov`, as a real plugin's is."""
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def install(name: str, source: str, *, distribution: str | None = None, version: str = "1.0") -> str:
        module = f"aigov_test_plugin_{name}_{len(modules)}"
        distribution = distribution or f"aigov-test-{name}"
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[aigov]\n{name} = {module}\n")
        modules.append(module)
        return module

    yield install
    for module in modules:
        sys.modules.pop(module, None)
