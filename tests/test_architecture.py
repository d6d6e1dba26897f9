"""The shape docs/architecture.md draws, checked on the source: who may import whom across the seam."""

from __future__ import annotations

import ast
from pathlib import Path

import aigov_core
import jupyter_aigov

PACKAGE = Path(jupyter_aigov.__file__).parent
CORE = Path(aigov_core.__file__).parent  # aigov-core: what the notebook shares with the registry
# what starts governance and says what is intercepted: the only modules outside intercept/ that import it
INTERCEPT_USERS = {"governance", "announce"}


def _imports(path: Path) -> set[str]:
    """The aigov modules a source file imports (absolute names), type-checking-only imports included."""
    root = CORE if path.is_relative_to(CORE) else PACKAGE
    module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.update({name} if node.module else {f"{name}.{alias.name}" for alias in node.names})
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith(("jupyter_aigov", "aigov_core"))}


def _sources(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_when_a_layer_imports_then_it_is_only_the_pipeline_and_the_errors() -> None:
    allowed = ("jupyter_aigov.pipeline", "aigov_core.errors", "jupyter_aigov.intercept", "jupyter_aigov.gateway")
    for path in _sources(PACKAGE / "intercept"):
        strays = {name for name in _imports(path) if not name.startswith(allowed)}
        assert not strays, f"{path.name} imports {sorted(strays)}: a layer goes through jupyter_aigov.pipeline"


def test_when_anything_below_the_seam_imports_then_it_is_never_a_layer() -> None:
    for path in _sources(PACKAGE):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "intercept" or relative.stem in INTERCEPT_USERS:
            continue
        layers = {name for name in _imports(path) if name.startswith("jupyter_aigov.intercept")}
        assert not layers, f"{relative} imports the layers {sorted(layers)}"


def test_when_an_error_class_is_defined_then_it_is_in_errors_py() -> None:
    for path in _sources(PACKAGE) + _sources(CORE):
        if path == CORE / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
                assert not bases & {"AIGovError", "PolicyViolation", "PolicyError", "BundleError", "EvidenceError"}, (
                    f"{path} defines {node.name}: every error of aigov is in aigov_core/errors.py"
                )


def test_when_aigov_core_imports_then_it_is_never_the_notebooks_package() -> None:
    # the registry installs aigov-core without jupyter-aigov
    for path in _sources(CORE):
        notebook = {name for name in _imports(path) if name.startswith("jupyter_aigov")}
        assert not notebook, f"{path.relative_to(CORE.parent)} imports {sorted(notebook)}"


def test_when_the_package_is_listed_then_no_module_name_says_two_things() -> None:
    stems = {path.stem for path in PACKAGE.glob("*.py")}
    assert not {"decision", "decisions"} <= stems and "scope" not in {p.stem for p in _sources(PACKAGE / "intercept")}
