"""Locked mode's parts on their own: what turns it on, the user it keeps, the policy key; and when it is off.

A process once locked stays locked, so locked mode itself runs in real kernels (tests/test_locked_kernel.py).
"""

from __future__ import annotations

import jsonschema
import pytest

import aigov
from aigov_core.errors import GovernanceLocked, PolicyError
from aigov_core.policy import policy_schema
from aigov_core.policy.load import parse_policy_bytes
from jupyter_aigov import governance, state
from jupyter_aigov.locked import (
    FAIL_CLOSED_SOURCE,
    KEPT_ENV,
    LockedMode,
    environment_changes,
    locked_by,
    locked_policy,
    locked_user,
    put_back_environment,
    start_environment,
)
from jupyter_aigov.policy import DEFAULT_SOURCE, decide_model, for_context

LOCKED_POLICY = parse_policy_bytes(b"version: 1\nlocked: true\n", "registry")
OPEN_POLICY = parse_policy_bytes(b"version: 1\n", "registry")


@pytest.mark.parametrize(
    ("env", "registry_policy", "expected"),
    [
        ({}, None, None),
        ({"AIGOV_LOCKED": "1"}, None, "AIGOV_LOCKED=1"),
        ({"AIGOV_LOCKED": "true"}, None, "AIGOV_LOCKED=true"),
        ({"AIGOV_LOCKED": "yes please"}, None, "AIGOV_LOCKED=yes please"),  # a typo locks: it fails safe
        ({"AIGOV_LOCKED": "0"}, None, None),
        ({"AIGOV_LOCKED": " False "}, None, None),
        ({"AIGOV_LOCKED": ""}, OPEN_POLICY, None),
        ({}, LOCKED_POLICY, "the registry's policy (locked: true)"),
        ({"AIGOV_LOCKED": "off"}, LOCKED_POLICY, "the registry's policy (locked: true)"),
    ],
    ids=["unset", "1", "true", "typo", "0", "false", "open-registry", "registry", "off-but-registry"],
)
def test_when_the_environment_and_the_registry_say_then_locked_by_names_what_locked(env, registry_policy, expected):
    assert locked_by(env, registry_policy) == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"JUPYTERHUB_USER": "grace", "AIGOV_USER": "mallory"}, "grace"),
        ({"JUPYTERHUB_USER": " ", "AIGOV_USER": "ada"}, "ada"),
        ({"AIGOV_USER": "ada"}, "ada"),
    ],
    ids=["hub-wins", "blank-hub", "no-hub"],
)
def test_when_locked_then_the_user_is_the_one_jupyterhub_started_the_server_for(env, expected):
    assert locked_user(env) == expected


def _mode(env: dict[str, str], attempts: list[str]) -> LockedMode:
    def refuse(attempt: str) -> GovernanceLocked:
        attempts.append(attempt)
        return GovernanceLocked(attempt, "locked")

    return LockedMode("AIGOV_LOCKED=1", "grace", start_environment(env), refuse)


def test_when_a_kept_variable_changes_then_it_is_put_back_on_record():
    env = {"AIGOV_POLICY": "/srv/aigov.yaml", "HOME": "/home/grace"}
    attempts: list[str] = []
    mode = _mode(dict(env), attempts)
    env |= {"AIGOV_POLICY": "/tmp/open.yaml", "AIGOV_USER": "mallory", "HOME": "/tmp"}

    assert [name for name, _ in environment_changes(mode, env)] == ["AIGOV_POLICY", "AIGOV_USER"]
    assert put_back_environment(mode, env) == ["AIGOV_POLICY", "AIGOV_USER"]

    assert env == {"AIGOV_POLICY": "/srv/aigov.yaml", "HOME": "/tmp"}  # only the kept ones, as at start
    assert attempts == [f"changing {name} in the kernel's environment" for name in ("AIGOV_POLICY", "AIGOV_USER")]
    assert {"AIGOV_POLICY", "AIGOV_USER", "AIGOV_EVIDENCE_DIR"} <= set(KEPT_ENV)


def test_when_a_policy_says_locked_then_it_validates_and_the_schema_documents_it():
    assert LOCKED_POLICY.locked is True and OPEN_POLICY.locked is False
    locked = policy_schema()["properties"]["locked"]
    assert locked["type"] == "boolean" and locked["default"] is False
    assert "registry" in locked["description"] and "AIGOV_LOCKED" in locked["description"]
    jsonschema.validate({"version": 1, "locked": True}, policy_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": 1, "locked": "yes"}, policy_schema())


def test_when_a_policy_says_locked_yes_then_it_is_refused_with_its_line():
    with pytest.raises(PolicyError, match=r"aigov\.yaml:2: locked"):
        parse_policy_bytes(b"version: 1\nlocked: 'yes'\n", "aigov.yaml")


def test_when_a_local_policy_file_says_locked_then_the_kernel_is_not_locked(governed):
    governed("version: 1\nlocked: true\n")
    assert governance.status()["locked"] is None and state.locked_mode() is None
    aigov.disable()  # a file the notebook's user can edit cannot lock them in
    assert not aigov.status()["enabled"]


def test_when_locked_mode_is_off_then_unload_works_and_the_gateway_is_not_sealed(governed, monkeypatch):
    monkeypatch.setenv("AIGOV_LOCKED", "0")
    gateway = governed("version: 1\n")
    assert governance.status()["locked"] is None
    gateway.pipeline.verify_layers = gateway.pipeline.verify_layers  # plain assignment works when not locked
    governance.begin_reload()
    governance.enable()  # a reload when not locked
    aigov.disable()
    assert not aigov.status()["enabled"]
    assert [record["event"] for record in governed.records("extension.unload")] == ["extension.unload"] * 2
    assert governed.records("governance.locked") == []


def test_when_locked_then_the_policy_is_the_administrators_not_one_beside_the_notebook(tmp_path):
    (tmp_path / "aigov.yaml").write_text("version: 1\n")
    with pytest.warns(UserWarning, match="is not read: this kernel is locked"):
        loaded = locked_policy(tmp_path, {})
    assert loaded.source == DEFAULT_SOURCE
    (tmp_path / "admin.yaml").write_text("version: 1\nmodels: {allow: [gpt-4o-mini]}\n")
    assert locked_policy(tmp_path, {"AIGOV_POLICY": str(tmp_path / "admin.yaml")}).origin == "env"


@pytest.mark.parametrize("admin_policy", ["version: 1\nmodles: {}\n", None], ids=["invalid", "missing"])
def test_when_the_administrators_policy_does_not_load_then_a_locked_kernel_refuses_every_model(tmp_path, admin_policy):
    if admin_policy is not None:
        (tmp_path / "admin.yaml").write_text(admin_policy)
    with pytest.warns(UserWarning, match="every AI call is refused until the administrator fixes the policy"):
        loaded = locked_policy(tmp_path, {"AIGOV_POLICY": str(tmp_path / "admin.yaml")})
    assert loaded.source == FAIL_CLOSED_SOURCE
    verdict = decide_model(for_context(loaded.policy, "grace", None), "openai", "gpt-4o-mini")
    assert verdict.action == "block" and verdict.rules == ("models.deny",)
