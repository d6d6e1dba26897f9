"""The team's policy from the registry: pulled with its ETag, cached on disk, the cached copy used when it is down.

pulled = pull_policy(settings, "churn-analysis")
pulled.loaded  # a LoadedPolicy to enforce, or None: fall back to local discovery (pulled.message says why)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aigov_core.errors import PolicyError, RegistryError
from aigov_core.policy import parse_policy_bytes

from ..policy import LoadedPolicy
from .http import Backoff, RegistryClient, RegistrySettings

# a kernel waits for this at %load_ext: one quick try, then the cached copy
PULL_TIMEOUT_S = 3.0
PULL_BACKOFF = Backoff(attempts=1)
# fresh: downloaded now; current: the cached copy is still the registry's (304); cached: the registry is down;
# none: the registry has no policy for this team / use case; unavailable: it is down and nothing is cached
State = Literal["fresh", "current", "cached", "none", "unavailable"]


@dataclass(frozen=True)
class PulledPolicy:
    """The outcome of one pull: the policy to enforce (None: use local discovery), and what happened."""

    loaded: LoadedPolicy | None
    state: State
    message: str
    etag: str | None = None


def cache_root(env: Mapping[str, str] | None = None) -> Path:
    """$XDG_CACHE_HOME/aigov/policy, else ~/.cache/aigov/policy."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME", "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".cache") / "aigov" / "policy"


def cache_paths(root: Path, url: str, use_case: str | None) -> tuple[Path, Path]:
    """The cached YAML and its metadata, keyed by registry URL and use case."""
    key = hashlib.sha256(f"{url}\0{use_case or ''}".encode()).hexdigest()[:32]
    return root / f"{key}.yaml", root / f"{key}.json"


def pull_policy(
    settings: RegistrySettings, use_case: str | None, *, root: Path | None = None, timeout_s: float = PULL_TIMEOUT_S
) -> PulledPolicy:
    """Ask the registry (If-None-Match the cached ETag); the cached copy when it cannot answer."""
    root = root or cache_root()
    document, meta = cache_paths(root, settings.url, use_case)
    cached_etag = _cached_etag(meta) if document.is_file() else None
    source = f"registry {settings.url}" + (f" (use case {use_case})" if use_case else "")
    client = RegistryClient(settings, timeout_s=timeout_s, backoff=PULL_BACKOFF)
    try:
        answer = client.request(
            "GET",
            "/api/v1/policy",
            params={"use_case": use_case} if use_case else None,
            headers={"If-None-Match": cached_etag} if cached_etag else None,
            ok=(200, 304, 404),
        )
    except RegistryError as exc:
        return _from_cache(document, source, f"The registry could not give the policy: {exc}")
    finally:
        client.close()
    if answer.status_code == 404:
        return PulledPolicy(None, "none", f"The registry at {settings.url} has no policy for this team or use case.")
    if answer.status_code == 304:
        return _cached(document, source, "current", "The cached copy is the registry's current policy.", cached_etag)
    etag = answer.headers.get("ETag")
    try:
        loaded = _loaded(answer.content, source, document)
    except PolicyError as exc:
        return _from_cache(document, source, f"The registry's policy is not valid ({exc})")
    try:
        _store(root, document, meta, answer.content, etag, settings.url, use_case)
    except OSError as exc:  # enforced all the same; only the next outage cannot fall back on it
        return PulledPolicy(loaded, "fresh", f"Pulled from {settings.url}; not cached ({_os_error(exc)}).", etag)
    return PulledPolicy(loaded, "fresh", f"Pulled from {settings.url}.", etag)


def _from_cache(document: Path, source: str, why: str) -> PulledPolicy:
    if not document.is_file():
        return PulledPolicy(None, "unavailable", f"{why} No cached copy: the local policy is used instead.")
    return _cached(document, f"{source} (cached)", "cached", f"{why} Enforcing the cached copy {document}.", None)


def _cached(document: Path, source: str, state: State, message: str, etag: str | None) -> PulledPolicy:
    try:
        return PulledPolicy(_loaded(document.read_bytes(), source, document), state, message, etag)
    except OSError as exc:
        return PulledPolicy(None, "unavailable", f"The cached policy {document} is unusable ({_os_error(exc)}).")
    except PolicyError as exc:
        return PulledPolicy(None, "unavailable", f"The cached policy {document} is unusable ({exc}).")


def _os_error(exc: OSError) -> str:
    """An OS error as the policy.load record may hold it: the system's sentence, not a message built around it."""
    return f"{type(exc).__name__}: {exc.strerror}" if exc.strerror else type(exc).__name__


def _loaded(data: bytes, source: str, document: Path) -> LoadedPolicy:
    policy = parse_policy_bytes(data, source)
    # "given": chosen for this kernel from outside its folder; path: where the exact bytes are (for bundles)
    return LoadedPolicy(policy, source, "given", hashlib.sha256(data).hexdigest(), document)


def _cached_etag(meta: Path) -> str | None:
    try:
        etag = json.loads(meta.read_text()).get("etag")
    except (OSError, ValueError, AttributeError):
        return None
    return etag if isinstance(etag, str) else None


def _store(
    root: Path, document: Path, meta: Path, data: bytes, etag: str | None, url: str, use_case: str | None
) -> None:
    """Write the copy and its ETag, each renamed into place: a reader sees an old copy or the new one."""
    root.mkdir(parents=True, exist_ok=True)
    for path, content in ((document, data), (meta, json.dumps({"etag": etag, "url": url, "use_case": use_case}))):
        partial = path.with_suffix(path.suffix + ".partial")
        partial.write_bytes(content if isinstance(content, bytes) else content.encode())
        os.replace(partial, path)
