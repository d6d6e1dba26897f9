"""Python children of a governed process start governed: same policy, user and evidence log, and say whose child."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aigov_core.evidence.verify import verify_log
from jupyter_aigov import inheritance

POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\nredaction:\n  entities: {}\n"
# what each child runs: an AI call with a model the policy denies, through httpx
CHILD_WORK = textwrap.dedent(
    """
    import os, sys

    def call(url):
        import httpx, aigov
        denied = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}
        try:
            httpx.post(url + "/v1/chat/completions", json=denied)
            return "sent"
        except aigov.PolicyViolation as refused:
            return "refused " + refused.rule

    if __name__ == "__main__":
        print("CHILD " + call(sys.argv[1]))
    """
)


@pytest.fixture
def child_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inheriting_site: str) -> Path:
    """childwork.py, importable here and in the children, which run aigov_inherit.pth at start."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "childwork.py").write_text(CHILD_WORK)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", inheriting_site)
    return folder / "childwork.py"


def _children_calls(governed) -> list[dict]:
    return [r for r in governed.records("ai.call") if "parent" in r]


def test_when_a_python_subprocess_calls_a_denied_model_then_it_is_refused_on_the_parents_record(
    governed, provider, child_work
):
    gateway = governed(POLICY)
    done = subprocess.run([sys.executable, str(child_work), provider.url], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "CHILD refused models.allow", done.stderr
    assert provider.received == []
    [record] = _children_calls(governed)
    assert record["decision"] == "block" and record["user"] == "ada"
    assert record["parent"] == {"session": gateway.session.context.session, "kernel": None, "pid": os.getpid()}
    assert verify_log(governed.log_path).ok


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_when_a_multiprocessing_child_calls_a_denied_model_then_it_is_refused_on_record(
    governed, provider, child_work, method
):
    governed(POLICY)
    import childwork  # type: ignore[import-not-found]

    with multiprocessing.get_context(method).Pool(1) as pool:
        assert pool.apply(childwork.call, (provider.url,)) == "refused models.allow"
    assert provider.received == []
    [record] = _children_calls(governed)
    assert record["decision"] == "block" and record["rules"] == ["models.allow"]
    assert verify_log(governed.log_path).ok


def test_when_governance_is_off_then_children_are_not_governed(governed, provider, child_work):
    governed(POLICY)
    from jupyter_aigov import governance

    governance.disable()
    assert inheritance.INHERIT_ENV not in os.environ
    done = subprocess.run([sys.executable, str(child_work), provider.url], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "CHILD sent"


def test_when_a_child_cannot_be_governed_then_it_stops_before_its_code_runs(governed, child_work, tmp_path):
    gateway = governed(POLICY)
    payload = json.loads(inheritance.handed_down(gateway))
    payload.update(policy=str(tmp_path / "gone.yaml"), session="elsewhere")
    env = {**os.environ, inheritance.INHERIT_ENV: json.dumps(payload)}
    done = subprocess.run([sys.executable, "-c", "print('ran')"], env=env, capture_output=True, text=True)
    assert done.returncode == inheritance.CHILD_EXIT_STATUS and "ran" not in done.stdout
    assert "could not be governed" in done.stderr


def test_the_pth_file_is_cheap_when_nothing_is_inherited():
    line = (Path(__file__).resolve().parent.parent / "aigov_inherit.pth").read_text().strip()
    assert line.startswith("import os;")  # site.py runs a .pth line that starts with "import"
    env = {k: v for k, v in os.environ.items() if k != inheritance.INHERIT_ENV}
    code = f"import sys; before = set(sys.modules); exec({line!r}); print(sorted(set(sys.modules) - before))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"  # not one module imported


def test_the_wheel_ships_the_pth_file_into_site_packages():
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    forced = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert forced == {"aigov_inherit.pth": "aigov_inherit.pth"}


def test_when_governance_changes_then_a_running_forkserver_starts_again_with_it(governed, provider, child_work):
    governed(POLICY)
    import childwork  # type: ignore[import-not-found]

    context = multiprocessing.get_context("forkserver")
    with context.Pool(1) as pool:
        assert pool.apply(childwork.call, (provider.url,)) == "refused models.allow"
    from jupyter_aigov import governance

    governance.disable()
    with context.Pool(1) as pool:  # forked by a forkserver started without governance
        assert pool.apply(childwork.call, (provider.url,)) == "sent"
