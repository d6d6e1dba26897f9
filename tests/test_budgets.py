"""Budgets through the real SDKs and a real kernel: a call that would go over is refused before it is sent."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import anthropic
import openai
import pytest
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

import aigov
from jupyter_aigov.testing import Reply

HI = [{"role": "user", "content": "hi"}]


def ask(client: openai.OpenAI, model: str = "gpt-4o-mini") -> None:
    client.chat.completions.create(model=model, messages=HI)


def test_requests_per_minute_refuses_the_call_over_the_rate_before_it_is_sent(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed("version: 1\nbudgets:\n  requests_per_minute: 2\n")
    ask(client)
    ask(client)
    with pytest.raises(aigov.BudgetExceeded) as refused:
        ask(client)
    assert refused.value.rule == "budgets.requests_per_minute"
    assert "requests_per_minute" in str(refused.value) and refused.value.hint
    assert len(provider.received) == 2
    blocked = [r for r in governed.records("ai.call") if r["decision"] == "block"]
    assert [r["rules"] for r in blocked] == [["budgets.requests_per_minute"]]


def test_tokens_per_session_counts_what_the_provider_reported(governed, provider):
    client = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    governed("version: 1\nbudgets:\n  tokens_per_session: 1000\n")
    provider.script(Reply(input_tokens=700, output_tokens=200))
    client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=HI)
    with pytest.raises(aigov.BudgetExceeded) as refused:  # anthropic's retries and wrapping do not hide it
        client.messages.create(
            model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x" * 800}]
        )
    assert refused.value.rule == "budgets.tokens_per_session"
    assert len(provider.received) == 1


def test_usd_per_day_uses_the_price_library_and_records_the_cost(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed("version: 1\nbudgets:\n  usd_per_day: 0.5\n")
    provider.script(Reply(input_tokens=2_000_000, output_tokens=100_000))  # gpt-4o-mini: about $0.36
    ask(client)
    (response,) = governed.records("ai.response")
    assert 0.3 < response["cost_usd"] < 0.5 and "genai-prices" in response["priced_as"]
    provider.script(Reply(input_tokens=1_000_000, output_tokens=0))
    ask(client)  # 0.36 spent, this one's estimate is small: sent, and it costs 0.15
    with pytest.raises(aigov.BudgetExceeded) as refused:
        ask(client)
    assert refused.value.rule == "budgets.usd_per_day"
    status = aigov.status()["budgets"]
    assert status["limits"] == {"usd_per_day": 0.5} and status["spent"]["usd_per_day"] > 0.5


def test_use_case_budget_is_separate_from_the_users(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    policy = "version: 1\nuse_cases:\n  churn:\n    users: ['*']\n    budgets: {requests_per_minute: 1}\n"
    governed(policy, AIGOV_USE_CASE="churn")
    ask(client)
    with pytest.raises(aigov.BudgetExceeded):
        ask(client)
    aigov.set_use_case(None)  # the top-level policy sets no budget
    ask(client)


def test_cost_is_recorded_without_budgets_too(governed, provider):
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    governed("version: 1\n")
    provider.script(Reply(input_tokens=1000, output_tokens=1000))
    ask(client)
    (response,) = governed.records("ai.response")
    assert response["usage"] == {"input_tokens": 1000, "output_tokens": 1000} and response["cost_usd"] > 0
    assert not (governed.tmp_path / "evidence" / "budgets.sqlite3").exists()  # nothing to count against


SETUP = """
import os, openai, aigov
%load_ext aigov
client = openai.OpenAI(base_url=os.environ["PROVIDER"], api_key="x")
def ask():
    try:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        print("sent")
    except aigov.BudgetExceeded as refused:
        print("refused", refused.rule)
