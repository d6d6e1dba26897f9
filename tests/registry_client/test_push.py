"""`aigov push` against a real registry: stored, refused for each reason with a message, unreachable."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from jupyter_aigov.cli import main

from .conftest import Registry, free_port


def _push(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["push", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_when_a_bundle_is_pushed_then_it_is_stored_and_its_url_printed(
    registry: Registry, make_bundle: Callable[[int], Path], capsys: pytest.CaptureFixture[str]
):
    bundle = make_bundle(3)
    token = registry.token("churn", "submit")

    code, out, err = _push(capsys, str(bundle), "--registry", registry.url, "--token", token)
    again, out_again, _ = _push(capsys, str(bundle), "--registry", registry.url, "--token", token)

    assert code == 0, err
    bundle_id = out.split()[1]
    assert out.splitlines() == [
        f"Bundle {bundle_id} stored: {registry.url}/api/v1/bundles/{bundle_id}",
        f"  page: {registry.url}/bundles/{bundle_id}",
    ]
    assert again == 0 and "already held" in out_again and bundle_id in out_again
    assert registry.get(f"/api/v1/bundles/{bundle_id}", token).status_code == 200
    assert len(registry.decisions(token)) == 3


def test_when_the_registry_and_token_come_from_the_environment_then_the_push_uses_them(
    registry: Registry,
    make_bundle: Callable[[int], Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("AIGOV_REGISTRY_URL", registry.url + "/")
    monkeypatch.setenv("AIGOV_REGISTRY_TOKEN", registry.token("churn", "submit"))

    code, out, err = _push(capsys, str(make_bundle(2)))

    assert code == 0, err and f"{registry.url}/api/v1/bundles/" in out


def test_when_no_token_is_given_then_it_fails_naming_the_variable_to_set(
    registry: Registry, make_bundle: Callable[[int], Path], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
):  # fmt: skip
    monkeypatch.delenv("AIGOV_REGISTRY_TOKEN", raising=False)

    code, out, err = _push(capsys, str(make_bundle(1)), "--registry", registry.url)

    assert code == 1 and out == ""
    assert "needs a token: set AIGOV_REGISTRY_TOKEN" in err


def test_when_the_token_is_unknown_then_it_fails_saying_to_get_a_new_one(
    registry: Registry, make_bundle: Callable[[int], Path], capsys: pytest.CaptureFixture[str]
):
    code, _, err = _push(capsys, str(make_bundle(1)), "--registry", registry.url, "--token", "aigr_not-a-token")

    assert code == 1
    assert "does not accept the token in AIGOV_REGISTRY_TOKEN" in err and "unknown or revoked" in err


def test_when_the_token_may_only_read_then_it_fails_naming_the_role_needed(
    registry: Registry, make_bundle: Callable[[int], Path], capsys: pytest.CaptureFixture[str]
):
    token = registry.token("churn", "read")

    code, _, err = _push(capsys, str(make_bundle(1)), "--registry", registry.url, "--token", token)

    assert code == 1
    assert "the token's role does not allow this" in err and "--role submit" in err
    assert registry.get("/api/v1/bundles", token).json()["items"] == []


def test_when_the_bundle_was_tampered_with_then_it_fails_with_the_registrys_reason(
    registry: Registry, make_bundle: Callable[[int], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    original = make_bundle(3)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith("churn.jsonl"):
                data = data.replace(b'"user":"ada"', b'"user":"eve"', 1)
            target.writestr(item, data)
    token = registry.token("churn", "submit")

    code, _, err = _push(capsys, str(tampered), "--registry", registry.url, "--token", token)

    assert code == 1
    assert f"The registry at {registry.url} refused it: " in err and "churn.jsonl" in err
    assert registry.get("/api/v1/bundles", token).json()["items"] == []


def test_when_the_registry_is_not_running_then_it_retries_and_names_the_url(
    make_bundle: Callable[[int], Path], capsys: pytest.CaptureFixture[str]
):
    url = f"http://127.0.0.1:{free_port()}"

    code, _, err = _push(capsys, str(make_bundle(1)), "--registry", url, "--token", "t")

    assert code == 1
    assert f"The registry at {url} could not be reached after 4 attempt(s)" in err
    assert "AIGOV_REGISTRY_URL (or --registry)" in err


def test_when_no_registry_is_named_then_it_says_how_to_name_one(
    make_bundle: Callable[[int], Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("AIGOV_REGISTRY_URL", raising=False)

    code, _, err = _push(capsys, str(make_bundle(1)))

    assert code == 1 and "set AIGOV_REGISTRY_URL or pass --registry URL" in err


def test_when_the_bundle_does_not_exist_then_it_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    code, _, err = _push(capsys, str(tmp_path / "missing.zip"), "--registry", "http://127.0.0.1:9")

    assert code == 1 and "missing.zip is not a file" in err
