"""Evidence written by governed calls: no prompt or response text in it, and several kernels share one log."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import anthropic
import httpx2
import openai
import pytest

import aigov
from aigov_core.evidence import verify_log

CANARY_PROMPT = "Canary prompt: Wilhelmina Quartzfeld asked about invoice 99-ZETA"
CANARY_REPLY = "Canary reply: the zebra ledger balances at QX4242Z"


def test_when_calls_carry_text_then_no_prompt_or_reply_text_reaches_the_log(governed, provider):
    governed()
    provider.reply_text = CANARY_REPLY
    gpt = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    gpt.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": CANARY_PROMPT}])
    list(
        gpt.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": CANARY_PROMPT}], stream=True
        )
    )
    claude = anthropic.Anthropic(base_url=provider.anthropic_base_url, api_key="x")
    claude.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=50,
        system=CANARY_PROMPT,
        messages=[{"role": "user", "content": CANARY_PROMPT}],
    )
    assert len(governed.records("ai.call")) == 3
    text = governed.log_path.read_text()
    for fragment in ("Wilhelmina", "Quartzfeld", "99-ZETA", "zebra ledger", "QX4242Z"):
        assert fragment not in text


def test_when_two_kernels_govern_calls_into_one_log_then_no_record_is_lost(tmp_path, provider):
    calls = 40
    script = textwrap.dedent(
        f"""
        import aigov, httpx2
        aigov.enable()
        with httpx2.Client() as client:
            for number in range({calls}):
                client.post("{provider.openai_base_url}/chat/completions",
                            json={{"model": "gpt-4o-mini", "messages": [{{"role": "user", "content": "n"}}]}})
        aigov.disable()
        """
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AIGOV_NOTEBOOK": str(tmp_path / "shared.ipynb"),
        "AIGOV_USER": "ada",
    }
    kernels = [
        subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for kernel in kernels:
        assert kernel.wait(timeout=300) == 0, kernel.stderr.read() if kernel.stderr else ""
    log = tmp_path / ".aigov" / "evidence" / "shared.jsonl"
    result = verify_log(log)
    assert result.ok, result.fault
    records = [json.loads(line) for line in log.read_text().splitlines()]
    per_session: dict[str, int] = {}
    for record in records:
        if record["event"] == "ai.call":
            per_session[record["session"]] = per_session.get(record["session"], 0) + 1
    assert sorted(per_session.values()) == [calls, calls]
    assert sum(r["event"] == "ai.response" for r in records) == 2 * calls
    assert len(provider.received) == 2 * calls


def test_when_a_call_is_refused_then_its_record_is_the_violations_record(governed, provider):
    governed("version: 1\nmodels:\n  deny: ['gpt-4o']\n")
    with pytest.raises(aigov.PolicyViolation) as refused:
        httpx2.post(
            provider.openai_base_url + "/chat/completions",
            json={"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]},
        )
    (logged,) = governed.records("ai.call")
    assert refused.value.record == logged
    assert (logged["decision"], logged["rules"]) == ("block", ["models.deny"])
