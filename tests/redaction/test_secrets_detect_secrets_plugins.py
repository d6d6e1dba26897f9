"""detect-secrets' plugins run on text in memory: their regexes only, gated, bounded, never verified."""

from __future__ import annotations

import pytest
import requests

from jupyter_aigov.redaction.secrets.detect_secrets_plugins import (
    EXCLUDED,
    GATES,
    find_with_detect_secrets,
    plugin_regexes,
)


def test_when_plugins_load_then_every_regex_plugin_but_the_excluded_runs_and_each_has_a_gate() -> None:
    names = {name for name, _ in plugin_regexes()}
    assert len(names) >= 20
    assert not names & EXCLUDED
    assert names <= set(GATES)


@pytest.mark.parametrize(
    ("text", "plugin", "secret"),
    [
        (
            'client = Client("SK0123456789abcdef0123456789abcdef")',
            "TwilioKeyDetector",
            "SK0123456789abcdef0123456789abcdef",
        ),
        (
            "ibm_cloud_api_key = 'Zk3q9XvR2mLp8TnW4bYc6dFh1JsQ7uGa5eKo0iNr2tMx'",
            "IbmCloudIamDetector",
            "Zk3q9XvR2mLp8TnW4bYc6dFh1JsQ7uGa5eKo0iNr2tMx",
        ),
    ],
)
def test_when_a_plugin_recognises_a_secret_then_its_span_is_the_secret(text: str, plugin: str, secret: str) -> None:
    assert (plugin, secret) in [(p, text[s:e]) for p, s, e in find_with_detect_secrets(text)]


def test_when_a_match_runs_into_a_longer_token_then_it_is_not_a_secret() -> None:
    assert list(find_with_detect_secrets("TAKIAVMOH5T4EUNF2CDSSX is a product code")) == []


def test_when_plugins_scan_then_nothing_goes_to_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a detect-secrets plugin tried to verify a secret over the network")

    monkeypatch.setattr(requests.Session, "request", refuse)
    text = "slack xoxb-123456789012-1234567890123-AbCdEf123456GhIjKl789012 and sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2"
    assert list(find_with_detect_secrets(text))
