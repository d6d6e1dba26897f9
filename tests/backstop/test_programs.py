"""The backstop on programs: one whose arguments name an AI endpoint is refused before it starts, on record."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import aigov

POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\n"
# no such program needs to exist: the refusal comes before the program is looked for
ABSENT = "aigov-no-such-program"


@pytest.mark.parametrize(
    "start",
    [
        lambda: subprocess.run(["curl", "https://api.openai.com/v1/chat/completions"], check=False),
        lambda: subprocess.run([ABSENT, "-H", "x", "https://api.anthropic.com/v1/messages"], check=False),
        lambda: subprocess.run(f"{ABSENT} https://api.openai.com/v1/models", shell=True, check=False),
        lambda: os.system(f"{ABSENT} https://generativelanguage.googleapis.com/v1beta/models"),
        lambda: os.posix_spawn(f"/usr/bin/{ABSENT}", [ABSENT, "https://api.mistral.ai/v1"], {}),
        lambda: os.execv(f"/usr/bin/{ABSENT}", [ABSENT, "https://api.openai.com"]),
    ],
    ids=["subprocess-curl", "subprocess-list", "shell", "os.system", "posix_spawn", "execv"],
)
def test_when_a_program_names_an_ai_endpoint_then_it_is_refused_before_it_starts(governed, start):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        start()
    assert refused.value.rule == "routes.ungoverned"
    records = governed.records("ai.call")
    assert len(records) == 1 and records[0]["rules"] == ["routes.ungoverned"]
    assert "https" not in str(records[0])  # the endpoint's host is named, never the arguments


def test_when_a_forked_child_would_exec_such_a_program_then_it_ends_there_on_record(governed):
    # os.spawnv forks and execs in Python (IPython's `!cmd` does the same through pexpect): the child is stopped
    governed(POLICY)
    session = governed.gateway.session.context.session
    assert os.spawnv(os.P_WAIT, f"/usr/bin/{ABSENT}", [ABSENT, "x.openai.azure.com"]) == 126
    records = governed.records("ai.call")
    assert len(records) == 1 and records[0]["route"] == "os.exec"
    assert records[0]["parent"] == {"session": session, "kernel": None, "pid": os.getpid()}


def test_when_a_program_names_no_ai_endpoint_then_it_runs(governed):
    governed(POLICY)
    done = subprocess.run([sys.executable, "-c", "print('https://example.org')"], capture_output=True, check=True)
    assert done.stdout.strip() == b"https://example.org"
    assert os.system("true") == 0
    assert governed.records("ai.call") == []


def test_when_a_python_child_gets_an_environment_of_its_own_then_governance_is_handed_down(governed):
    governed(POLICY)
    code = "import os; print(os.environ.get('AIGOV_INHERIT', 'none'))"
    done = subprocess.run([sys.executable, "-c", code], env={"PATH": "/usr/bin"}, capture_output=True, check=False)
    assert b'"format":1' in done.stdout


def test_when_governance_is_off_then_programs_are_not_looked_at(governed):
    governed(POLICY)
    aigov.disable()
    assert subprocess.run(["true", "https://api.openai.com"], check=False).returncode == 0


def test_when_the_inherited_variable_was_taken_out_then_a_python_child_still_gets_it(governed, monkeypatch):
    governed(POLICY)
    monkeypatch.delenv("AIGOV_INHERIT")
    code = "import os; print(os.environ.get('AIGOV_INHERIT', 'none'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert b'"format":1' in done.stdout


def test_when_a_program_is_linked_under_a_python_name_then_it_is_judged_as_what_it_runs(governed, tmp_path):
    governed(POLICY)
    disguised = tmp_path / "python3"
    disguised.symlink_to("/bin/echo")  # not an interpreter: its arguments are read like any program's
    with pytest.raises(aigov.PolicyViolation) as refused:
        subprocess.run([str(disguised), "https://api.openai.com/v1/chat/completions"], check=False)
    assert refused.value.rule == "routes.ungoverned"
    assert len(governed.records("ai.call")) == 1
