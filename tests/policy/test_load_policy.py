"""Loading aigov.yaml: the contract's example loads; every kind of mistake is reported at its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from aigov_core.errors import PolicyError
from aigov_core.policy import (
    Policy,
    PolicyProblem,
    check_policy_file,
    load_policy,
    parse_policy_bytes,
    parse_policy_text,
)

EXAMPLE = Path(__file__).parent / "data" / "contract_example.yaml"


def _problems(text: str) -> list[PolicyProblem]:
    with pytest.raises(PolicyError) as caught:
        parse_policy_text(textwrap.dedent(text), "aigov.yaml")
    return caught.value.problems


def test_when_the_contract_example_is_loaded_then_every_section_is_read() -> None:
    policy = load_policy(EXAMPLE)

    assert policy.models.allow == ["gpt-4o-mini", "claude-*", "ollama/*"]
    assert policy.redaction.entities["CREDIT_CARD"] == "block"
    assert policy.tools.arguments[0].refuses("DROP TABLE users")
    assert not policy.tools.arguments[0].refuses("select 1")
    assert policy.budgets.usd_per_day == 5.0
    assert policy.providers[0].api == "openai"
    assert policy.routes[0].to.model == "gpt-4o-mini"
    assert policy.use_cases["churn-analysis"].users == ["*"]
    assert policy.source == str(EXAMPLE)
    assert check_policy_file(EXAMPLE) == []


def test_when_only_the_version_is_given_then_the_defaults_are_safe() -> None:
    policy = parse_policy_text("version: 1\n", "aigov.yaml")

    assert policy.on_error == "block"
    assert policy.models.allow == [] and policy.models.deny == []
    assert policy.redaction.entities["SECRET"] == "block"
    assert policy.redaction.entities["PERSON"] == "redact"
    assert policy.redaction.nlp_model == "en_core_web_sm"
    assert policy.redaction.score_threshold == 0.5
    assert policy.redaction.responses == "allow"  # answers are left alone unless the policy says otherwise
    assert policy.tools.on_forbidden_definition == "refuse"


@pytest.mark.parametrize(
    ("text", "line", "path", "says"),
    [
        pytest.param("version: 1\ncolour: red\n", 2, "colour", "unknown key; allowed keys are version,", id="top"),
        pytest.param(
            """\
            version: 1
            models:
              allow: [gpt-4o-mini]

              alow: ["x"]
            """,
            5,
            "models.alow",
            "unknown key; allowed keys are allow, deny (did you mean 'allow'?)",
            id="nested",
        ),
        pytest.param(
            "version: 1\nuse_cases:\n  churn:\n    users: ['*']\n    modles: {}\n",
            5,
            "use_cases.churn.modles",
            "did you mean 'models'?",
            id="in-use-case",
        ),
        pytest.param(
            "version: 1\nrequire_use_case: maybe\n",
            2,
            "require_use_case",
            "must be a valid boolean",
            id="type",
        ),
        pytest.param("version: 1\nbudgets:\n  usd_per_day: lots\n", 3, "budgets.usd_per_day", "got 'lots'", id="num"),
        pytest.param(
            "version: 1\nbudgets: {requests_per_minute: 0}\n",
            2,
            "budgets.requests_per_minute",
            "greater than 0",
            id="pos",
        ),
        pytest.param("version: 1\nmodels:\n  deny: gpt-4o\n", 3, "models.deny", "must be a list", id="not-a-list"),
        pytest.param("version: 1\nmodels: [gpt-4o]\n", 2, "models", "must be a mapping of allow, deny", id="not-a-map"),
        pytest.param(
            "version: 1\non_error: ignore\n",
            2,
            "on_error",
            "'ignore' is not allowed; use one of 'block', 'allow'",
            id="enum",
        ),
        pytest.param(
            "version: 1\nredaction:\n  entities:\n    PERSON: redact\n    SECRET: mask\n",
            5,
            "redaction.entities.SECRET",
            "use one of 'redact', 'block', 'allow'",
            id="entity-action",
        ),
        pytest.param(
            "version: 1\nredaction:\n  responses: scan\n",
            3,
            "redaction.responses",
            "'scan' is not allowed; use one of 'allow', 'redact', 'block'",
            id="responses",
        ),
        pytest.param(
            "version: 1\nredaction:\n  entities:\n    SECRET: no\n",
            4,
            "redaction.entities.SECRET",
            "put the word in quotes",
            id="yaml-no-is-false",
        ),
        pytest.param(
            "version: 1\nredaction:\n  entities: {person: redact}\n",
            3,
            "redaction.entities.person",
            "upper case",
            id="entity-name",
        ),
        pytest.param(
            """\
            version: 1
            tools:
              arguments:
                - {tool: run_sql, path: query, deny_pattern: "(?i)drop"}
                - {tool: run_sql, path: query, deny_pattern: "(unclosed"}
            """,
            5,
            "tools.arguments[1].deny_pattern",
            "not a valid Python regular expression",
            id="regex",
        ),
        pytest.param(
            "version: 1\ntools:\n  arguments:\n    - tool: run_sql\n      path: query\n",
            4,
            "tools.arguments[0]",
            "give exactly one of deny_pattern and allow_pattern",
            id="no-pattern",
        ),
        pytest.param(
            "version: 1\nproviders:\n  - name: internal\n    base_url: ftp://llm.example\n",
            4,
            "providers[0].base_url",
            "http:// or https:// URL",
            id="url",
        ),
        pytest.param(
            "version: 1\nroutes:\n  - match: 'gpt-*'\n    to: {model: gpt-4o-mini}\n",
            4,
            "routes[0].to.base_url",
            "required key missing",
            id="missing-nested",
        ),
        pytest.param(
            "version: 1\nroutes:\n  - match: 'gpt-*'\n    to: {base_url: 'https://a.example/v1', api_key_header: K}\n",
            4,
            "routes[0].to",
            "api_key_header needs api_key_env",
            id="key-header-without-key",
        ),
        pytest.param(
            "version: 1\nroutes:\n  - match: 'gpt-*'\n    to: {base_url: 'https://a.example:99999/v1'}\n",
            4,
            "routes[0].to.base_url",
            "port that is not a number",
            id="port",
        ),
        pytest.param(
            "version: 1\nuse_cases:\n  churn: {}\n",
            3,
            "use_cases.churn.users",
            "required key missing",
            id="users",
        ),
        pytest.param(
            "version: 1\nmodels:\n  allow: [a]\n  allow: [b]\n",
            4,
            "models.allow",
            "duplicate key",
            id="duplicate",
        ),
    ],
)
def test_when_the_policy_has_a_mistake_then_its_line_and_key_are_named(
    text: str, line: int, path: str, says: str
) -> None:
    problems = _problems(text)

    assert [(p.line, p.path) for p in problems] == [(line, path)], problems
    assert says in problems[0].message


@pytest.mark.parametrize(
    ("text", "line", "path", "says"),
    [
        pytest.param("version: 1\nmodels: {allow: [a, b}\n", 2, "", "YAML syntax error", id="flow"),
        pytest.param("version: 1\nmodels:\n  allow: [a]\n deny: [b]\n", 4, "", "YAML syntax error", id="indent"),
        pytest.param("version: 1\n---\nversion: 1\n", 2, "", "YAML syntax error", id="two-documents"),
        pytest.param("", 1, "", "the policy file is empty", id="empty"),
        pytest.param("# only a comment\n", 1, "", "the policy file is empty", id="comment-only"),
        pytest.param("- version: 1\n", 1, "", "the top level must be a mapping", id="list"),
        pytest.param("just text\n", 1, "", "the top level must be a mapping", id="scalar"),
        pytest.param("on_error: block\n", 1, "version", "required key missing", id="no-version"),
        pytest.param("on_error: block\nversion: 2\n", 2, "version", "unsupported policy version 2", id="version-2"),
        pytest.param("version: '1'\n", 1, "version", "must be the number 1", id="version-text"),
        pytest.param("version: true\n", 1, "version", "must be the number 1", id="version-bool"),
    ],
)
def test_when_the_file_cannot_be_a_policy_then_one_clear_problem_is_given(
    text: str, line: int, path: str, says: str
) -> None:
    problems = _problems(text)

    assert [(p.line, p.path) for p in problems] == [(line, path)], problems
    assert says in problems[0].message


def test_when_there_are_several_mistakes_then_the_message_lists_every_one_in_file_order() -> None:
    text = "version: 1\nmodels:\n  alow: [a]\non_error: maybe\nbudgets: {usd_per_day: -1}\n"

    with pytest.raises(PolicyError) as caught:
        parse_policy_text(text, "team/aigov.yaml")

    message = str(caught.value)
    assert "team/aigov.yaml:3: models.alow: unknown key; allowed keys are allow, deny" in message
    assert "team/aigov.yaml:4: on_error: 'maybe' is not allowed" in message
    assert "team/aigov.yaml:5: budgets.usd_per_day: must be greater than 0" in message
    assert [p.line for p in caught.value.problems] == [3, 4, 5]
    assert caught.value.source == "team/aigov.yaml"
    assert "aigov policy check team/aigov.yaml" in message


def test_when_a_version_2_policy_has_unknown_keys_then_only_the_version_is_reported() -> None:
    problems = _problems("version: 2\nguardrails: {}\n")

    assert [p.path for p in problems] == ["version"]


def test_when_merge_keys_override_then_they_are_not_duplicates() -> None:
    text = """\
    version: 1
    x-base: &base {allow: [a], deny: [b]}
    """
    assert _problems(text)[0].path == "x-base"  # unknown key, but the anchor itself parses
    text = """\
    version: 1
    use_cases:
      a: &uc {users: ["*"], description: one}
      b:
        <<: *uc
        description: two
    """
    policy = parse_policy_text(textwrap.dedent(text), "aigov.yaml")
    assert policy.use_cases["b"].description == "two"


def test_when_check_policy_file_is_given_a_missing_file_then_it_says_so() -> None:
    problems = check_policy_file("/nonexistent/aigov.yaml")

    assert len(problems) == 1 and "does not exist" in problems[0].message
    assert problems[0].as_text("/nonexistent/aigov.yaml").startswith("/nonexistent/aigov.yaml: ")


def test_when_check_policy_file_finds_mistakes_then_it_returns_them_without_raising(tmp_path: Path) -> None:
    path = tmp_path / "aigov.yaml"
    path.write_text("version: 1\nmodels:\n  alow: []\n", encoding="utf-8")

    problems = check_policy_file(path)

    assert [(p.line, p.column, p.path) for p in problems] == [(3, 3, "models.alow")]
    assert problems[0].as_text("aigov.yaml").startswith("aigov.yaml:3: models.alow: unknown key")


def test_when_the_file_is_not_utf8_then_it_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="not UTF-8"):
        parse_policy_bytes(b"version: 1\nallow_terms: [\xff]\n", "aigov.yaml")


def test_when_the_file_starts_with_a_byte_order_mark_then_it_loads() -> None:
    assert parse_policy_bytes(b"\xef\xbb\xbfversion: 1\n", "aigov.yaml").version == 1


def test_when_a_policy_is_invalid_then_no_policy_object_is_ever_returned() -> None:
    # The loader must fail closed: a broken file never turns into a permissive default.
    for text in ("", "version: 1\nmodels: nope\n", "{{{"):
        with pytest.raises(PolicyError):
            parse_policy_text(text, "aigov.yaml")


def test_when_a_policy_is_built_in_python_then_unknown_keys_are_refused_too() -> None:
    with pytest.raises(ValueError):
        Policy.model_validate({"version": 1, "model": {}})
