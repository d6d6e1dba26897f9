"""Faults and bad input: every one ends in a clear decision on record, never a silent pass."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import httpx2
import pytest

import aigov
from aigov_core.errors import PolicyError
from jupyter_aigov.pipeline import flow
from jupyter_aigov.testing import Reply

ALLOW_LIST = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\n"
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}
USE_CASES = """
version: 1
require_use_case: true
use_cases:
  churn-analysis:
    users: ["ada", "grace"]
  finance:
    users: ["alan"]
"""


def test_when_body_is_not_json_on_a_known_ai_host_then_the_unreadable_model_is_refused(governed):
    governed(ALLOW_LIST)
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post("https://api.openai.com/v1/chat/completions", content=b"{not json")
    assert refused.value.rule == "models.allow"
    assert "could not be read" in refused.value.reason
    (call,) = governed.records("ai.call")
    assert (call["provider"], call["model"], call["decision"]) == ("openai", None, "block")


def test_when_response_is_cut_off_then_the_error_is_recorded(governed, provider):
    governed(ALLOW_LIST)
    provider.script(Reply(cut_off=True))
    with pytest.raises(httpx2.RemoteProtocolError):
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    (response,) = governed.records("ai.response")
    assert response["error"] == "RemoteProtocolError"
    assert response["usage"] is None


def test_when_provider_answers_an_error_status_then_status_is_recorded(governed, provider):
    governed(ALLOW_LIST)
    provider.script(Reply(status=429))
    assert httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT).status_code == 429
    (response,) = governed.records("ai.response")
    assert response["status"] == 429


def test_when_deciding_fails_then_the_call_is_blocked_and_the_failure_recorded(governed, provider, monkeypatch):
    governed(ALLOW_LIST)

    def broken(*args, **kwargs):
        raise RuntimeError("decider exploded")

    monkeypatch.setattr(flow, "decide", broken)
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    assert refused.value.rule == "on_error.block"
    assert "decider exploded" in refused.value.reason
    (error,) = governed.records("gateway.error")
    assert error["decision"] == "block"
    assert provider.received == []


def test_when_a_failure_message_quotes_personal_data_then_the_record_names_only_the_exception_type(
    governed, provider, monkeypatch
):
    governed(ALLOW_LIST)

    def broken(*args, **kwargs):
        raise KeyError("no rule for frank.holt@example.com")

    monkeypatch.setattr(flow, "decide", broken)
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    assert "frank.holt@example.com" in str(refused.value)  # on screen, for whoever debugs it
    (error,) = governed.records("gateway.error")
    assert error["reason"] == "aigov failed while deciding on this call (KeyError)."
    assert "frank.holt" not in governed.log_path.read_text()


def test_when_settling_the_budget_fails_then_the_response_record_names_only_the_exception_type(
    governed, provider, monkeypatch
):
    gateway = governed("version: 1\nbudgets:\n  tokens_per_session: 100000\n")

    def broken(*args, **kwargs):
        raise ValueError("row of frank.holt@example.com is locked")

    monkeypatch.setattr(gateway.budgets, "settle", broken)
    assert httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT).status_code == 200
    (response,) = governed.records("ai.response")
    assert response["error"] == "budget ledger: ValueError"
    assert "frank.holt" not in governed.log_path.read_text()


def test_when_on_error_is_allow_then_a_failure_lets_the_call_through_on_record(governed, provider, monkeypatch):
    governed("version: 1\non_error: allow\n")
    monkeypatch.setattr(flow, "decide", lambda *a, **k: 1 / 0)
    assert httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT).status_code == 200
    (error,) = governed.records("gateway.error")
    assert (error["decision"], error["rules"]) == ("allow", ["on_error.allow"])


@pytest.mark.parametrize(
    ("use_case", "user", "rule"),
    [
        (None, "ada", "use_case.required"),
        ("fraud", "ada", "use_case.unknown"),
        ("finance", "ada", "use_case.user_not_listed"),
        ("churn-analysis", "ada", None),
    ],
)
def test_when_use_cases_are_required_then_the_table_holds(governed, provider, use_case, user, rule):
    env = {"AIGOV_USER": user, **({"AIGOV_USE_CASE": use_case} if use_case else {})}
    governed(USE_CASES, **env)
    if rule is None:
        assert httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT).status_code == 200
        return
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    assert refused.value.rule == rule
    assert refused.value.hint


def test_when_use_case_is_declared_later_then_calls_follow_it(governed, provider):
    governed(USE_CASES)
    with pytest.raises(aigov.PolicyViolation):
        httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    aigov.set_use_case("churn-analysis")
    assert httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT).status_code == 200
    assert [r["use_case"] for r in governed.records("ai.call")] == [None, "churn-analysis"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nmodels: [oops\n", "YAML syntax error"),
        ("version: 1\nmodles:\n  allow: []\n", "modles: unknown key"),
        ("version: 1\nmodels:\n  allow: gpt-4o\n", "models.allow"),
    ],
)
def test_when_policy_is_bad_then_loading_stops_and_nothing_is_patched(governed, text, expected):
    original = httpx2.Client.__dict__["_send_single_request"]
    with pytest.raises(PolicyError) as error:
        governed(text)
    assert expected in str(error.value)
    assert aigov.status() == {"enabled": False}
    assert httpx2.Client.__dict__["_send_single_request"] is original


def _as_nobody(work) -> str:
    """Run work() in a forked child that dropped root (root ignores folder permissions); its output."""
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe and exits
        try:
            os.close(read_end)
            os.setgid(65534)
            os.setuid(65534)
            text = work()
        except BaseException as exc:
            text = f"child failed: {type(exc).__name__}: {exc}"
        os.write(write_end, text.encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        text = pipe.read()
    os.waitpid(child, 0)
    return text


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root on POSIX to drop to nobody")
def test_when_evidence_folder_is_read_only_then_the_call_is_blocked_saying_so(provider, monkeypatch):
    # pytest's tmp_path sits in a folder only root may enter: this test needs one 'nobody' can reach
    base = Path(tempfile.mkdtemp(prefix="aigov-ro-"))
    os.chmod(base, 0o755)
    evidence = base / "evidence"
    evidence.mkdir()
    os.chmod(evidence, 0o555)
    (base / "aigov.yaml").write_text(ALLOW_LIST)
    for name, value in {
        "AIGOV_EVIDENCE_DIR": str(evidence),
        "AIGOV_NOTEBOOK": str(base / "ro.ipynb"),
        "AIGOV_USER": "ada",
        "AIGOV_POLICY": str(base / "aigov.yaml"),
    }.items():
        monkeypatch.setenv(name, value)

    def work() -> str:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            aigov.enable()
        try:
            httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
            return "not refused"
        except aigov.PolicyViolation as refusal:
            return "\n".join([refusal.rule, refusal.reason, refusal.hint, str(caught[0].message)])

    output = _as_nobody(work)
    rule, reason, hint, warning = ([*output.split("\n"), "", "", "", ""])[:4]
    assert not output.startswith("child failed"), output
    assert rule == "on_error.block"
    assert "could not write the evidence" in reason and str(evidence) in reason
    assert "AIGOV_EVIDENCE_DIR" in hint
    assert "aigov:" in warning  # loading warned at once instead of failing silently
    assert provider.received == []
    shutil.rmtree(base)


def test_when_a_call_completes_then_its_usage_rides_with_the_next_durable_write(governed, provider):
    gateway = governed(ALLOW_LIST)
    httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    on_disk = [json.loads(line)["event"] for line in governed.log_path.read_text().splitlines()]
    assert on_disk[-1] == "ai.call"  # the accounting is queued, the decision is on disk
    httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    on_disk = [json.loads(line)["event"] for line in governed.log_path.read_text().splitlines()]
    assert on_disk[-3:] == ["ai.call", "ai.response", "ai.call"]  # one write, one sync: a group commit
    gateway.evidence.flush()
    assert json.loads(governed.log_path.read_text().splitlines()[-1])["event"] == "ai.response"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_when_a_governed_process_forks_then_the_child_is_its_own_session_and_nothing_is_written_twice(
    governed, provider
):
    gateway = governed(ALLOW_LIST)
    httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)  # leaves its usage queued
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit code
        try:
            httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
            aigov.disable()
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    gateway.evidence.flush()
    records = governed.records("ai.call", "ai.response")
    responses = [r["call_id"] for r in records if r["event"] == "ai.response"]
    assert len(responses) == len(set(responses)) == 2  # the parent's queued record was not copied
    assert len({r["session"] for r in records}) == 2


def test_when_governance_stops_while_a_stream_is_read_then_its_usage_is_still_recorded(governed, provider):
    governed(ALLOW_LIST)
    body = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
    with httpx2.stream("POST", provider.openai_base_url + "/chat/completions", json=body) as reply:
        aigov.disable()
        list(reply.iter_lines())
    (response,) = [
        json.loads(line)
        for line in governed.log_path.read_text().splitlines()
        if json.loads(line)["event"] == "ai.response"
    ]
    assert response["usage"]["output_tokens"]


def test_when_the_use_case_changes_after_a_call_then_its_response_keeps_the_calls_use_case(governed, provider):
    gateway = governed("version: 1\n", AIGOV_USE_CASE="first")
    with httpx2.stream("POST", provider.openai_base_url + "/chat/completions", json=CHAT) as reply:
        aigov.set_use_case("second")
        reply.read()
    gateway.evidence.flush()
    (call,) = governed.records("ai.call")
    (response,) = governed.records("ai.response")
    assert call["use_case"] == response["use_case"] == "first"
