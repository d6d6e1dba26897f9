"""Policies written to exhaust the reader: an alias bomb, an oversized file, nesting past the stack."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aigov_core.errors import PolicyError
from aigov_core.policy import check_policy_file, parse_policy_bytes, parse_policy_text
from aigov_core.policy.load import MAX_POLICY_BYTES
from aigov_core.policy.yaml_source import MAX_ALIAS_EXPANSION


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs" in YAML: each line lists the one before `width` times (9 levels of 9: 387M values)."""
    lines = ["version: 1", f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _aigov(*args: str) -> subprocess.CompletedProcess[str]:
    # A regression would hang, so the command is bounded generously rather than timed.
    command = [str(Path(sys.executable).parent / "aigov"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_when_aigov_policy_check_is_given_an_alias_bomb_then_it_names_the_aliases_and_exits_1(
    tmp_path: Path,
) -> None:
    path = tmp_path / "aigov.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")

    done = _aigov("policy", "check", str(path))

    assert done.returncode == 1
    assert f"{path}:2: the policy uses YAML aliases (&x / *x)" in done.stdout
    assert "write the values out" in done.stdout


@pytest.mark.parametrize(
    "text",
    [
        alias_bomb(),
        # merge keys flatten a mapping into another: nested, they multiply the same way
        "version: 1\nm0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}\n"
        + "".join(f"m{n}: &m{n} {{<<: [{', '.join([f'*m{n - 1}'] * 9)}]}}\n" for n in range(1, 9)),
    ],
    ids=["sequences", "merge-keys"],
)
def test_when_a_policy_is_an_alias_bomb_then_loading_it_is_refused_at_the_first_anchor(text: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy_text(text, "team.yaml")

    [problem] = caught.value.problems
    assert problem.line == 2 and f"more than the {MAX_ALIAS_EXPANSION:,} allowed" in problem.message


def test_when_aliases_share_a_block_between_use_cases_then_the_policy_loads() -> None:
    text = """\
    version: 1
    use_cases:
      churn: &shared
        users: ["ada", "grace"]
        models: {allow: &small [gpt-4o-mini, claude-haiku-*]}
      triage:
        <<: *shared
        tools: {allow: *small}
    """

    policy = parse_policy_text(textwrap.dedent(text), "aigov.yaml")

    assert policy.use_cases["triage"].users == policy.use_cases["churn"].users == ["ada", "grace"]


def test_when_a_policy_is_larger_than_the_limit_then_check_names_the_limit_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "aigov.yaml"
    terms = ", ".join(f"term{n}" for n in range(MAX_POLICY_BYTES // 8))
    path.write_text(f"version: 1\nredaction:\n  allow_terms: [{terms}]\n", encoding="utf-8")

    done = _aigov("policy", "check", str(path))

    assert done.returncode == 1
    assert f"more than the {MAX_POLICY_BYTES:,} bytes (256 KiB) a policy may be" in done.stdout
    assert [p.line for p in check_policy_file(path)] == [0]


def test_when_policy_bytes_or_text_are_over_the_limit_then_they_are_refused_unparsed() -> None:
    big = b"version: 1\n" + b"#" * MAX_POLICY_BYTES + b"\n"

    for load in (lambda: parse_policy_bytes(big, "pulled"), lambda: parse_policy_text(big.decode(), "pulled")):
        with pytest.raises(PolicyError, match="a policy may be; shorten it"):
            load()
    assert parse_policy_bytes(b"version: 1\n" + b"#" * 1000 + b"\n", "pulled").version == 1


def test_when_a_policy_nests_past_the_stack_then_it_is_a_problem_not_a_crash() -> None:
    with pytest.raises(PolicyError, match="nests lists or mappings too deeply"):
        parse_policy_text("version: 1\nx: " + "[" * 5000 + "]" * 5000 + "\n", "aigov.yaml")
