"""POST aigov/export, GET aigov/bundle, POST aigov/push on a real server, pushing to a real registry."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from registry_client.conftest import Registry

from aigov_core.bundle.verify import verify_bundle

from .conftest import LOG, NOTEBOOK
from .test_names import rename


def export(fetch: Any, path: str) -> dict[str, Any]:
    response = fetch("aigov", "export", method="POST", json_body={"path": path})
    assert response.code == 201, response.body
    answer: dict[str, Any] = json.loads(response.body)
    return answer


def download(fetch: Any, link: str, tmp_path: Path) -> Path:
    """Follow a download link as the panel does; the zip lands in the test's folder."""
    query = parse_qs(urlsplit(link).query)
    response = fetch("aigov", "bundle", params={"path": query["path"][0], "name": query["name"][0]})
    assert response.code == 200, response.body
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{query["name"][0]}"'
    target = tmp_path / query["name"][0]
    target.write_bytes(response.body)
    return target


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        root = archive.namelist()[0].split("/")[0]
        return {name.removeprefix(root + "/"): archive.read(name) for name in archive.namelist()}


def test_when_exported_then_the_download_is_a_bundle_that_verifies(
    governed_notebook: Any, fetch: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    answer = export(fetch, NOTEBOOK)
    assert answer["bundle"].startswith("churn-evidence-") and answer["bundle"].endswith(".zip")
    assert answer["download"] == f"aigov/bundle?path=work%2Fchurn.ipynb&name={answer['bundle']}"
    assert answer["records"] == (jp_root_dir / LOG).read_bytes().count(b"\n")
    assert (jp_root_dir / "work" / ".aigov" / "bundles" / answer["bundle"]).is_file()
    bundle = download(fetch, answer["download"], tmp_path)
    result = verify_bundle(bundle)
    assert result.ok, result.fault
    assert result.signer == answer["signer"]
    files = members(bundle)
    assert files["data/evidence/churn.jsonl"] == (jp_root_dir / LOG).read_bytes()
    assert "data/notebooks/churn.ipynb" in files and files["data/policy/aigov.yaml"]
    assert "data/inventory/models/openai-gpt-4o-mini.json" in files


def test_when_a_renamed_notebook_is_exported_then_its_former_log_is_in_the_bundle(
    governed_notebook: Any, fetch: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    rename(fetch, NOTEBOOK, "work/retention.ipynb", jp_root_dir)
    answer = export(fetch, "work/retention.ipynb")
    assert answer["bundle"].startswith("retention-evidence-")
    bundle = download(fetch, answer["download"], tmp_path)
    assert verify_bundle(bundle).ok
    files = members(bundle)
    assert files["data/evidence/churn.jsonl"] == (jp_root_dir / LOG).read_bytes()
    assert "data/notebooks/retention.ipynb" in files


def test_when_exported_twice_in_one_second_then_both_bundles_are_kept(governed_notebook: Any, fetch: Any) -> None:
    names = {export(fetch, NOTEBOOK)["bundle"] for _ in range(2)}
    assert len(names) == 2


def test_when_a_notebook_without_evidence_is_exported_then_404_says_what_to_do(in_root: Any, fetch: Any) -> None:
    response = fetch("aigov", "export", method="POST", json_body={"path": "work/new.ipynb"})
    assert response.code == 404
    assert json.loads(response.body)["message"] == (
        "No evidence for work/new.ipynb yet: run a cell with %load_ext aigov first."
    )


@pytest.mark.parametrize(
    "name",
    ["../x.zip", "../../aigov.yaml", "missing.zip", ".aigov/bundles/x.zip", "", "/etc/passwd", "x.zip/"],
)
def test_when_a_bundle_name_is_not_one_of_the_notebooks_bundles_then_404(
    governed_notebook: Any, fetch: Any, jp_root_dir: Path, name: str
) -> None:
    (jp_root_dir / "work" / "x.zip").write_bytes(b"PK not a bundle of this notebook")
    response = fetch("aigov", "bundle", params={"path": NOTEBOOK, "name": name})
    assert response.code == 404


def test_when_a_bundle_is_a_link_out_of_the_folder_then_404(
    governed_notebook: Any, fetch: Any, jp_root_dir: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.zip"
    secret.write_bytes(b"outside the root")
    bundles = jp_root_dir / "work" / ".aigov" / "bundles"
    bundles.mkdir(parents=True)
    (bundles / "linked.zip").symlink_to(secret)
    response = fetch("aigov", "bundle", params={"path": NOTEBOOK, "name": "linked.zip"})
    assert response.code == 404


def test_when_no_registry_is_configured_then_push_is_409(governed_notebook: Any, fetch: Any) -> None:
    response = fetch("aigov", "push", method="POST", json_body={"path": NOTEBOOK})
    assert response.code == 409
    assert "set AIGOV_REGISTRY_URL" in json.loads(response.body)["message"]


def test_when_pushed_then_the_registry_holds_the_bundle_and_refusals_are_502(
    governed_notebook: Any, fetch: Any, registry: Registry, monkeypatch: Any
) -> None:
    monkeypatch.setenv("AIGOV_REGISTRY_URL", registry.url)
    monkeypatch.setenv("AIGOV_REGISTRY_TOKEN", "not-a-token")
    refused = fetch("aigov", "push", method="POST", json_body={"path": NOTEBOOK}, request_timeout=120)
    assert refused.code == 502
    assert json.loads(refused.body)["message"].startswith("The registry did not take the bundle:")
    monkeypatch.setenv("AIGOV_REGISTRY_TOKEN", registry.token("churn-team", "submit"))
    time.sleep(1.1)  # a bundle of another second: a new file, not the one refused
    response = fetch("aigov", "push", method="POST", json_body={"path": NOTEBOOK}, request_timeout=120)
    assert response.code == 201, response.body
    answer = json.loads(response.body)
    assert answer["status"] == "stored" and answer["bundle"].startswith("churn-evidence-")
    assert answer["url"] == f"{registry.url}/bundles/{answer['id']}"
    held = registry.get(f"/api/v1/bundles/{answer['id']}", registry.token("churn-team", "read"))
    assert held.status_code == 200, held.text
    bundle = Path(governed_notebook.evidence.log.path).parent.parent / "bundles" / answer["bundle"]
    assert zipfile.is_zipfile(io.BytesIO(bundle.read_bytes()))
