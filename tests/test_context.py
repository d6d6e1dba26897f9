"""Who is calling and from which notebook: the environment's names first, fallbacks after."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_aigov.context import acting_user, current_context, locate_notebook


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AIGOV_USER": "ada", "JUPYTERHUB_USER": "hub"}, "ada"),
        ({"JUPYTERHUB_USER": "hub"}, "hub"),
        ({"AIGOV_USER": "  "}, None),  # blank means unset: the OS user
    ],
)
def test_when_user_variables_are_set_then_the_first_non_blank_wins(env, expected):
    import getpass

    assert acting_user(env) == (expected or getpass.getuser())


@pytest.mark.parametrize(
    ("env", "user_ns", "source"),
    [
        ({"AIGOV_NOTEBOOK": "/a/x.ipynb", "JPY_SESSION_NAME": "/b/y.ipynb"}, {}, "AIGOV_NOTEBOOK"),
        ({"JPY_SESSION_NAME": "/b/y.ipynb"}, {"__session__": "/c/z.ipynb"}, "JPY_SESSION_NAME"),
        ({}, {"__session__": "/c/z.ipynb"}, "__session__"),
    ],
)
def test_when_the_server_names_the_notebook_then_that_name_is_used(env, user_ns, source):
    assert locate_notebook(env, user_ns, Path("/tmp"))[1] == source


def test_when_the_session_name_is_relative_then_the_kernel_cwd_is_the_notebook_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    context = current_context({"JPY_SESSION_NAME": "projects/churn/analysis.ipynb"}, {})
    assert context.notebook_dir == tmp_path
    assert context.stem == "analysis"


def test_when_nothing_names_the_notebook_then_a_fallback_keeps_logs_apart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    context = current_context({}, {})
    assert context.notebook_dir == tmp_path
    assert context.source in ("fallback", "script", "kernel id")
