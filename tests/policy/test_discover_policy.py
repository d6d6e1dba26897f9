"""Finding the policy in force: AIGOV_POLICY, else aigov.yaml upward, else the built-in default."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from aigov_core.errors import PolicyError
from jupyter_aigov.policy import DEFAULT_SOURCE, default_policy, discover_policy, load_policy_file

POLICY = "version: 1\nmodels: {allow: [{model}]}\n"


def _write(folder: Path, model: str, name: str = "aigov.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(POLICY.replace("{model}", model), encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A home directory with a project two folders above the notebook."""
    notebooks = tmp_path / "home" / "ana" / "project" / "notebooks"
    notebooks.mkdir(parents=True)
    return tmp_path


def _env(tree: Path, **extra: str) -> dict[str, str]:
    return {"HOME": str(tree / "home" / "ana"), **extra}


def test_when_aigov_policy_is_set_then_it_wins_over_files_nearby(tree: Path) -> None:
    nearby = _write(tree / "home" / "ana" / "project", "nearby")
    named = _write(tree / "elsewhere", "named")

    loaded = discover_policy(nearby.parent / "notebooks", _env(tree, AIGOV_POLICY=str(named)))

    assert loaded.policy.models.allow == ["named"]
    assert (loaded.origin, loaded.source, loaded.path) == ("env", str(named), named)
    assert loaded.sha256 == hashlib.sha256(named.read_bytes()).hexdigest()


@pytest.mark.parametrize("make_dir", [False, True], ids=["missing", "directory"])
def test_when_aigov_policy_points_at_no_file_then_it_is_an_error_naming_the_variable(
    tree: Path, make_dir: bool
) -> None:
    target = tree / "nope.yaml"
    if make_dir:
        target.mkdir()

    with pytest.raises(PolicyError, match=r"AIGOV_POLICY points at .*nope\.yaml, which (does not exist|is a dir)"):
        discover_policy(tree, _env(tree, AIGOV_POLICY=str(target)))


@pytest.mark.parametrize(
    ("where", "name"),
    [
        ("home/ana/project/notebooks", "aigov.yaml"),
        ("home/ana/project", "aigov.yaml"),
        ("home/ana/project", "aigov.yml"),
        ("home/ana", "aigov.yaml"),
    ],
)
def test_when_a_policy_file_is_in_the_folder_or_a_parent_then_it_is_found(tree: Path, where: str, name: str) -> None:
    path = _write(tree / where, "found", name)

    loaded = discover_policy(tree / "home/ana/project/notebooks", _env(tree))

    assert (loaded.origin, loaded.path, loaded.policy.models.allow) == ("file", path, ["found"])
    assert loaded.policy.source == str(path)


def test_when_two_folders_have_a_policy_then_the_nearest_wins(tree: Path) -> None:
    _write(tree / "home/ana", "far")
    _write(tree / "home/ana/project", "near")

    assert discover_policy(tree / "home/ana/project/notebooks", _env(tree)).policy.models.allow == ["near"]


def test_when_a_policy_is_above_the_home_directory_then_it_is_not_used(tree: Path) -> None:
    _write(tree / "home", "shared-folder")

    loaded = discover_policy(tree / "home/ana/project/notebooks", _env(tree))

    assert loaded.origin == "default"


def test_when_the_notebook_is_outside_home_then_the_search_goes_to_the_root(tree: Path) -> None:
    _write(tree / "srv", "server-wide")
    (tree / "srv/team/notebooks").mkdir(parents=True)

    loaded = discover_policy(tree / "srv/team/notebooks", _env(tree))

    assert loaded.policy.models.allow == ["server-wide"]


def test_when_a_folder_has_both_yaml_and_yml_then_it_refuses_to_guess(tree: Path) -> None:
    _write(tree / "home/ana/project", "a", "aigov.yaml")
    _write(tree / "home/ana/project", "b", "aigov.yml")

    with pytest.raises(PolicyError, match="will not guess"):
        discover_policy(tree / "home/ana/project", _env(tree))


def test_when_no_policy_is_found_then_the_built_in_default_is_used(tree: Path) -> None:
    loaded = discover_policy(tree / "home/ana/project/notebooks", _env(tree))

    assert (loaded.origin, loaded.source, loaded.path) == ("default", DEFAULT_SOURCE, None)
    assert loaded is default_policy()
    assert len(loaded.sha256) == 64


def test_when_the_found_policy_is_invalid_then_discovery_fails_instead_of_falling_back(tree: Path) -> None:
    path = tree / "home/ana/project/aigov.yaml"
    path.write_text("version: 1\nmodels: {alow: []}\n", encoding="utf-8")

    with pytest.raises(PolicyError, match=r"aigov\.yaml:2: models\.alow: unknown key"):
        discover_policy(tree / "home/ana/project/notebooks", _env(tree))


def test_when_the_default_policy_is_read_then_it_is_safe() -> None:
    policy = default_policy().policy

    assert policy.on_error == "block"
    assert policy.models.allow == [] and policy.models.deny == []
    assert {e: policy.redaction.entities[e] for e in ("SECRET", "CREDIT_CARD", "US_SSN")} == dict.fromkeys(
        ("SECRET", "CREDIT_CARD", "US_SSN"), "block"
    )
    assert {policy.redaction.entities[e] for e in ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER")} == {"redact"}
    assert policy.redaction.restore_in_response is True


def test_when_the_caller_names_a_policy_file_then_it_is_loaded_with_its_hash(tree: Path) -> None:
    path = _write(tree / "given", "given")

    loaded = load_policy_file(path)

    assert (loaded.origin, loaded.source, loaded.policy.models.allow) == ("given", str(path), ["given"])
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
