"""redaction.patterns and redaction.deny_terms in the policy: what is accepted, and each mistake named on its line."""

from __future__ import annotations

import textwrap

import pytest

from aigov_core.errors import PolicyError
from aigov_core.policy import PolicyPattern, parse_policy_text, policy_schema

VALID = """\
version: 1
redaction:
  entities: {PERSON: redact, EMPLOYEE_ID: redact, PROJECT_CODENAME: block}
  patterns:
    - name: employee_id
      regex: '\\bEMP-\\d{6}\\b'
      entity: EMPLOYEE_ID
      score: 0.4
      context: [employee, staff]
  deny_terms:
    PROJECT_CODENAME: [Bluebird, "Kestrel Two"]
"""


def problems(text: str) -> list[str]:
    """Each problem of a policy text as "LINE PATH: MESSAGE"."""
    try:
        parse_policy_text(textwrap.dedent(text))
    except PolicyError as error:
        return [f"{p.line} {p.path}: {p.message}" for p in error.problems]
    return []


def test_when_a_pattern_and_a_deny_list_are_valid_then_the_policy_holds_them() -> None:
    policy = parse_policy_text(VALID)

    (pattern,) = policy.redaction.patterns
    assert pattern == PolicyPattern(
        name="employee_id", regex=r"\bEMP-\d{6}\b", entity="EMPLOYEE_ID", score=0.4, context=["employee", "staff"]
    )
    assert policy.redaction.deny_terms == {"PROJECT_CODENAME": ["Bluebird", "Kestrel Two"]}


def test_when_score_and_context_are_left_out_then_a_match_scores_0_8_without_context() -> None:
    pattern = PolicyPattern(name="badge", regex=r"\bBDG\d{5}\b", entity="BADGE")

    assert (pattern.score, pattern.context) == (0.8, [])


@pytest.mark.parametrize(
    ("pattern", "line", "path", "said"),
    [
        ("{name: p, regex: '(EMP-\\d{6}', entity: E}", 5, "regex", "not a valid Python regular expression"),
        ("{name: p, regex: '(\\w+\\s?)*@acme', entity: E}", 5, "regex", "could backtrack catastrophically"),
        ("{name: p, regex: '(a|a)*b', entity: E}", 5, "regex", "could backtrack catastrophically"),
        ("{name: p, regex: '(\\d|\\d\\d)+x', entity: E}", 5, "regex", "could backtrack catastrophically"),
        ("{name: p, regex: '(.*a){20}', entity: E}", 5, "regex", "could backtrack catastrophically"),
        ("{name: p, regex: '\\d*', entity: E}", 5, "regex", "matches the empty text"),
        ("{name: p, regex: '" + "a" * 501 + "', entity: E}", 5, "regex", "is 501 characters long, more than the 500"),
        ("{name: p, regex: 'x', entity: employee}", 5, "entity", "must be upper case letters"),
        ("{name: p, regex: 'x', entity: E, score: 1.5}", 5, "score", "less than or equal to 1"),
        ("{name: p, regex: 'x', entity: E, context: [two words]}", 5, "context[0]", "must be one word"),
        ("{name: p, regex: 'x', entity: E, flags: i}", 5, "flags", "unknown key"),
        ("{regex: 'x', entity: E}", 5, "name", "required key missing"),
    ],
)
def test_when_a_pattern_is_wrong_then_check_names_its_line_key_and_fix(
    pattern: str, line: int, path: str, said: str
) -> None:
    text = f"""\
    version: 1
    redaction:
      entities: {{E: redact}}
      patterns:
        - {pattern}
    """
    (found,) = problems(text)

    assert found.startswith(f"{line} redaction.patterns[0].{path}: ")
    assert said in found


def test_when_a_catastrophic_pattern_is_loaded_then_the_policy_is_refused_and_it_never_runs() -> None:
    text = "version: 1\nredaction:\n  entities: {E: block}\n  patterns: [{name: slow, regex: '(a+)+$', entity: E}]\n"

    with pytest.raises(PolicyError) as refused:
        parse_policy_text(text, "team/aigov.yaml")

    assert "team/aigov.yaml:4: redaction.patterns[0].regex: refused because it could backtrack" in str(refused.value)
    assert "aigov policy check team/aigov.yaml" in str(refused.value)


