"""Where the client looks: registry settings from the environment, retry delays, spool and cache locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_aigov.registry_client.http import Backoff, RegistrySettings
from jupyter_aigov.registry_client.live import spool_path_for
from jupyter_aigov.registry_client.policy_pull import cache_paths, cache_root

BOTH = {"AIGOV_REGISTRY_URL": "http://r", "AIGOV_REGISTRY_TOKEN": "t"}


@pytest.mark.parametrize(
    ("env", "url", "token", "expected"),
    [
        ({}, None, None, None),
        ({"AIGOV_REGISTRY_URL": "  "}, None, None, None),
        ({"AIGOV_REGISTRY_URL": "http://r:8000/"}, None, None, RegistrySettings("http://r:8000", None)),
        (BOTH, None, None, RegistrySettings("http://r", "t")),
        (BOTH, "http://o", "u", RegistrySettings("http://o", "u")),
    ],
)  # fmt: skip
def test_when_settings_are_read_then_explicit_values_win_over_the_environment(
    env: dict[str, str], url: str | None, token: str | None, expected: RegistrySettings | None
):
    assert RegistrySettings.from_env(env, url=url, token=token) == expected


def test_when_attempts_fail_then_the_delay_doubles_up_to_its_cap():
    assert [Backoff(first_s=0.5, max_s=3.0).delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [("/p/.aigov/evidence", "/p/.aigov/spool/churn.jsonl"), ("/custom", "/custom/spool/churn.jsonl")],
)
def test_when_the_spool_is_placed_then_it_is_beside_the_evidence(evidence: str, expected: str):
    assert spool_path_for(Path(evidence), "churn.jsonl") == Path(expected)


def test_when_policies_are_cached_then_each_registry_and_use_case_has_its_own_copy(tmp_path: Path):
    keys = {cache_paths(tmp_path, url, case)[0] for url in ("http://a", "http://b") for case in (None, "churn")}

    assert len(keys) == 4 and all(path.parent == tmp_path for path in keys)
    assert cache_root({"XDG_CACHE_HOME": "/x"}) == Path("/x/aigov/policy")
    assert cache_root({}) == Path.home() / ".cache" / "aigov" / "policy"
