"""The wheel, built from a clean copy of the source, carries the prebuilt JupyterLab extension and enables both
extensions on install: no Node.js is needed to use it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

import jupyter_aigov

ROOT = Path(__file__).resolve().parents[2]
LAB_DATA = "jupyter_aigov-0.1.0.data/data/share/jupyter/labextensions/jupyter-aigov"
SERVER_CONFIG = "jupyter_aigov-0.1.0.data/data/etc/jupyter/jupyter_server_config.d/jupyter_aigov.json"


def _plain(output: str) -> str:
    """Jupyter's listings without their colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", output)


def _source_files() -> list[str]:
    """What a clean checkout holds: the tracked files plus those not yet committed, never build output."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return [name for name in listed.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the wheels of jupyter-aigov and of aigov-core (core/, which it depends on), built the way
    `pip install` builds them, from a copy of the source with no extension built yet."""
    source = tmp_path_factory.mktemp("source")
    for name in _source_files():
        if name.startswith(("registry/", "benchmarks/", "notebooks/")):
            continue
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name).read_bytes())
    assert not (source / "jupyter_aigov" / "labextension").exists()
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("HATCH_JUPYTER_BUILDER_SKIP_NPM", None)
    for project in (source, source / "core"):
        result = subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(project)],
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return out


@pytest.fixture(scope="module")
def wheel(wheels: Path) -> Path:
    """The wheel of jupyter-aigov."""
    (built,) = wheels.glob("jupyter_aigov-*.whl")
    return built


def test_when_built_then_the_wheel_holds_the_prebuilt_extension_and_the_server_config(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        package = json.loads(archive.read(f"{LAB_DATA}/package.json"))
        install = json.loads(archive.read(f"{LAB_DATA}/install.json"))
        server_config = json.loads(archive.read(SERVER_CONFIG))
    assert package["name"] == "jupyter-aigov"
    assert package["jupyterlab"]["_build"]["load"].startswith("static/remoteEntry.")
    assert f"{LAB_DATA}/{package['jupyterlab']['_build']['load']}" in names
    assert f"{LAB_DATA}/static/style.js" in names
    assert install == {**install, "packageManager": "python", "packageName": "jupyter-aigov"}
    assert server_config == {"ServerApp": {"jpserver_extensions": {"jupyter_aigov": True}}}
    assert "jupyter_aigov/server/__init__.py" in names
    # the TypeScript sources and node_modules stay out of the wheel; the built extension is not also in the package
    assert not [name for name in names if "node_modules" in name or name.endswith(".ts")]
    assert not [name for name in names if name.startswith("jupyter_aigov/labextension/")]


@pytest.mark.parametrize(
    "jupyterlab",
    [None, "jupyterlab==4.6.*"],
    ids=["this-environments-jupyterlab", "jupyterlab-4.6"],
)
def test_when_the_wheel_is_installed_then_jupyter_lists_both_extensions_enabled_and_ok(
    wheels: Path, wheel: Path, tmp_path: Path, jupyterlab: str | None
) -> None:
    # a fresh environment that sees this one's dependencies but not its editable jupyter-aigov and aigov-core
    (core_wheel,) = wheels.glob("aigov_core-*.whl")
    environment = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    dependencies = Path(next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()))
    (site / "dependencies.pth").write_text(f"{dependencies}\n")
    # the extension is built against the 4.5 line; a newer JupyterLab (its builder package with it) must accept it
    newer = [jupyterlab, "jupyter_builder"] if jupyterlab else []
    installed = [str(wheel), str(core_wheel), *newer]
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", *installed],
        check=True,
        capture_output=True,
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JUPYTER_", "PYTHON"))}
    labextensions = subprocess.run(
        [python, "-m", "jupyterlab.labextensions", "list"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    listing = _plain(labextensions.stdout + labextensions.stderr)
    assert str(environment / "share" / "jupyter" / "labextensions") in listing, listing
    assert "jupyter-aigov v0.1.0 enabled OK (python, jupyter-aigov)" in listing, listing
    server = subprocess.run(
        [python, "-m", "jupyter_server.extension.serverextension", "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    listing = _plain(server.stdout + server.stderr)
    assert "jupyter_aigov enabled" in listing, listing
    assert "jupyter_aigov 0.1.0 OK" in listing, listing
    imported = subprocess.run(
        [python, "-c", "import jupyter_aigov, aigov_core; print(jupyter_aigov.__file__); print(aigov_core.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    assert all(line.startswith(str(environment)) for line in imported.stdout.splitlines()), imported.stdout
    if jupyterlab:
        version = subprocess.run(
            [python, "-c", "import jupyterlab; print(jupyterlab.__version__)"],
            capture_output=True, text=True, cwd=tmp_path, env=env, check=True,
        ).stdout  # fmt: skip
        assert version.startswith("4.6."), version


def test_when_versions_are_read_then_python_and_npm_packages_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    package = json.loads((ROOT / "labextension" / "package.json").read_text())
    assert project["version"] == package["version"] == jupyter_aigov.__version__
