"""A team's own patterns and deny terms, end to end: aigov.enable(), a real SDK, the stand-in provider."""

from __future__ import annotations

import openai
import pytest

import aigov

POLICY = r"""
version: 1
redaction:
  entities: {EMPLOYEE_ID: redact, CLIENT: redact, PROJECT_CODENAME: block}
  patterns:
    - {name: employee_id, regex: '\bEMP-\d{6}\b', entity: EMPLOYEE_ID, score: 0.4, context: [employee, staff]}
  deny_terms:
    CLIENT: [Globex, Initech]
    PROJECT_CODENAME: [Bluebird]
  deadline_ms: 30000
"""


def ask(provider, text: str) -> str:
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
    return answer.choices[0].message.content or ""


def test_when_a_team_pattern_and_a_deny_term_match_then_the_provider_gets_placeholders(governed, provider):
    governed(POLICY)

    answer = ask(provider, "Staff EMP-123456 at globex: summarise their tickets.")

    sent = provider.received[0].json["messages"][0]["content"]
    assert sent == "Staff <EMPLOYEE_ID_1> at <CLIENT_1>: summarise their tickets."
    assert "EMP-123456" in answer and "globex" in answer  # the echo, restored for the caller
    (record,) = governed.records("ai.call")
    assert (record["decision"], record["entities"]) == ("redact", {"CLIENT": 1, "EMPLOYEE_ID": 1})
    assert "EMP-123456" not in governed.log_path.read_text()


def test_when_a_pattern_scores_under_the_threshold_without_its_context_word_then_the_text_goes_as_written(
    governed, provider
):
    governed(POLICY)

    ask(provider, "Ticket EMP-123456 is closed.")

    assert provider.received[0].json["messages"][0]["content"] == "Ticket EMP-123456 is closed."


def test_when_a_deny_term_is_blocked_then_the_call_is_refused_and_never_sent(governed, provider):
    governed(POLICY)

    with pytest.raises(aigov.PolicyViolation) as refused:
        ask(provider, "What is the status of project BLUEBIRD?")

    assert refused.value.rule == "redaction.block"
    assert "PROJECT_CODENAME (1)" in refused.value.reason and "BLUEBIRD" not in str(refused.value)
    assert provider.received == []


def test_when_a_policy_pattern_could_backtrack_catastrophically_then_governance_does_not_start(governed, provider):
    slow = POLICY.replace(r"'\bEMP-\d{6}\b'", r"'(\w+\s?)*EMP'")

    with pytest.raises(aigov.AIGovError) as refused:
        governed(slow)

    assert "redaction.patterns[0].regex: refused because it could backtrack catastrophically" in str(refused.value)


USE_CASE = r"""
version: 1
redaction:
  entities: {PERSON: redact}
  deadline_ms: 30000
use_cases:
  hr-review:
    users: ["*"]
    redaction:                        # the action goes with the pattern: elsewhere nothing finds SALARY_BAND
      entities: {SALARY_BAND: redact}
      patterns: [{name: band, regex: '\bSB-[1-9]\b', entity: SALARY_BAND}]
"""


@pytest.mark.parametrize(("use_case", "sent"), [("hr-review", "Band <SALARY_BAND_1> applies."), (None, None)])
def test_when_a_use_case_adds_a_pattern_then_only_its_calls_use_it(governed, provider, use_case, sent):
    governed(USE_CASE, **({"AIGOV_USE_CASE": use_case} if use_case else {}))

    ask(provider, "Band SB-4 applies.")

    assert provider.received[0].json["messages"][0]["content"] == (sent or "Band SB-4 applies.")
