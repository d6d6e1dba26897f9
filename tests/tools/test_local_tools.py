"""`@aigov.tool`: in-process tools checked and recorded at every call."""

from __future__ import annotations

import pytest

import aigov

POLICY = """
version: 1
tools:
  deny: ["run_shell"]
  arguments:
    - {tool: run_sql, path: query, deny_pattern: "(?i)\\\\bdrop\\\\b"}
"""


@aigov.tool
def run_sql(query: str, limit: int = 10) -> str:
    return f"ran {query} limit {limit}"


@aigov.tool(name="run_shell")
def shell(command: str) -> str:
    return "should never run"


@aigov.tool
async def search_docs(text: str) -> str:
    return f"found {text}"


def test_when_governance_is_off_then_a_tool_just_runs():
    assert run_sql("select 1") == "ran select 1 limit 10"


def test_when_a_tool_call_is_allowed_then_it_runs_and_is_recorded(governed):
    governed(POLICY)
    assert run_sql("select * from churn", limit=5) == "ran select * from churn limit 5"
    (record,) = governed.records("tool.call")
    assert (record["tool"], record["decision"]) == ("run_sql", "allow")
    assert "churn" not in governed.log_path.read_text()  # arguments are never recorded


@pytest.mark.parametrize(
    ("call", "rule"),
    [(lambda: run_sql("DROP TABLE churn"), "tools.arguments"), (lambda: shell("rm -rf /"), "tools.deny")],
)
def test_when_a_tool_call_is_forbidden_then_tool_call_blocked_before_it_runs(governed, call, rule):
    governed(POLICY)
    with pytest.raises(aigov.ToolCallBlocked) as refused:
        call()
    assert refused.value.rule == rule
    (record,) = governed.records("tool.call")
    assert record["decision"] == "block"
    assert "rm -rf" not in governed.log_path.read_text() and "DROP" not in governed.log_path.read_text()


async def test_when_an_async_tool_is_called_then_it_is_checked_too(governed):
    governed(POLICY + "  allow: ['run_sql']\n")  # search_docs is not in the allow list
    with pytest.raises(aigov.ToolCallBlocked):
        await search_docs("x")
