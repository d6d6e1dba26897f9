"""Export and verify end to end: real SDK calls through the gateway, a real notebook and inventory, a real bundle.

Then every file of the bundle is changed or removed in turn, and each change must be caught.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import bagit
import nbformat
import openai
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import aigov
from aigov_core.bundle import layout
from aigov_core.bundle.verify import verify_bundle
from aigov_core.errors import BundleError, EvidenceError
from aigov_core.evidence import verify_log
from jupyter_aigov.bundle.api import export

POLICY = """
version: 1
models: {deny: ["gpt-4o"]}
redaction:
  entities: {PERSON: redact, EMAIL_ADDRESS: redact, PHONE_NUMBER: redact, SECRET: block}
  deadline_ms: 30000
"""
# A canary identity: if any of these turns up anywhere in a bundle, redaction leaked.
CANARY_PERSON = "Frank Holt"
CANARY_EMAIL = "frank.holt@example.com"
CANARY_PHONE = "+1 415 555 0199"
CANARY = (CANARY_PERSON, CANARY_EMAIL, CANARY_PHONE)
PROMPT = f"Summarise the complaint from {CANARY_PERSON} ({CANARY_EMAIL}, phone {CANARY_PHONE}) about the churn score."


@pytest.fixture(autouse=True)
def own_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keys in the test's folder: never the user's own."""
    keys = tmp_path / "keys"
    monkeypatch.setenv("AIGOV_KEY_DIR", str(keys))
    monkeypatch.delenv("AIGOV_SIGNING_KEY", raising=False)
    return keys


def write_notebook(path: Path) -> None:
    """A notebook that ran the call: the canary in its source, its markdown and its outputs."""
    notebook = new_notebook()
    notebook.cells = [
        new_markdown_cell(f"Complaint triage for {CANARY_PERSON}."),
        new_code_cell(
            f"prompt = {PROMPT!r}\nclient.chat.completions.create(model='gpt-4o-mini', messages=[...])",
            execution_count=1,
            outputs=[
                new_output("stream", name="stdout", text=f"Calling {CANARY_EMAIL} back on {CANARY_PHONE}\n"),
                new_output(
                    "execute_result",
                    data={"text/plain": f"'Reply drafted for {CANARY_PERSON}'"},
                    execution_count=1,
                ),
            ],
        ),
    ]
    path.write_text(nbformat.writes(notebook))


@pytest.fixture
def project(governed: Any, provider: Any, tmp_path: Path) -> Any:
    """A governed session that made allowed, redacted and blocked calls, with a registered model."""
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    gateway = governed(POLICY)
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}])
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}])
    with pytest.raises(aigov.PolicyViolation):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    aigov.register_model(
        name="GPT-4o mini",
        provider="openai",
        model_ids=["gpt-4o-mini"],
        owner="ada",
        intended_purpose="triage",
        risk_tier="minimal",
    )
    write_notebook(tmp_path / "analysis.ipynb")
    sent = b"".join(request.body for request in provider.received)
    assert all(value.encode() not in sent for value in CANARY)  # the call itself was redacted in transit
    return gateway


