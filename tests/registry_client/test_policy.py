"""The registry's policy in a kernel: pulled and enforced, revalidated by ETag, cached for when it is down."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import openai
import pytest

import aigov
from jupyter_aigov import governance
from jupyter_aigov.registry_client.http import RegistrySettings
from jupyter_aigov.registry_client.policy_pull import cache_paths, cache_root, pull_policy
from jupyter_aigov.testing import StandInProvider

from .conftest import Registry, free_port

MINI_ONLY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\nuse_cases:\n  churn:\n    users: ['*']\n"
CLAUDE_ONLY = "version: 1\nmodels:\n  allow: ['claude-*']\n"
HI = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "aigov" / "policy"


def _ask(provider: StandInProvider, model: str) -> None:
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=0)
    client.chat.completions.create(model=model, messages=HI)  # type: ignore[arg-type]


def _team(registry: Registry, policy: str, use_case: str | None = None) -> dict[str, str]:
    answer = registry.put_policy(registry.token("churn", "admin"), policy, use_case)
    assert answer.status_code in (200, 201), answer.text
    return {"AIGOV_REGISTRY_URL": registry.url, "AIGOV_REGISTRY_TOKEN": registry.token("churn", "submit")}


def test_when_the_registry_has_a_policy_then_the_kernel_enforces_it_over_the_local_one(
    registry: Registry, governed: Any, provider: StandInProvider
):
    env = _team(registry, MINI_ONLY)
    governed("version: 1\n", **env)  # the local file allows every model

    with pytest.raises(aigov.PolicyViolation) as refused:
        _ask(provider, "gpt-4o")
    _ask(provider, "gpt-4o-mini")

    assert refused.value.rule == "models.allow"
    loaded = governed.records("policy.load")[0]
    assert loaded["policy_source"] == f"registry {registry.url}" and loaded["registry_policy"] == "fresh"
    status = governance.status()
    assert status["policy"] == f"registry {registry.url}" and status["registry"]["policy"]["state"] == "fresh"


def test_when_the_cached_copy_is_current_then_the_registry_answers_304_and_it_is_used(
    registry: Registry, governed: Any, _cache: Path
):
    env = _team(registry, MINI_ONLY)
    settings = RegistrySettings(registry.url, env["AIGOV_REGISTRY_TOKEN"])

    first = pull_policy(settings, None, root=_cache)
    second = pull_policy(settings, None, root=_cache)

    assert (first.state, second.state) == ("fresh", "current")
    assert first.etag and second.etag == first.etag
    assert second.loaded is not None and second.loaded.sha256 == first.loaded.sha256  # type: ignore[union-attr]
    document, _ = cache_paths(_cache, registry.url, None)
    assert document.read_text() == MINI_ONLY and cache_root() == _cache


def test_when_the_registry_is_down_then_the_cached_copy_is_enforced_and_said_so(
    registry: Registry, governed: Any, provider: StandInProvider
):
    env = _team(registry, MINI_ONLY)
    governed("version: 1\n", **env)
    governance.disable()
    registry.stop()

    governed("version: 1\n", **env)

    with pytest.raises(aigov.PolicyViolation):
        _ask(provider, "gpt-4o")
    loaded = governed.records("policy.load")[-1]
    assert loaded["policy_source"] == f"registry {registry.url} (cached)"
    assert loaded["registry_policy"] == "cached" and "Enforcing the cached copy" in loaded["registry_note"]
    assert governance.status()["registry"]["policy"]["state"] == "cached"


def test_when_the_use_case_is_set_then_its_policy_is_pulled_and_enforced(
    registry: Registry, governed: Any, provider: StandInProvider
):
    _team(registry, "version: 1\nuse_cases:\n  churn:\n    users: ['*']\n")
    env = _team(registry, MINI_ONLY, "churn")
    governed(**env)
    _ask(provider, "gpt-4o")  # the team's default allows it

    aigov.set_use_case("churn")

    with pytest.raises(aigov.PolicyViolation):
        _ask(provider, "gpt-4o")
    loaded = governed.records("policy.load")[-1]
    assert loaded["policy_source"] == f"registry {registry.url} (use case churn)"
    assert governed.records("use_case.set")[-1]["use_case"] == "churn"


def test_when_the_registry_is_down_and_nothing_is_cached_then_the_local_policy_is_used_and_said_so(
    governed: Any, provider: StandInProvider, tmp_path: Path
):
    url = f"http://127.0.0.1:{free_port()}"

    governed(CLAUDE_ONLY, AIGOV_REGISTRY_URL=url, AIGOV_REGISTRY_TOKEN="t")

    with pytest.raises(aigov.PolicyViolation):
        _ask(provider, "gpt-4o-mini")
    loaded = governed.records("policy.load")[0]
    assert loaded["policy_source"] == str(tmp_path / "aigov.yaml")
    assert loaded["registry_policy"] == "unavailable" and "the local policy is used instead" in loaded["registry_note"]
    assert url in loaded["registry_note"]


def test_when_the_team_has_no_policy_then_the_local_policy_is_used(registry: Registry, governed: Any, tmp_path: Path):
    governed(CLAUDE_ONLY, AIGOV_REGISTRY_URL=registry.url, AIGOV_REGISTRY_TOKEN=registry.token("churn", "submit"))

    assert governance.status()["policy"] == str(tmp_path / "aigov.yaml")
    assert governance.status()["registry"]["policy"]["state"] == "none"


def test_when_enable_names_a_policy_then_it_wins_over_the_registry(
    registry: Registry, governed: Any, provider: StandInProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    env = _team(registry, MINI_ONLY)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    named = tmp_path / "named.yaml"
    named.write_text(CLAUDE_ONLY)

    governance.enable(named)

    assert governance.status()["policy"] == str(named)
    assert governance.status()["registry"]["policy"]["state"] == "not pulled"
    with pytest.raises(aigov.PolicyViolation):
        _ask(provider, "gpt-4o-mini")


def test_when_the_registry_serves_an_alias_bomb_stored_before_it_refused_them_then_the_kernel_refuses_it(
    registry: Registry, tmp_path: Path
):
    env = _team(registry, "version: 1\n")
    # an older registry stored what this one now refuses: put the bomb in its database as that one would have
    bomb = "version: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9)
    )
    with sqlite3.connect(registry.folder / "registry.sqlite3") as database:
        database.execute(
            "UPDATE policies SET document = ?, sha256 = ?", (bomb, hashlib.sha256(bomb.encode()).hexdigest())
        )
    pull = (
        "import sys\n"
        "from pathlib import Path\n"
        "from jupyter_aigov.registry_client.http import RegistrySettings\n"
        "from jupyter_aigov.registry_client.policy_pull import pull_policy\n"
        "pulled = pull_policy(RegistrySettings(sys.argv[1], sys.argv[2]), None, root=Path(sys.argv[3]))\n"
        "print(pulled.state, pulled.loaded, pulled.message)\n"
    )

    # the pull runs in its own process, bounded: a regression would otherwise take this one's memory and hang it
    done = subprocess.run(
        [sys.executable, "-c", pull, env["AIGOV_REGISTRY_URL"], env["AIGOV_REGISTRY_TOKEN"], str(tmp_path / "c")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("unavailable None The registry's policy is not valid")
    assert "the policy uses YAML aliases (&x / *x)" in done.stdout and "the local policy is used instead" in done.stdout


def test_when_the_cached_copy_cannot_be_read_then_the_record_has_the_os_error_not_its_message(
    governed: Any, _cache: Path, monkeypatch: pytest.MonkeyPatch
):
    import errno

    from jupyter_aigov.registry_client import policy_pull

    url = f"http://127.0.0.1:{free_port()}"
    document, _ = cache_paths(cache_root(), url, None)
    document.parent.mkdir(parents=True, exist_ok=True)
    document.write_text(MINI_ONLY)

    def unreadable(*args: Any) -> Any:
        raise OSError(errno.EACCES, "Permission denied", "/home/frank.holt/policy.yaml")

    monkeypatch.setattr(policy_pull, "_loaded", unreadable)
    governed(CLAUDE_ONLY, AIGOV_REGISTRY_URL=url, AIGOV_REGISTRY_TOKEN="t")
    loaded = governed.records("policy.load")[0]
    assert loaded["registry_note"] == f"The cached policy {document} is unusable (PermissionError: Permission denied)."
    assert "frank.holt" not in governed.log_path.read_text()


LOCK_SCRIPT = """
import aigov
aigov.enable()
print(aigov.status()["locked"]["by"])
try:
    aigov.disable()
except aigov.GovernanceLocked as refused:
    print("refused", refused.attempt)
"""


def test_when_the_registry_policy_says_locked_then_a_governed_process_cannot_disable_it(
    registry: Registry, tmp_path: Path
):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIGOV_") and k != "JUPYTERHUB_USER"}
    env |= _team(registry, MINI_ONLY + "locked: true\n")  # a process once locked stays so: a process of its own
    env |= {"AIGOV_EVIDENCE_DIR": str(tmp_path / "evidence"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", LOCK_SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines() == ["the registry's policy (locked: true)", "refused `aigov.disable()`"], (
        done.stderr
    )
