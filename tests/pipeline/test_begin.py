"""The pipeline's request side, table-driven: one OutboundRequest in, a send plan or a refusal out, and its record.

Each row is a policy, a request as a layer would hand it over, and what must come of it: no AI call (None), an
allowed call with its send plan, or a refusal with its rule and exception class. The pipeline is the real one,
with its evidence log, budget ledger and detection engine in a temporary folder; nothing is sent anywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import aigov
from aigov_core.evidence import iter_records
from aigov_core.policy import parse_policy_text
from jupyter_aigov.context import RunContext
from jupyter_aigov.gateway import Gateway
from jupyter_aigov.pipeline import CallInFlight, OutboundRequest
from jupyter_aigov.policy.discover import LoadedPolicy

OPENAI = "https://api.openai.com/v1/chat/completions"
ANTHROPIC = "https://api.anthropic.com/v1/messages"


def chat(model: str = "gpt-4o-mini", text: str = "hello", **extra: Any) -> bytes:
    return json.dumps({"model": model, "messages": [{"role": "user", "content": text}], **extra}).encode()


TOOL = {"type": "function", "function": {"name": "run_shell", "parameters": {"type": "object"}}}
SEARCH = {"type": "function", "function": {"name": "search_web", "parameters": {"type": "object"}}}


@dataclass
class Row:
    policy: str
    url: str
    body: bytes | None
    # expected: "none" (not an AI call), "allow", "redact", or the refusal's exception class
    outcome: str | type[aigov.PolicyViolation]
    rule: str = ""  # the first rule of the record (and of the refusal)
    headers: dict[str, str] = field(default_factory=lambda: {"authorization": "Bearer sk-caller"})
    check: str = ""  # something else to look at, named in `_check`
    use_case: str | None = None


ROWS = {
    "not-ai": Row("version: 1\n", "https://example.com/v1/upload", b"{}", "none"),
    "allowed": Row("version: 1\nmodels: {allow: [gpt-4o-mini]}\n", OPENAI, chat(), "allow", "models.allowed"),
    "model-denied": Row(
        "version: 1\nmodels: {deny: ['gpt-4o*']}\n", OPENAI, chat(), aigov.PolicyViolation, "models.deny"
    ),
    "model-not-allowed": Row(
        "version: 1\nmodels: {allow: [claude-*]}\n", OPENAI, chat(), aigov.PolicyViolation, "models.allow"
    ),
    "use-case-required": Row(
        "version: 1\nrequire_use_case: true\nuse_cases: {x: {users: ['*']}}\n",
        OPENAI,
        chat(),
        aigov.PolicyViolation,
        "use_case.required",
    ),
    "use-case-declared": Row(
        "version: 1\nrequire_use_case: true\nuse_cases: {x: {users: ['*']}}\n",
        OPENAI,
        chat(),
        "allow",
        "models.allowed",
        use_case="x",
    ),
    "unregistered": Row(
        "version: 1\nrequire_registered_model: true\n", OPENAI, chat(), aigov.PolicyViolation, "inventory.unregistered"
    ),
    "tool-offered-refused": Row(
        "version: 1\ntools: {deny: [run_shell]}\n", OPENAI, chat(tools=[TOOL]), aigov.PolicyViolation, "tools.deny"
    ),
    "tool-offered-stripped": Row(
        "version: 1\ntools: {deny: [run_shell], on_forbidden_definition: strip}\n",
        OPENAI,
        chat(tools=[TOOL, SEARCH]),
        "allow",
        "models.allowed",
        check="stripped",
    ),
    "secret-blocked": Row(
        "version: 1\nredaction: {entities: {SECRET: block}}\n",
        OPENAI,
        chat(text="my key is sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678"),
        aigov.PolicyViolation,
        "redaction.block",
    ),
    "email-redacted": Row(
        "version: 1\nredaction: {entities: {EMAIL_ADDRESS: redact}}\n",
        OPENAI,
        chat(text="write to ada.lovelace@example.org today"),
        "redact",
        "models.allowed",
        check="redacted",
    ),
    "budget-spent": Row(
        "version: 1\nbudgets: {tokens_per_session: 1}\n",
        OPENAI,
        chat(text="a prompt that is longer than one token"),
        aigov.BudgetExceeded,
        "budgets.tokens_per_session",
    ),
    "unreadable-body": Row(
        "version: 1\nmodels: {deny: ['gpt-4o*']}\n", OPENAI, b"{not json", aigov.PolicyViolation, "request.unreadable"
    ),
    "route": Row(
        "version: 1\nroutes:\n  - {match: 'gpt-*', to: {base_url: 'https://llm.internal.example/v1', model: m1}}\n",
        OPENAI,
        chat(),
        "allow",
        "models.allowed",
        check="routed",
    ),
    "anthropic-denied": Row(
        "version: 1\nmodels: {deny: ['claude-*']}\n",
        ANTHROPIC,
        json.dumps(
            {"model": "claude-3-5-haiku", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
        ).encode(),
        aigov.PolicyViolation,
        "models.deny",
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
    ),
}


def _gateway(tmp_path: Path, policy: str, use_case: str | None) -> Gateway:
    loaded = LoadedPolicy(parse_policy_text(policy, "aigov.yaml"), "aigov.yaml", "file", "0" * 64, None)
    context = RunContext("ada", "analysis.ipynb", tmp_path, "session1", "test")
    return Gateway(loaded, context, tmp_path / "evidence", use_case)


@pytest.mark.parametrize("name", list(ROWS))
def test_when_a_request_is_begun_then_the_outcome_matches_the_table(name: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AIGOV_INVENTORY_DIR", str(tmp_path / "inventory"))
    row = ROWS[name]
    gateway = _gateway(tmp_path, row.policy, row.use_case)
    outbound = OutboundRequest("httpx", "POST", row.url, row.headers, row.body)
    try:
        if row.outcome == "none":
            assert gateway.pipeline.begin(outbound) is None
            assert _records(gateway) == []
            return
        if isinstance(row.outcome, type):
            with pytest.raises(aigov.PolicyViolation) as refused:
                gateway.pipeline.begin(outbound)
            assert type(refused.value) is row.outcome
            assert refused.value.rule == row.rule
            (record,) = _records(gateway)
            assert refused.value.record == record
            assert (record["decision"], record["rules"][0]) == ("block", row.rule)
            assert gateway.pipeline.tally.counts["block"] == 1
            return
        call = gateway.pipeline.begin(outbound)
        assert isinstance(call, CallInFlight)
        (record,) = _records(gateway)
        assert (record["decision"], record["rules"][0]) == (row.outcome, row.rule)
        assert call.call_record == record
        _check(row.check, call, record)
    finally:
        gateway.close()


def _check(what: str, call: CallInFlight, record: dict[str, Any]) -> None:
    plan = call.plan
    if what == "":
        assert (plan.url, plan.body, dict(plan.set_headers), plan.drop_headers) == (None, None, {}, frozenset())
    elif what == "stripped":
        assert record["tools_stripped"] == ["run_shell"] and "tools.strip" in record["rules"]
        sent = json.loads(plan.body or b"")
        assert [tool["function"]["name"] for tool in sent["tools"]] == ["search_web"]
        assert plan.headers({"Content-Length": "1"})["Content-Length"] == str(len(plan.body or b""))
    elif what == "redacted":
        sent = (plan.body or b"").decode()
        assert "ada.lovelace@example.org" not in sent and "EMAIL_ADDRESS" in sent
        assert record["entities"] == {"EMAIL_ADDRESS": 1} and "redaction.redact" in record["rules"]
        # the answer will be read on its way back (values restored): asked for uncompressed
        assert plan.set_headers.get("Accept-Encoding") == "identity"
    elif what == "routed":
        assert plan.url == "https://llm.internal.example/v1/chat/completions"
        assert "authorization" in plan.drop_headers
        assert json.loads(plan.body or b"")["model"] == "m1"
        assert record["routed_model"] == "m1" and record["requested_model"] == "gpt-4o-mini"
        headers = plan.headers({"Authorization": "Bearer sk-caller", "Accept": "application/json"})
        assert "Bearer sk-caller" not in headers.values() and headers["Accept"] == "application/json"
    else:
        raise AssertionError(f"unknown check {what!r}")


def _records(gateway: Gateway) -> list[dict[str, Any]]:
    gateway.evidence.flush()
    path = gateway.evidence.log.path
    return [r for r in iter_records(path) if r["event"] == "ai.call"] if path.exists() else []
