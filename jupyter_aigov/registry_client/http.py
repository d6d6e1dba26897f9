"""Talking to the registry: a requests session with bearer auth, retries with backoff, and errors a user can act on."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from aigov_core.errors import RegistryError

URL_ENV = "AIGOV_REGISTRY_URL"
TOKEN_ENV = "AIGOV_REGISTRY_TOKEN"
RETRIED_STATUSES = frozenset({500, 502, 503, 504})


@dataclass(frozen=True)
class RegistrySettings:
    """Where the registry is and the token to show it."""

    url: str
    token: str | None

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, url: str | None = None, token: str | None = None
    ) -> RegistrySettings | None:
        """Explicit values first, else AIGOV_REGISTRY_URL / AIGOV_REGISTRY_TOKEN; None when no URL is known."""
        env = os.environ if env is None else env
        chosen = (url or env.get(URL_ENV, "")).strip().rstrip("/")
        if not chosen:
            return None
        return cls(chosen, (token or env.get(TOKEN_ENV, "")).strip() or None)


@dataclass(frozen=True)
class Backoff:
    """How often and how patiently to try: attempts, then delays doubling from ``first_s`` up to ``max_s``."""

    attempts: int = 4
    first_s: float = 0.5
    max_s: float = 8.0

    def delay(self, attempt: int) -> float:
        """The pause after failed attempt number ``attempt`` (0-based)."""
        return float(min(self.max_s, self.first_s * (2**attempt)))


class RegistryClient:
    """One registry, one token: ``client.request("GET", "/api/v1/policy", params=...)``."""

    def __init__(self, settings: RegistrySettings, *, timeout_s: float = 30.0, backoff: Backoff | None = None) -> None:
        self.settings = settings
        self.timeout_s = timeout_s
        self.backoff = backoff or Backoff()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "jupyter-aigov registry client"
        if settings.token:
            self.session.headers["Authorization"] = f"Bearer {settings.token}"

    def close(self) -> None:
        """Close the connections kept open."""
        self.session.close()

    def url(self, path: str) -> str:
        """The absolute URL of an API path."""
        return f"{self.settings.url}{path}"

    def request(
        self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201), backoff: Backoff | None = None, **kwargs: Any
    ) -> requests.Response:
        """Send, retrying connection failures and 5xx with exponential backoff; RegistryError unless in ``ok``."""
        backoff = backoff or self.backoff
        kwargs.setdefault("timeout", self.timeout_s)
        failure: RegistryError | None = None
        for attempt in range(max(1, backoff.attempts)):
            if attempt:
                time.sleep(backoff.delay(attempt - 1))
            try:
                answer = self.session.request(method, self.url(path), **kwargs)
            except requests.RequestException as exc:
                failure = RegistryError(self._unreachable(exc, attempt + 1))
                continue
            if answer.status_code in ok:
                return answer
            failure = RegistryError(self.describe(answer), answer.status_code)
            if answer.status_code not in RETRIED_STATUSES:
                break
        assert failure is not None
        raise failure

    def _unreachable(self, exc: requests.RequestException, attempts: int) -> str:
        kind = "timed out" if isinstance(exc, requests.Timeout) else "could not be reached"
        return (
            f"The registry at {self.settings.url} {kind} after {attempts} attempt(s) ({type(exc).__name__}). "
            f"Check that it is running and that {URL_ENV} (or --registry) names it."
        )

    def describe(self, answer: requests.Response) -> str:
        """What a refusal means and what to do about it, with the registry's own reason."""
        status, detail = answer.status_code, _detail(answer)
        where = f"The registry at {self.settings.url}"
        if status == 401:
            if not self.settings.token:
                return (
                    f"{where} needs a token: set {TOKEN_ENV} (or pass --token) to a token made by "
                    "`aigov-registry token create`."
                )
            return (
                f"{where} does not accept the token in {TOKEN_ENV} (or --token): it is unknown or revoked; "
                f"ask its operator for a new one. {detail}"
            )
        if status == 403:
            return f"{where} refused: the token's role does not allow this. {detail}"
        if status == 404:
            return f"{where} has nothing at {answer.request.path_url if answer.request else ''}. {detail}"
        if status == 413:
            return f"{where} refused the upload as too large. {detail}"
        if status == 415:
            return f"{where} refused the upload's format. {detail}"
        if status == 422:
            return f"{where} refused it: {detail}"
        if status >= 500:
            return f"{where} failed ({status}) and kept failing. {detail} Try again later, or ask its operator."
        return f"{where} answered {status}. {detail}"


def _detail(answer: requests.Response) -> str:
    """The registry's ``detail``, else the start of whatever it answered."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:300].strip()
    if isinstance(body, dict) and "detail" in body:
        detail = body["detail"]
        return detail if isinstance(detail, str) else str(detail)
    return str(body)[:300]
