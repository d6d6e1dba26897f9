"""scripts/run_demo.py end to end, off a terminal as CI runs it: two notebooks in real kernels, a real Jupyter
server, a real registry. Slow (a minute or two): the one test of the demo's output."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import requests

from jupyter_aigov.testing.processes import stop, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]


def _after(lines: list[str], start: str) -> str:
    """The line after the first one that starts with ``start``."""
    index = next(number for number, line in enumerate(lines) if line.startswith(start))
    return lines[index + 1]


def _answers(url: str) -> bool:
    """Whether a server answers HTTP at ``url`` (any status)."""
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def test_when_the_demo_runs_off_a_terminal_then_what_it_prints_is_true(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_") and k != "JPY_SESSION_NAME"}
    env["AIGOV_KEY_DIR"] = str(tmp_path / "keys")  # the demo's bundle is signed with a key made here
    out = tmp_path / "build"
    notebooks = ["notebooks/inventory.ipynb", "notebooks/bundle.ipynb"]
    done = subprocess.run(
        [sys.executable, "scripts/run_demo.py", *notebooks, "--out", str(out)],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    printed = done.stdout
    assert done.returncode == 0, printed[-4000:] + done.stderr[-4000:]
    lines = printed.splitlines()

    # bundle.ipynb keeps its evidence in a temporary folder: the demo shows its calls and says where they are
    assert "no evidence" not in printed
    (status,) = [line for line in lines if line.startswith("bundle.ipynb")]
    assert "3 calls · 2 redactions · 1 blocked" in status
    kept = re.search(r"the notebook keeps it in (\S+)\)", printed)
    assert kept and Path(kept[1]).is_file() and Path(kept[1]).is_relative_to(out / "tmp" / "bundle")

    # the registry holds the model inventory.ipynb registered and had approved
    assert "Inventory:  1 model registered in the registry" in printed
    model = "openai-compatible-gpt-4o-mini: support-analytics, risk tier limited; assessments: nist-ai-rmf approved"
    assert model in printed

    # off a terminal the registry is stopped when the demo ends, and the demo says so after the addresses
    web = next(line for line in lines if line.startswith("Web UI:"))
    address = re.search(r"(http://127\.0\.0\.1:\d+)/ +\(sign in with the token (\S+)\)", web)
    assert address, web
    url, token = address.groups()
    assert lines.index(web) < next(n for n, line in enumerate(lines) if line.startswith("The registry is stopped now"))
    assert not _answers(url), f"the registry at {url} still answers after the demo said it stopped it"

    # the command it prints starts it again on the same database: the token works and the models are there
    command = shlex.split(_after(lines, "The registry is stopped now"))
    assert Path(command[0]).name == "aigov-registry" and command[1] == "serve"
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until_serving(url, server), "the printed command did not start the registry"
        answer = requests.get(f"{url}/api/v1/models", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert [item["id"] for item in answer.json()["items"]] == ["openai-compatible-gpt-4o-mini"]
    finally:
        stop(server, timeout_s=10)
