"""The commands users type: `aigov export`, `aigov verify BUNDLE`, `aigov key`, and `%aigov export` in a real kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from aigov_core.bundle.verify import verify_bundle
from jupyter_aigov.evidence import EvidenceLog

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def aigov_command(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_aigov.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with a notebook, its evidence log and a policy, as a governed kernel leaves them."""
    folder = tmp_path / "project"
    (folder / ".aigov" / "evidence").mkdir(parents=True)
    (folder / "aigov.yaml").write_text("version: 1\n")
    nbformat.write(new_notebook(cells=[new_code_cell("1 + 1")]), folder / "churn.ipynb")
    with EvidenceLog(folder / ".aigov" / "evidence" / "churn.jsonl") as log:
        for number in range(6):
            log.append({"event": "ai.call", "decision": "allow", "model": f"gpt-{number % 2}", "use_case": "churn"})
    return folder


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_") and k != "JPY_SESSION_NAME"}
    return {**clean, "AIGOV_KEY_DIR": str(tmp_path / "keys"), "AIGOV_USER": "ada"}


def test_when_a_folder_is_exported_then_verify_exits_0_and_pins_the_signer(project: Path, env: dict, tmp_path: Path):
    done = aigov_command("export", str(project), "-o", str(tmp_path / "audit.zip"), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Evidence bundle written to" in done.stdout and "6 evidence records" in done.stdout
    key = aigov_command("key", env=env, cwd=tmp_path)
    fingerprint = key.stdout.strip()
    assert key.returncode == 0 and fingerprint.startswith("SHA256:") and fingerprint in done.stdout
    verified = aigov_command("verify", str(tmp_path / "audit.zip"), "--signer", fingerprint, env=env, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout
    assert verified.stdout.startswith("OK") and "an expected signer" in verified.stdout
    other = aigov_command(
        "verify", str(tmp_path / "audit.zip"), "--signer", "SHA256:" + "A" * 43, env=env, cwd=tmp_path
    )
    assert other.returncode == 1 and "not among the expected signers" in other.stdout


def test_when_export_is_filtered_then_the_bundle_holds_an_excerpt(project: Path, env: dict, tmp_path: Path):
    done = aigov_command(
        "export", str(project / "churn.ipynb"), "-o", str(tmp_path / "a.zip"), "--model", "gpt-1", env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        names = [name.split("/", 1)[1] for name in archive.namelist()]
    assert "data/evidence/churn.excerpt.jsonl" in names
    assert verify_bundle(tmp_path / "a.zip").logs["data/evidence/churn.excerpt.jsonl"] == 3


def test_when_export_has_no_output_name_then_it_lands_in_the_current_folder(project: Path, env: dict, tmp_path: Path):
    done = aigov_command("export", str(project), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (written,) = tmp_path.glob("project-evidence-*.zip")
    assert str(written) in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "missing.ipynb"], "does not exist"),
        (["export", "project", "--since", "someday"], "Write it as 2026-11-01"),
        (["export", "project", "-o", "audit.tar"], "name it with .zip"),
        (["export", "project", "--key", "nowhere.pem"], "nowhere.pem"),
    ],
)
def test_when_export_input_is_bad_then_exit_1_with_what_to_do(
    project: Path, env: dict, tmp_path: Path, args: list[str], message: str
):
    done = aigov_command(*args, env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert message in done.stderr
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob(".*partial"))


def test_when_bundle_is_tampered_then_verify_exits_1_naming_the_file(project: Path, env: dict, tmp_path: Path):
    aigov_command("export", str(project), "-o", str(tmp_path / "audit.zip"), env=env, cwd=tmp_path)
    with zipfile.ZipFile(tmp_path / "audit.zip") as source, zipfile.ZipFile(tmp_path / "bad.zip", "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data.replace(b'"gpt-0"', b'"gpt-9"') if item.filename.endswith(".jsonl") else data)
    done = aigov_command("verify", str(tmp_path / "bad.zip"), env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith("FAILED") and "data/evidence/churn.jsonl" in done.stdout


def test_when_signer_is_given_for_a_log_then_usage_error(project: Path, env: dict, tmp_path: Path):
    log = project / ".aigov" / "evidence" / "churn.jsonl"
    done = aigov_command("verify", str(log), "--signer", "SHA256:x", env=env, cwd=tmp_path)
    assert done.returncode == 2 and "applies to bundles" in done.stderr


def test_when_exported_with_the_magic_in_a_kernel_then_a_progress_widget_shows_and_the_bundle_verifies(
    tmp_path: Path, env: dict, provider
):
    setup = (
        "import openai\n"
        f"client = openai.OpenAI(base_url={provider.openai_base_url!r}, api_key='x')\n"
        "%load_ext aigov\n"
        "client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': 'hi'}])"
    )
    bundle = tmp_path / "from-magic.zip"
    notebook = new_notebook(cells=[new_code_cell(setup), new_code_cell(f"%aigov export -o {bundle}")])
    nbformat.write(notebook, tmp_path / "analysis.ipynb")
    kernel_env = {**env, "JPY_SESSION_NAME": str(tmp_path / "analysis.ipynb")}
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env=kernel_env)
    outputs = notebook.cells[1].outputs
    assert any(WIDGET_VIEW in output.get("data", {}) for output in outputs), outputs  # tqdm's notebook bar
    assert any("Evidence bundle written to" in output.get("text", "") for output in outputs), outputs
    result = verify_bundle(bundle)
    assert result.ok, result.fault
    with zipfile.ZipFile(bundle) as archive:
        root = archive.namelist()[0].split("/")[0]
        described = json.loads(archive.read(f"{root}/data/bundle.json"))
    assert described["summary"]["calls"]["allow"] == 1
    assert [nb["path"] for nb in described["notebooks"]] == ["data/notebooks/analysis.ipynb"]