def members(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        root = archive.namelist()[0].split("/")[0]
        return {name.removeprefix(root + "/"): archive.read(name) for name in archive.namelist()}


def rezip(bundle: Path, target: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(bundle) as archive:
        root = archive.namelist()[0].split("/")[0]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{root}/{name}", data)
    return target


def test_when_exported_in_a_kernel_then_bundle_holds_everything_and_verifies(project: Any, tmp_path: Path) -> None:
    path = aigov.export_bundle(tmp_path / "out" / "audit.zip", progress=False)
    assert path == tmp_path / "out" / "audit.zip"
    files = members(path)
    assert files["data/evidence/analysis.jsonl"] == project.evidence.log.path.read_bytes()  # the log, byte for byte
    for expected in (
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
        "aigov/signer.pub",
        "aigov/attestation.dsse.json",
        "data/bundle.json",
        "data/report.html",
        "data/environment.json",
        "data/notebooks/analysis.ipynb",
        "data/policy/aigov.yaml",
        "data/inventory/models/openai-gpt-4o-mini.json",
        "data/inventory/changes.jsonl",
    ):
        assert expected in files, f"{expected} is not in the bundle: {sorted(files)}"
    assert files["data/policy/aigov.yaml"] == POLICY.encode()
    description = json.loads(files["data/bundle.json"])
    assert description["exported_by"] == "ada"
    assert description["logs"][0]["kind"] == "full"
    assert description["summary"]["calls"]["block"] == 1
    environment = json.loads(files["data/environment.json"])
    assert environment["jupyter_aigov"] == aigov.__version__ or aigov.__version__ in json.dumps(environment)
    result = verify_bundle(path)
    assert result.ok, result.fault
    assert result.logs["data/evidence/analysis.jsonl"] == verify_log(project.evidence.log.path).records
    assert not result.pinned


def test_when_bundle_unzipped_then_the_bagit_tool_validates_it(project: Any, tmp_path: Path) -> None:
    path = aigov.export_bundle(tmp_path / "audit.zip", progress=False)
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "unzipped")
    (bag_dir,) = (tmp_path / "unzipped").iterdir()
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # raises BagValidationError when not valid
    assert bag.info["Contact-Name"] == "ada"
    tool = shutil.which("bagit.py", path=str(Path(sys.executable).parent))
    assert tool is not None
    done = subprocess.run([tool, "--validate", str(bag_dir)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "is valid" in done.stderr


def test_when_any_file_is_changed_or_removed_then_verify_names_the_fault(project: Any, tmp_path: Path) -> None:
    path = aigov.export_bundle(tmp_path / "audit.zip", progress=False)
    files = members(path)
    changes = 0
    caught = 0
    missed: list[str] = []
    for name, data in files.items():
        variants = {f"{name} removed": {k: v for k, v in files.items() if k != name}}
        for position in sorted({0, len(data) // 2, len(data) - 1}):
            for flip in (0x01, 0x20):
                changed = bytearray(data)
                changed[position] ^= flip
                variants[f"{name} byte {position} ^ {flip:#04x}"] = {**files, name: bytes(changed)}
        for label, variant in variants.items():
            changes += 1
            tampered = rezip(path, tmp_path / "tampered.zip", variant)
            result = verify_bundle(tampered)
            if result.ok:
                missed.append(label)
            else:
                caught += 1
    assert not missed, f"{len(missed)} of {changes} changes went unnoticed: {missed}"
    assert caught == changes == len(files) * 7
    print(f"\n{caught} of {changes} changes to {len(files)} files caught")


def test_when_resigned_by_someone_else_then_only_pinning_catches_it(
    project: Any, tmp_path: Path, own_keys: Path
) -> None:
    from aigov_core.bundle.signing import load_or_create_user_key

    path = aigov.export_bundle(tmp_path / "audit.zip", progress=False)
    ours = verify_bundle(path).signer
    assert verify_bundle(path, signers=[ours]).pinned
    mallory = tmp_path / "mallory"
    forged = export(
        tmp_path / "forged.zip", progress=False, env={"AIGOV_KEY_DIR": str(mallory), "AIGOV_USER": "mallory"}
    )
    theirs = load_or_create_user_key({"AIGOV_KEY_DIR": str(mallory)})[0].fingerprint
    assert forged.fingerprint == theirs != ours
    assert verify_bundle(forged.path).ok  # a valid bundle, signed by a key nobody asked for
    pinned = verify_bundle(forged.path, signers=[ours])
    assert not pinned.ok and theirs in str(pinned.fault) and ours in str(pinned.fault)


def test_when_exported_then_no_value_redacted_in_calls_is_anywhere_in_the_bundle(project: Any, tmp_path: Path) -> None:
    assert len(project.pipeline.vault) >= 2  # the call's values were replaced in transit
    path = aigov.export_bundle(tmp_path / "audit.zip", progress=False)
    assert_no_canary(path)
    notebook = members(path)["data/notebooks/analysis.ipynb"]
    assert b"<PERSON_" in notebook and b"<EMAIL_ADDRESS_" in notebook
    nbformat.validate(nbformat.reads(notebook.decode(), as_version=4))


def test_when_exported_from_outside_the_kernel_then_detection_alone_keeps_the_canary_out(
    project: Any, tmp_path: Path
) -> None:
    aigov.disable()  # another process: the kernel's placeholder values are not known there
    written = export(tmp_path / "cli.zip", source=tmp_path / "analysis.ipynb", progress=False)
    assert_no_canary(written.path)
    assert written.notebooks[0]["redacted"] and written.notebooks[0]["entities"]


def assert_no_canary(path: Path) -> None:
    raw = path.read_bytes()
    texts = [raw, *members(path).values()]
    envelope = json.loads(members(path)["aigov/attestation.dsse.json"])
    texts.append(base64.b64decode(envelope["payload"]))
    for value in CANARY:
        for form in {value, value.lower(), json.dumps(value)[1:-1]}:
            assert not any(form.encode() in text for text in texts), f"{value!r} is in the bundle"


def test_when_notebook_redaction_is_off_then_notebook_goes_as_it_is(project: Any, tmp_path: Path) -> None:
    path = aigov.export_bundle(tmp_path / "audit.zip", progress=False, redact_notebooks=False)
    assert members(path)["data/notebooks/analysis.ipynb"] == (tmp_path / "analysis.ipynb").read_bytes()
    assert verify_bundle(path).ok


def test_when_filtered_then_bundle_holds_an_excerpt_that_verifies(project: Any, tmp_path: Path) -> None:
    path = aigov.export_bundle(tmp_path / "audit.zip", progress=False, model="gpt-4o-mini")
    files = members(path)
    assert "data/evidence/analysis.jsonl" not in files
    excerpt = files["data/evidence/analysis.excerpt.jsonl"]
    kept = [json.loads(line) for line in excerpt.splitlines() if not line.startswith(b'{"elided"')]
    assert kept and all(record["model"] == "gpt-4o-mini" for record in kept)
    description = json.loads(files["data/bundle.json"])
    assert description["filters"] == {"model": "gpt-4o-mini"}
    log = description["logs"][0]
    assert log["kind"] == "excerpt" and log["included"] == len(kept) < log["records"]
    assert verify_bundle(path).ok


def test_when_log_is_broken_then_export_refuses_and_writes_nothing(project: Any, tmp_path: Path) -> None:
    project.evidence.flush()
    lines = project.evidence.log.path.read_bytes().splitlines(keepends=True)
    project.evidence.log.path.write_bytes(b"".join(lines[:1] + lines[2:]))
    out = tmp_path / "out"
    with pytest.raises(EvidenceError, match="not intact"):
        aigov.export_bundle(out / "audit.zip", progress=False)
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(("name", "message"), [("audit.tar", "name it with .zip"), ("exists.zip", "already exists")])
def test_when_output_is_unusable_then_error_says_what_to_do(
    project: Any, tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "exists.zip").write_bytes(b"keep me")
    with pytest.raises(BundleError, match=message):
        aigov.export_bundle(tmp_path / name, progress=False)
    assert (tmp_path / "exists.zip").read_bytes() == b"keep me"


def test_when_not_governing_and_nothing_named_then_error_says_how() -> None:
    with pytest.raises(BundleError, match="load_ext aigov"):
        aigov.export_bundle(progress=False)


def test_when_progress_on_then_a_bar_is_drawn(project: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aigov.export_bundle(tmp_path / "audit.zip", progress=True)
    assert "Exporting analysis" in capsys.readouterr().err


def test_when_zip_is_unsafe_then_verify_refuses_before_reading(tmp_path: Path) -> None:
    bundle = tmp_path / "slip.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("bag/bagit.txt", layout.BAGIT_DECLARATION)
        archive.writestr("bag/../../evil.txt", b"x")
    result = verify_bundle(bundle)
    assert not result.ok and "evil.txt" in str(result.fault)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slip.zip"]


def test_when_bundle_is_not_a_zip_then_verify_says_so(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(io.BytesIO(b"not a zip").getvalue())
    assert not verify_bundle(bundle).ok


@pytest.mark.parametrize("module", ["jupyter_aigov.bundle.export", "jupyter_aigov.bundle.api"])
def test_when_the_export_is_imported_then_nothing_of_the_widgets_is(module: str) -> None:
    # The report's plots are jupyter_aigov.charts; the widgets (ipywidgets front ends) are the dashboard's alone.
    loaded = subprocess.run(
        [sys.executable, "-c", f"import sys, {module}; print(*sorted(sys.modules), sep='\\n')"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert module in loaded
    assert [name for name in loaded if name.split(".")[:2] == ["jupyter_aigov", "widgets"]] == []
    assert "ipywidgets" not in loaded
