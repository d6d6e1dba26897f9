"""The `aigov` command line: verify evidence logs, check policies, print the schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_aigov.cli import main
from jupyter_aigov.evidence import EvidenceLog


def _log(path: Path, records: int = 5) -> Path:
    with EvidenceLog(path) as log:
        for number in range(records):
            log.append({"event": "ai.call", "decision": "allow", "model": f"m{number}"}, durable=False)
    return path


def test_when_log_is_intact_then_verify_exits_0(tmp_path, capsys):
    assert main(["verify", str(_log(tmp_path / "a.jsonl"))]) == 0
    assert "5 records" in capsys.readouterr().out


@pytest.mark.parametrize("tamper", ["edit", "delete", "swap", "truncate"])
def test_when_log_is_tampered_then_verify_exits_1_naming_the_fault(tmp_path, capsys, tamper):
    path = _log(tmp_path / "a.jsonl")
    lines = path.read_bytes().splitlines(keepends=True)
    if tamper == "edit":
        lines[2] = lines[2].replace(b'"m2"', b'"m9"')
    elif tamper == "delete":
        del lines[2]
    elif tamper == "swap":
        lines[1], lines[2] = lines[2], lines[1]
    else:
        lines[-1] = lines[-1][:40]
    path.write_bytes(b"".join(lines))
    assert main(["verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "line" in out
    if tamper == "truncate":
        assert "truncated" in out


def test_when_verify_is_given_a_folder_then_every_log_in_it_is_checked(tmp_path, capsys):
    _log(tmp_path / "one.jsonl")
    broken = _log(tmp_path / "two.jsonl")
    broken.write_bytes(broken.read_bytes().replace(b'"m1"', b'"mX"'))
    assert main(["verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "OK" in out and "one.jsonl" in out and "FAILED" in out and "two.jsonl" in out


def test_when_verify_path_does_not_exist_then_exit_2_with_advice(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "nope.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_when_policy_has_mistakes_then_check_names_each_line(tmp_path, capsys):
    path = tmp_path / "aigov.yaml"
    path.write_text("version: 1\nmodels:\n  alow: []\non_error: maybe\n")
    assert main(["policy", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:3: models.alow" in out
    assert f"{path}:4: on_error" in out


TEAM_PATTERNS = r"""version: 1
redaction:
  entities: {EMPLOYEE_ID: redact}
  patterns:
    - {name: employee_id, regex: '\bEMP-\d{6}\b', entity: EMPLOYEE_ID}
    - {name: employee_id, regex: 'EMP-\d+', entity: EMPLOYEE_ID}
    - {name: slow, regex: '(\d|\d\d)+x', entity: EMPLOYEE_ID}
    - {name: broken, regex: '[EMP', entity: EMPLOYEE_ID}
  deny_terms:
    CLIENT: [Globex]
"""


def test_when_team_patterns_have_mistakes_then_check_names_each_pattern_and_the_fix(tmp_path, capsys):
    path = tmp_path / "aigov.yaml"
    path.write_text(TEAM_PATTERNS)
    assert main(["policy", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:7: redaction.patterns[2].regex: refused because it could backtrack catastrophically" in out
    assert f"{path}:8: redaction.patterns[3].regex: not a valid Python regular expression" in out
    # names are checked once every pattern is valid, and entities once the sections are
    lines = [line for line in TEAM_PATTERNS.splitlines() if "slow" not in line and "[EMP" not in line]
    path.write_text("\n".join(lines))
    assert main(["policy", "check", str(path)]) == 1
    assert f"{path}:6: redaction.patterns[1].name: the name 'employee_id' is used by patterns[0] too" in (
        capsys.readouterr().out
    )
    path.write_text("\n".join(line for line in lines if "EMP-\\d+" not in line))
    assert main(["policy", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:7: redaction.deny_terms.CLIENT: CLIENT has no action under redaction.entities" in out
    assert "add `CLIENT: redact`" in out


def test_when_policy_is_valid_then_check_exits_0(tmp_path, capsys):
    path = tmp_path / "aigov.yaml"
    path.write_text("version: 1\n")
    assert main(["policy", "check", str(path)]) == 0


def test_when_schema_is_asked_then_it_is_the_published_json_schema(capsys):
    assert main(["policy", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/draft/2020-12")
    assert "models" in schema["properties"]


def test_when_installed_then_the_aigov_command_runs(tmp_path):
    done = subprocess.run(
        [str(Path(sys.executable).parent / "aigov"), "policy", "schema"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["title"]
