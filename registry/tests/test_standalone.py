"""The registry works with none of the notebook's stack importable: ``serve`` takes a real bundle and verifies it.

Each registry process here starts with an import hook that refuses spaCy, Presidio, pandas, matplotlib, IPython,
jupyter_server, ipywidgets and jupyter_aigov itself, as if they were not installed. The bundle is made beforehand, in
this process, by the notebook's real export.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from jupyter_aigov.testing.processes import free_port, stop, wait_until_serving

from .projects import Project

REFUSED = (
    "spacy",
    "presidio_analyzer",
    "pandas",
    "matplotlib",
    "IPython",
    "jupyter_server",
    "ipywidgets",
    "jupyter_aigov",
)
# Run as `guarded.py REFUSED CODE ARGS...`: refuses every import of REFUSED (comma-separated top-level names), then
# runs CODE with ARGS as sys.argv[1:] (and REFUSED in its globals).
GUARD = """
import importlib.abc, sys

REFUSED = frozenset(sys.argv[1].split(","))
already = sorted(name for name in sys.modules if name.partition(".")[0] in REFUSED)
if already:
    sys.exit(f"imported before the guard was in place: {already}")


class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in REFUSED:
            print(f"guard: refused import {name}", file=sys.stderr, flush=True)
            raise ModuleNotFoundError(f"No module named {name!r} (refused by the test)", name=name)
        return None


sys.meta_path.insert(0, Refuse())
code, sys.argv = sys.argv[2], [sys.argv[0], *sys.argv[3:]]
exec(compile(code, "<guarded>", "exec"))
"""
CLI = "import sys\nfrom aigov_registry.cli import main\nsys.exit(main(sys.argv[1:]))"
VERIFY = """
import json, sys
import aigov_registry.app, aigov_registry.cli
from aigov_core.bundle.verify import verify_bundle

verification = verify_bundle(sys.argv[1])
loaded = sorted(name for name in sys.modules if name.partition(".")[0] in REFUSED)
print(json.dumps({"ok": verification.ok, "logs": verification.logs, "signer": verification.signer, "loaded": loaded}))
"""


def guarded(folder: Path, code: str, *args: str) -> list[str]:
    """The command that runs ``code`` with ``args`` in a Python where the notebook's stack cannot be imported."""
    script = folder / "guarded.py"
    script.write_text(GUARD)
    return [sys.executable, str(script), ",".join(REFUSED), code, *args]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """``aigov-registry serve`` on a new SQLite file, guarded: its URL, its database, and its log."""
    database = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            guarded(tmp_path, CLI, "serve", "--db", database, "--port", str(port), "--log-level", "warning"),
            stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_until_serving(f"{url}/api/v1/bundles", process), log_path.read_text()
        yield url, database, log_path
    finally:
        stop(process, timeout_s=10)


def _token(folder: Path, database: str, team: str, role: str) -> dict[str, str]:
    done = subprocess.run(
        guarded(folder, CLI, "token", "create", "--team", team, "--role", role, "--db", database),
        capture_output=True, text=True, cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {"Authorization": f"Bearer {done.stdout.strip()}"}


def test_when_the_notebook_stack_cannot_be_imported_then_serve_stores_and_verifies_a_real_bundle(
    served: tuple[str, str, Path], project: Project, tmp_path: Path
) -> None:
    url, database, log = served
    project.record(12)
    model_id = project.register()
    project.assess(model_id, status="submitted", answers={"GOVERN 1.1": {"status": "met"}})
    bundle = project.export(tmp_path / "audit.zip")
    submit, admin = _token(tmp_path, database, "team-a", "submit"), _token(tmp_path, database, "team-a", "admin")

    stored = httpx.post(
        f"{url}/api/v1/bundles",
        content=bundle.read_bytes(),
        headers={**submit, "Content-Type": "application/zip"},
        timeout=60,
    )
    policy = httpx.put(
        f"{url}/api/v1/policy",
        content=b"version: 1\nmodels: {allow: [gpt-4o-mini]}\n",
        headers={**admin, "Content-Type": "application/yaml"},
    )
    broken = httpx.put(
        f"{url}/api/v1/policy",
        content=b"version: 1\nmodels: {alow: []}\n",
        headers={**admin, "Content-Type": "application/yaml"},
    )
    models = httpx.get(f"{url}/api/v1/models", headers=submit)
    decisions = httpx.get(f"{url}/api/v1/decisions", params={"limit": 100}, headers=submit)

    assert stored.status_code == 201, stored.text + log.read_text()
    body = stored.json()
    assert body["verification"]["ok"] is True and body["records"] == 12
    assert body["verification"]["logs"] == {"data/evidence/churn.jsonl": 12, "data/inventory/changes.jsonl": 2}
    assert body["inventory"] == {"models": 1, "assessments": 1, "changed": 2}
    assert policy.status_code == 200, policy.text
    assert broken.status_code == 422 and "alow" in broken.text
    assert [model["document"]["name"] for model in models.json()["items"]] == ["gpt-4o-mini"]
    assert len(decisions.json()["items"]) == 12
    assert "Traceback" not in log.read_text()


def test_when_the_notebook_stack_cannot_be_imported_then_a_bundle_verifies_and_none_of_it_is_loaded(
    project: Project, tmp_path: Path
) -> None:
    project.record(5)
    bundle = project.export(tmp_path / "audit.zip")

    done = subprocess.run(
        guarded(tmp_path, VERIFY, str(bundle)),
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    checked = json.loads(done.stdout)
    assert checked["ok"] is True and checked["logs"] == {"data/evidence/churn.jsonl": 5}
    assert checked["signer"].startswith("SHA256:")
    assert checked["loaded"] == []
