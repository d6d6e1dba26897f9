"""A real Jupyter server with the extension enabled (pytest-jupyter), and evidence written the real way.

pytest-asyncio (auto mode, for the rest of the suite) would run ``async def`` tests on a loop of its own, not
the server's, so these tests are plain functions that drive the server's loop through ``fetch``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import openai
import pytest
from nbformat.v4 import new_code_cell, new_notebook

# pytest-jupyter's fixtures for this folder only. As a plugin (pytest_plugins, allowed only in the top conftest)
# they would be the whole suite's, with its autouse event-loop fixture and its collection of `async def` tests,
# which the rest of the suite (pytest-asyncio) must not get.
from pytest_jupyter.jupyter_core import *  # noqa: F403
from pytest_jupyter.jupyter_server import *  # noqa: F403
from registry_client.conftest import registry  # noqa: F401 (a fixture: the real registry pushes go to)
from tornado.httpclient import HTTPResponse

import aigov
from jupyter_aigov.gateway import Gateway
from jupyter_aigov.testing import Reply, StandInProvider, ToolCall

POLICY = """version: 1
models: {deny: ["gpt-4o"]}
redaction:
  entities: {PERSON: redact, EMAIL_ADDRESS: redact, SECRET: block}
  deadline_ms: 30000
tools:
  allow: ["get_weather"]
  deny: ["run_shell"]
"""
WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}
NOTEBOOK = "work/churn.ipynb"
LOG = "work/.aigov/evidence/churn.jsonl"

Fetch = Callable[..., HTTPResponse]


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    """The server under test loads this extension (and nothing else)."""
    return {"ServerApp": {"jpserver_extensions": {"jupyter_aigov.server": True}}}


@pytest.fixture
def fetch(jp_fetch: Any, jp_asyncio_loop: Any) -> Fetch:
    """Request ``parts`` of the server (authenticated unless headers say otherwise); non-2xx answers are returned.

    ``json=`` sends a JSON body; the response is returned whatever its status.
    """

    def send(*parts: str, json_body: Any = None, **kwargs: Any) -> HTTPResponse:
        if json_body is not None:
            kwargs["body"] = json.dumps(json_body)
        kwargs.setdefault("raise_error", False)
        # tornado's client makes its future on the current loop: after the suite's earlier asyncio tests that may be
        # none, while jupyter_core still hands out the loop it cached then (its loop, not the thread's current one)
        asyncio.set_event_loop(jp_asyncio_loop)
        response: HTTPResponse = jp_asyncio_loop.run_until_complete(jp_fetch(*parts, **kwargs))
        return response

    return send


@pytest.fixture
def state(fetch: Fetch) -> Callable[[str], dict[str, Any]]:
    """GET aigov/notebook for a path; the test fails unless it answers 200."""

    def get(path: str) -> dict[str, Any]:
        response = fetch("aigov", "notebook", params={"path": path})
        assert response.code == 200, response.body
        answer: dict[str, Any] = json.loads(response.body)
        return answer

    return get


@pytest.fixture
def in_root(jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Evidence, inventory and keys where a user's server keeps them: beside the notebooks under the root."""
    monkeypatch.delenv("AIGOV_EVIDENCE_DIR", raising=False)
    monkeypatch.delenv("AIGOV_INVENTORY_DIR", raising=False)
    for name in ("AIGOV_REGISTRY_URL", "AIGOV_REGISTRY_TOKEN", "AIGOV_POLICY", "AIGOV_USE_CASE", "AIGOV_SIGNING_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIGOV_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("AIGOV_USER", "ada")
    (jp_root_dir / "work").mkdir()
    (jp_root_dir / "work" / "aigov.yaml").write_text(POLICY)
    return jp_root_dir


def write_notebook(path: Path) -> None:
    """A notebook as saved after it ran a governed call."""
    notebook = new_notebook(cells=[new_code_cell("%load_ext aigov\nclient.chat.completions.create(...)")])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook))


@pytest.fixture
def governed_notebook(
    in_root: Path, governed: Any, provider: StandInProvider, monkeypatch: pytest.MonkeyPatch
) -> Gateway:
    """work/churn.ipynb after real SDK calls through the gateway: allowed, redacted, blocked, two tool calls."""
    monkeypatch.setenv("AIGOV_NOTEBOOK", str(in_root / NOTEBOOK))
    monkeypatch.delenv("AIGOV_EVIDENCE_DIR", raising=False)  # the `governed` fixture set them; undo after it
    monkeypatch.delenv("AIGOV_INVENTORY_DIR", raising=False)
    write_notebook(in_root / NOTEBOOK)
    gateway: Gateway = governed()  # the policy is discovered: work/aigov.yaml
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=0)
    ask = client.chat.completions.create
    ask(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}])
    ask(model="gpt-4o-mini", messages=[{"role": "user", "content": "Write to Frank Holt at frank.holt@example.com"}])
    with pytest.raises(aigov.PolicyViolation):
        ask(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    provider.script(
        Reply(tool_calls=[ToolCall("get_weather", {"city": "Paris"})]),
        Reply(tool_calls=[ToolCall("run_shell", {"command": "rm -rf /"})]),
    )
    ask(model="gpt-4o-mini", messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER_TOOL])
    with pytest.raises(aigov.ToolCallBlocked):
        ask(model="gpt-4o-mini", messages=[{"role": "user", "content": "Clean up"}], tools=[WEATHER_TOOL])
    aigov.register_model(
        name="GPT-4o mini", provider="openai", model_ids=["gpt-4o-mini"], owner="ada",
        intended_purpose="churn triage", risk_tier="minimal",
    )  # fmt: skip
    gateway.evidence.flush()
    assert (in_root / LOG).is_file()
    return gateway
