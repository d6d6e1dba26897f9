"""Which tools may be offered or called, and argument checks: a table of cases."""

from __future__ import annotations

import pytest

from aigov_core.policy import parse_policy_text
from jupyter_aigov.policy import for_context
from jupyter_aigov.tools import check_arguments, decide_tool

POLICY = """
version: 1
tools:
  allow: ["search_*", "get_weather", "run_sql", "send_email"]
  deny: ["run_shell", "delete_*", "search_private*"]
  arguments:
    - {tool: run_sql, path: query, deny_pattern: "(?i)\\\\b(drop|delete|truncate)\\\\b"}
    - {tool: send_email, path: to.domain, allow_pattern: "example\\\\.com"}
"""


def _effective():
    return for_context(parse_policy_text(POLICY), "ada", None)


@pytest.mark.parametrize(
    ("name", "allowed", "rule"),
    [
        ("search_web", True, "tools.allowed"),
        ("get_weather", True, "tools.allowed"),
        ("run_shell", False, "tools.deny"),
        ("delete_table", False, "tools.deny"),
        ("search_private_notes", False, "tools.deny"),  # deny wins over allow
        ("python_exec", False, "tools.allow"),  # not in the allow list
    ],
)
def test_when_a_tool_is_decided_then_the_table_holds(name, allowed, rule):
    verdict = decide_tool(_effective(), name)
    assert (verdict.allowed, verdict.rule) == (allowed, rule)
    assert name in verdict.reason


@pytest.mark.parametrize(
    ("name", "arguments", "refused"),
    [
        ("run_sql", {"query": "select * from churn"}, False),
        ("run_sql", {"query": "DROP TABLE churn"}, True),
        ("run_sql", {"limit": 5}, False),  # the checked argument is absent
        ("send_email", {"to": {"domain": "example.com"}}, False),
        ("send_email", {"to": {"domain": "evil.test"}}, True),
        ("search_web", {"query": "drop table"}, False),  # the check is for run_sql only
    ],
)
def test_when_arguments_are_checked_then_only_breaking_calls_are_refused(name, arguments, refused):
    verdict = check_arguments(_effective(), name, arguments)
    assert (verdict is not None) == refused
    if verdict is not None:
        assert verdict.rule == "tools.arguments"
        assert "DROP" not in verdict.reason and "evil" not in verdict.reason  # never the value