def test_when_two_patterns_share_a_name_then_the_second_is_named() -> None:
    found = problems("""\
    version: 1
    redaction:
      entities: {E: redact}
      patterns:
        - {name: ids, regex: 'EMP-\\d+', entity: E}
        - {name: ids, regex: 'BDG\\d+', entity: E}
    """)

    assert found == ["6 redaction.patterns[1].name: the name 'ids' is used by patterns[0] too; rename one"]


def test_when_a_patterns_entity_has_no_action_then_check_says_which_key_to_add() -> None:
    (found,) = problems("""\
    version: 1
    redaction:
      entities: {PERSON: redact}
      patterns: [{name: ids, regex: 'EMP-\\d+', entity: EMPLOYEE_ID}]
    """)

    assert found.startswith("4 redaction.patterns[0].entity: EMPLOYEE_ID has no action under redaction.entities")
    assert "add `EMPLOYEE_ID: redact` (or block, or allow to switch it off)" in found


def test_when_entities_are_left_to_their_defaults_then_the_message_says_listing_replaces_them() -> None:
    (found,) = problems("version: 1\nredaction:\n  patterns: [{name: ids, regex: 'EMP-\\d+', entity: EMPLOYEE_ID}]\n")

    assert "listed: SECRET, CREDIT_CARD" in found
    assert "list the defaults you keep too" in found


def test_when_a_deny_lists_entity_has_no_action_then_it_is_named() -> None:
    (found,) = problems("version: 1\nredaction:\n  entities: {PERSON: redact}\n  deny_terms: {CODENAME: [Bluebird]}\n")

    assert found.startswith("4 redaction.deny_terms.CODENAME: CODENAME has no action under redaction.entities")


@pytest.mark.parametrize(
    ("terms", "said"),
    [
        ('["!!"]', "CODENAME[0]: '!!' has no letter or digit"),
        ('[""]', "CODENAME[0]: must not be empty"),
        ("Bluebird", "CODENAME: must be a list"),
    ],
)
def test_when_a_deny_term_can_never_be_found_then_it_is_named(terms: str, said: str) -> None:
    text = f"version: 1\nredaction:\n  entities: {{CODENAME: block}}\n  deny_terms: {{CODENAME: {terms}}}\n"
    (found,) = problems(text)

    assert said in found


def test_when_a_use_case_adds_a_pattern_then_its_entity_may_take_its_action_from_the_top_level() -> None:
    text = """\
    version: 1
    redaction:
      entities: {SALARY_BAND: redact}
    use_cases:
      hr:
        users: ["*"]
        redaction:
          patterns: [{name: band, regex: 'SAL-\\d+', entity: SALARY_BAND}]
      payroll:
        users: ["*"]
        redaction:
          patterns: [{name: grade, regex: 'GR-\\d+', entity: PAY_GRADE}]
    """

    (found,) = problems(text)

    assert found.startswith("12 use_cases.payroll.redaction.patterns[0].entity: PAY_GRADE has no action")


def test_when_the_schema_is_generated_then_it_describes_patterns_and_deny_terms() -> None:
    redaction = policy_schema()["$defs"]["RedactionSection"]["properties"]
    pattern = policy_schema()["$defs"]["PolicyPattern"]

    assert redaction["patterns"]["items"] == {"$ref": "#/$defs/PolicyPattern"}
    assert redaction["deny_terms"]["additionalProperties"] is False
    assert pattern["required"] == ["name", "regex", "entity"]
    assert pattern["properties"]["regex"]["maxLength"] == 500
    assert pattern["properties"]["score"]["default"] == 0.8


def test_when_a_deny_term_is_also_an_allow_term_then_check_says_to_keep_it_in_one() -> None:
    (found,) = problems("""\
    version: 1
    redaction:
      entities: {CODENAME: block}
      allow_terms: [bluebird]
      deny_terms: {CODENAME: [Kestrel, Bluebird]}
    """)

    assert found == (
        "5 redaction.deny_terms.CODENAME[1]: 'Bluebird' is under allow_terms too, which would let it through; "
        "keep it in one of the two"
    )
