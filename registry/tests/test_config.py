"""Settings: options over environment over defaults; bundles beside an SQLite file unless told where."""

from __future__ import annotations

from pathlib import Path

import pytest
from aigov_registry.config import ConfigError, load_settings


def test_when_nothing_is_given_then_an_sqlite_file_in_the_current_folder_with_bundles_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)

    settings = load_settings(env={})

    assert settings.database_url == f"sqlite:///{tmp_path / 'aigov-registry' / 'registry.sqlite3'}"
    assert settings.bundle_folder() == tmp_path / "aigov-registry" / "registry-bundles"
    assert settings.max_upload_bytes == 512 << 20 and settings.is_sqlite


def test_when_options_and_environment_are_both_given_then_options_win(tmp_path: Path):
    env = {
        "AIGOV_REGISTRY_DB": f"sqlite:///{tmp_path / 'env.sqlite3'}",
        "AIGOV_REGISTRY_DATA_DIR": str(tmp_path / "env-data"),
        "AIGOV_REGISTRY_MAX_UPLOAD_MIB": "64",
    }

    from_env = load_settings(env=env)
    from_options = load_settings(f"sqlite:///{tmp_path / 'opt.sqlite3'}", tmp_path / "opt-data", 8, env=env)

    assert (from_env.database_url, from_env.data_dir, from_env.max_upload_bytes) == (
        f"sqlite:///{tmp_path / 'env.sqlite3'}", tmp_path / "env-data", 64 << 20,
    )  # fmt: skip
    assert (from_options.database_url, from_options.data_dir, from_options.max_upload_bytes) == (
        f"sqlite:///{tmp_path / 'opt.sqlite3'}", tmp_path / "opt-data", 8 << 20,
    )  # fmt: skip


def test_when_a_relative_sqlite_path_is_given_then_it_is_made_absolute(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    assert load_settings("sqlite:///here.sqlite3", env={}).database_url == f"sqlite:///{tmp_path / 'here.sqlite3'}"


def test_when_the_database_is_postgresql_then_the_url_is_kept_and_bundles_need_a_folder():
    settings = load_settings("postgresql+psycopg://registry:s%40cret@db.internal/registry", env={})

    assert settings.database_url == "postgresql+psycopg://registry:s%40cret@db.internal/registry"
    assert not settings.is_sqlite and settings.data_dir is None
    with pytest.raises(ConfigError, match="--data-dir"):
        settings.bundle_folder()


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"AIGOV_REGISTRY_MAX_UPLOAD_MIB": "lots"}, "whole number of MiB"),
        ({"AIGOV_REGISTRY_MAX_UPLOAD_MIB": "-1"}, "positive number"),
        ({"AIGOV_REGISTRY_DB": "::"}, "not a database URL"),
    ],
)
def test_when_a_setting_is_unusable_then_config_error_names_it(env: dict[str, str], says: str):
    with pytest.raises(ConfigError, match=says):
        load_settings(env=env)


def test_when_the_upload_limit_is_set_then_the_verifier_bounds_what_a_bundle_may_inflate_to(tmp_path: Path):
    limits = load_settings(f"sqlite:///{tmp_path / 'r.sqlite3'}", max_upload_mib=1, env={}).archive_limits()

    assert limits.max_total_bytes == limits.max_entry_bytes == 64 << 20


def test_when_signers_are_pinned_then_they_come_from_options_else_the_environment():
    given = load_settings("sqlite:///x.sqlite3", signers=["SHA256:abc"], env={"AIGOV_REGISTRY_SIGNERS": "SHA256:x"})
    from_env = load_settings("sqlite:///x.sqlite3", env={"AIGOV_REGISTRY_SIGNERS": "SHA256:a, SHA256:b"})

    assert given.signers == ("SHA256:abc",)
    assert from_env.signers == ("SHA256:a", "SHA256:b")
    assert load_settings("sqlite:///x.sqlite3", env={}).signers == ()


def test_when_a_pinned_signer_is_not_a_fingerprint_then_the_error_says_how_to_write_it():
    with pytest.raises(ConfigError, match="aigov key"):
        load_settings("sqlite:///x.sqlite3", signers=["not-a-key"], env={})
