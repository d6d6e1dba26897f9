"""What every endpoint refuses: requests without a token, a missing path, a path that leaves the server root."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_aigov.server.paths import OutsideRootError, file_under_root, notebook_stem

ENDPOINTS = [("GET", "notebook"), ("GET", "bundle"), ("POST", "export"), ("POST", "push")]


def ask(fetch: Any, method: str, endpoint: str, path: str | None, **kwargs: Any) -> Any:
    """One request to an endpoint, with ``path`` as the query parameter (GET) or the JSON body's field (POST)."""
    if method == "GET":
        params = {"path": path, "name": "x.zip"} if path is not None else {"name": "x.zip"}
        return fetch("aigov", endpoint, params=params, **kwargs)
    body = {"path": path} if path is not None else {}
    return fetch("aigov", endpoint, method="POST", json_body=body, **kwargs)


@pytest.mark.parametrize(("method", "endpoint"), ENDPOINTS)
def test_when_the_path_is_missing_then_400_says_what_to_send(
    in_root: Any, fetch: Any, method: str, endpoint: str
) -> None:
    response = ask(fetch, method, endpoint, None)
    assert response.code == 400
    message = json.loads(response.body)["message"]
    assert message.startswith("Missing") and "path (the notebook's path relative to the server root)" in message
    if method == "GET":
        assert message == "Missing query parameter: path (the notebook's path relative to the server root)"


@pytest.mark.parametrize(("method", "endpoint"), ENDPOINTS)
@pytest.mark.parametrize("path", ["../outside.ipynb", "/etc/passwd", "work/../../outside.ipynb", "..", "a\\..\\b"])
def test_when_the_path_leaves_the_root_then_404(
    in_root: Any, fetch: Any, method: str, endpoint: str, path: str
) -> None:
    response = ask(fetch, method, endpoint, path)
    assert response.code == 404


def test_when_a_link_inside_the_root_leads_out_of_it_then_404(in_root: Path, fetch: Any, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / ".aigov" / "evidence").mkdir(parents=True)
    (outside / ".aigov" / "evidence" / "x.jsonl").write_text("{}\n")
    (in_root / "linked").symlink_to(outside)
    assert fetch("aigov", "notebook", params={"path": "linked/x.ipynb"}).code == 404


@pytest.mark.parametrize(("method", "endpoint"), ENDPOINTS)
def test_when_a_request_has_no_token_then_it_is_refused(in_root: Any, fetch: Any, method: str, endpoint: str) -> None:
    response = ask(fetch, method, endpoint, "work/churn.ipynb", headers={"Authorization": ""})
    assert response.code in (401, 403)
    assert b"churn" not in response.body


def test_when_a_request_has_a_wrong_token_then_403(in_root: Any, fetch: Any) -> None:
    response = fetch("aigov", "notebook", params={"path": "work/x.ipynb"}, headers={"Authorization": "token nope"})
    assert response.code == 403


@pytest.mark.parametrize(
    ("path", "expected"),
    [("work/churn.ipynb", "work/churn.ipynb"), ("a b/c.ipynb", "a b/c.ipynb"), ("x.ipynb", "x.ipynb")],
)
def test_when_a_path_stays_in_the_root_then_it_names_the_file_under_it(
    tmp_path: Path, path: str, expected: str
) -> None:
    assert file_under_root(tmp_path, path) == tmp_path / expected


@pytest.mark.parametrize("path", ["", "/x.ipynb", "../x.ipynb", "a/../../x", "a\\b", "a\x00b"])
def test_when_a_path_would_leave_the_root_then_it_is_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(OutsideRootError):
        file_under_root(tmp_path, path)


@pytest.mark.parametrize(
    ("name", "stem"),
    [("work/churn.ipynb", "churn"), ("run.py", "run"), (".ipynb", "notebook"), ("data.csv", "data.csv")],
)
def test_when_a_notebook_is_named_then_its_log_stem_is_the_kernels(name: str, stem: str) -> None:
    assert notebook_stem(name) == stem