"""


def test_a_session_budget_survives_a_kernel_restart(tmp_path: Path, provider):
    (tmp_path / "aigov.yaml").write_text("version: 1\nbudgets:\n  tokens_per_session: 1000\n")
    notebook = new_notebook(cells=[new_code_cell(SETUP), new_code_cell("ask()\nask()"), new_code_cell("ask()")])
    env = {**os.environ, "JPY_SESSION_NAME": str(tmp_path / "agent.ipynb"), "PROVIDER": provider.openai_base_url}
    for name in ("AIGOV_POLICY", "AIGOV_EVIDENCE_DIR", "AIGOV_NOTEBOOK", "AIGOV_USE_CASE"):
        env.pop(name, None)
    provider.script(Reply(input_tokens=500, output_tokens=100), Reply(input_tokens=500, output_tokens=100))
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with client.setup_kernel(env=env):
        client.execute_cell(notebook.cells[0], 0)
        client.execute_cell(notebook.cells[1], 1)
        assert [o["text"] for o in notebook.cells[1].outputs] == ["sent\nsent\n"]
        run_sync(client.km.restart_kernel)(now=True)
        run_sync(client.kc.wait_for_ready)(timeout=60)
        client.execute_cell(notebook.cells[0], 0)
        client.execute_cell(notebook.cells[2], 2)
    assert notebook.cells[2].outputs[0]["text"] == "refused budgets.tokens_per_session\n"
    records = [json.loads(line) for line in (tmp_path / ".aigov" / "evidence" / "agent.jsonl").open()]
    loads = [r for r in records if r["event"] == "extension.load"]
    assert len(loads) == 2 and loads[0]["session"] != loads[1]["session"]  # two kernel processes
    assert len(provider.received) == 2
    with sqlite3.connect(tmp_path / ".aigov" / "evidence" / "budgets.sqlite3") as ledger:
        sessions = {row[0] for row in ledger.execute("SELECT session FROM calls")}
    assert len(sessions) == 1  # the kernel's id: the same before and after the restart


def test_when_the_user_changes_and_aigov_reloads_then_it_is_recorded_and_budgets_are_not_reset(
    tmp_path: Path, provider
):
    (tmp_path / "aigov.yaml").write_text("version: 1\nbudgets:\n  requests_per_minute: 2\n")
    notebook = new_notebook(
        cells=[
            new_code_cell(SETUP),
            new_code_cell("ask()\nask()\nask()"),
            new_code_cell("import os\nos.environ['AIGOV_USER'] = 'other'\n%reload_ext aigov\nask()"),
        ]
    )
    env = {**os.environ, "JPY_SESSION_NAME": str(tmp_path / "agent.ipynb"), "PROVIDER": provider.openai_base_url}
    env["AIGOV_USER"] = "ada"
    for name in ("AIGOV_POLICY", "AIGOV_EVIDENCE_DIR", "AIGOV_NOTEBOOK", "AIGOV_USE_CASE"):
        env.pop(name, None)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env=env)
    assert notebook.cells[1].outputs[0]["text"] == "sent\nsent\nrefused budgets.requests_per_minute\n"
    assert notebook.cells[2].outputs[-1]["text"].endswith("refused budgets.requests_per_minute\n")  # no fresh budget
    records = [json.loads(line) for line in (tmp_path / ".aigov" / "evidence" / "agent.jsonl").open()]
    (changed,) = [r for r in records if r["event"] == "user.changed"]
    assert (changed["previous_user"], changed["user"]) == ("ada", "other")
    assert len(provider.received) == 2


def test_when_the_evidence_folder_changes_and_aigov_reloads_then_both_logs_say_so_and_budgets_hold(
    tmp_path: Path, provider
):
    (tmp_path / "aigov.yaml").write_text("version: 1\nbudgets:\n  requests_per_minute: 2\n")
    elsewhere = tmp_path / "elsewhere"
    notebook = new_notebook(
        cells=[
            new_code_cell(SETUP),
            new_code_cell("ask()\nask()"),
            new_code_cell(
                f"import os\nos.environ['AIGOV_EVIDENCE_DIR'] = {str(elsewhere)!r}\n%reload_ext aigov\nask()"
            ),
        ]
    )
    env = {**os.environ, "JPY_SESSION_NAME": str(tmp_path / "agent.ipynb"), "PROVIDER": provider.openai_base_url}
    for name in ("AIGOV_POLICY", "AIGOV_EVIDENCE_DIR", "AIGOV_NOTEBOOK", "AIGOV_USE_CASE"):
        env.pop(name, None)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env=env)
    assert notebook.cells[2].outputs[-1]["text"].endswith("refused budgets.requests_per_minute\n")  # no fresh budget
    first = [json.loads(line) for line in (tmp_path / ".aigov" / "evidence" / "agent.jsonl").open()]
    second = [json.loads(line) for line in (elsewhere / "agent.jsonl").open()]
    (changed,) = [r for r in first if r["event"] == "context.changed"]
    assert changed["previous_evidence_dir"] == str(tmp_path / ".aigov" / "evidence")
    assert first[-1]["event"] == "extension.unload"  # the first gateway handed over, and its log still verifies
    assert [r for r in second if r["event"] == "context.changed"]
    assert len(provider.received) == 2
