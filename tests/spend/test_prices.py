"""Prices: real genai-prices data, matched for every provider of ours, agreeing with genai-prices' own sums, offline."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import genai_prices
import pytest
from genai_prices import data_snapshot
from genai_prices.data import providers as genai_providers

from jupyter_aigov.providers.base import Usage
from jupyter_aigov.spend import prices
from jupyter_aigov.spend.prices import PROVIDER_IDS, Cost, cost_of, estimate_input_cost


def genai_total(provider_id: str | None, model: str, input_tokens: int, output_tokens: int) -> float:
    """What genai-prices itself says the call costs, from its bundled data."""
    usage = genai_prices.Usage(input_tokens=input_tokens, output_tokens=output_tokens)
    return float(
        data_snapshot.DataSnapshot(genai_providers, False).calc(usage, model, provider_id, None, None).total_price
    )


@pytest.fixture
def cold_cache() -> Iterator[None]:
    """Forget every memoised match and tariff, so that the call under test reads the price list again."""
    prices._priced_model.cache_clear()
    prices._tariffs.clear()
    yield
    prices._priced_model.cache_clear()
    prices._tariffs.clear()


@pytest.mark.parametrize(
    ("provider", "model", "priced_as"),
    [
        ("openai", "gpt-4o-mini", "openai/gpt-4o-mini"),
        ("openai", "gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini"),
        ("azure-openai", "gpt-4o-mini", "azure/gpt-4o-mini"),
        ("anthropic", "claude-3-5-sonnet-20241022", "anthropic/claude-3-5-sonnet"),
        ("gemini", "gemini-1.5-flash", "google/gemini-1.5-flash"),
        ("vertex-ai", "claude-3-5-sonnet-v2@20241022", "google/claude-3-5-sonnet"),
        ("bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", "aws/regional.anthropic.claude-3-5-sonnet-"),
        ("bedrock", "us.anthropic.claude-3-5-sonnet-20240620-v1:0", "aws/regional.anthropic.claude-3-5-sonnet-"),
        (
            "bedrock",
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0",
            "aws/regional.anthropic.claude-3-5-sonnet-",
        ),
        ("mistral", "mistral-large-latest", "mistral/mistral-large"),
        ("groq", "llama-3.1-8b-instant", "groq/llama-3.1-8b-instant"),
        ("huggingface", "meta-llama/Llama-3.1-8B-Instruct:novita", "huggingface_novita/meta-llama/Llama-3.1-8B"),
        ("openai-compatible", "gpt-4o-mini", "openai/gpt-4o-mini"),
        ("openai-compatible", "openai/gpt-4o-mini", "openai/gpt-4o-mini"),
        ("internal", "claude-3-5-sonnet-20241022", "anthropic/claude-3-5-sonnet"),
    ],
)
def test_when_a_known_model_is_called_then_it_is_priced_as_genai_prices_prices_it(
    provider: str, model: str, priced_as: str
) -> None:
    cost = cost_of(provider, model, Usage(input_tokens=1200, output_tokens=300))

    assert cost is not None
    assert cost.priced_as.startswith(priced_as)
    assert cost.source == f"genai-prices {genai_prices.__version__}"
    genai_id, _, genai_model = cost.priced_as.partition("/")
    assert cost.usd == pytest.approx(genai_total(genai_id, genai_model, 1200, 300), rel=1e-12)
    assert cost.usd > 0


def test_when_gpt_4o_mini_is_called_then_the_cost_is_its_published_rate() -> None:
    # $0.15 per million input tokens, $0.60 per million output tokens since its launch (July 2024)
    cost = cost_of("openai", "gpt-4o-mini", Usage(input_tokens=1_000_000, output_tokens=1_000_000))

    assert cost == Cost(
        pytest.approx(0.75, rel=1e-12), "openai/gpt-4o-mini", f"genai-prices {genai_prices.__version__}"
    )


@pytest.mark.parametrize(("our_name", "genai_id"), sorted(PROVIDER_IDS.items()))
def test_when_any_model_of_a_mapped_provider_is_priced_then_it_agrees_with_genai_prices(
    our_name: str, genai_id: str
) -> None:
    provider = next(p for p in genai_providers if p.id == genai_id)
    checked = 0
    for model in provider.models:
        ref = getattr(model.match, "equals", model.id)  # fireworks' ids match only in their full form
        for input_tokens, output_tokens in [(1, 0), (1500, 700), (250_000, 4000), (600_000, 0)]:
            try:
                expected = genai_total(genai_id, ref, input_tokens, output_tokens)
            except (LookupError, ValueError):
                continue  # a model genai-prices itself cannot price from tokens alone
            cost = cost_of(our_name, ref, Usage(input_tokens, output_tokens))
            assert cost is not None, ref
            assert cost.usd == pytest.approx(expected, rel=1e-9, abs=1e-15), (ref, input_tokens)
            checked += 1
    assert checked > 0


def test_when_a_model_has_tiered_prices_then_a_long_prompt_pays_the_higher_tier() -> None:
    short = cost_of("gemini", "gemini-2.5-pro", Usage(input_tokens=200_000, output_tokens=0))
    long = cost_of("gemini", "gemini-2.5-pro", Usage(input_tokens=200_001, output_tokens=0))

    assert short is not None and long is not None
    assert long.usd / 200_001 > short.usd / 200_000 * 1.5  # $1.25 -> $2.50 per million above 200k tokens
    assert long.usd == pytest.approx(genai_total("google", "gemini-2.5-pro", 200_001, 0), rel=1e-12)


def test_when_a_provider_charges_per_request_then_the_fee_is_in_the_cost_and_the_estimate() -> None:
    cost = cost_of("perplexity", "sonar", Usage(input_tokens=10, output_tokens=10))
    estimate = estimate_input_cost("perplexity", "sonar", 10)

    assert cost is not None and estimate is not None
    assert cost.usd == pytest.approx(genai_total("perplexity", "sonar", 10, 10), rel=1e-12)
    assert estimate > 10 * 1e-6  # more than the tokens alone: the request fee is known before sending


@pytest.mark.parametrize(
    ("provider", "model", "usage"),
    [
        ("openai", "no-such-model-anywhere", Usage(10, 10)),
        ("azure-openai", "our-team-deployment", Usage(10, 10)),  # a deployment name says nothing of the model
        ("openai-compatible", "llama3.1", Usage(10, 10)),
        ("openai", None, Usage(10, 10)),
        ("openai", "gpt-4o-mini", Usage()),
        ("openai", "gpt-4o-mini", Usage(0, 0)),
    ],
)
def test_when_the_model_is_unknown_or_no_token_was_counted_then_there_is_no_cost(
    provider: str, model: str | None, usage: Usage
) -> None:
    assert cost_of(provider, model, usage) is None


def test_when_only_one_count_is_reported_then_the_other_counts_as_zero() -> None:
    only_output = cost_of("openai", "gpt-4o-mini", Usage(output_tokens=1_000_000))

    assert only_output is not None
    assert only_output.usd == pytest.approx(genai_total("openai", "gpt-4o-mini", 0, 1_000_000), rel=1e-12)


def test_when_ollama_runs_a_model_then_the_call_costs_nothing() -> None:
    assert cost_of("ollama", "llama3.1:8b", Usage(500, 200)) == Cost(0.0, "ollama/llama3.1:8b", prices.LOCAL_SOURCE)
    assert estimate_input_cost("ollama", "llama3.1:8b", 500) == 0.0


def test_when_estimating_then_only_the_input_is_priced() -> None:
    estimate = estimate_input_cost("anthropic", "claude-3-5-sonnet-20241022", 1_000_000)

    assert estimate == pytest.approx(genai_total("anthropic", "claude-3-5-sonnet-20241022", 1_000_000, 0), rel=1e-12)
    assert estimate_input_cost("openai", "no-such-model-anywhere", 1000) is None
    assert estimate_input_cost("openai", None, 1000) is None


def test_when_prices_are_read_then_no_socket_is_opened(monkeypatch: pytest.MonkeyPatch, cold_cache: None) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"the network was used: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)

    assert cost_of("openai", "gpt-4o-mini", Usage(100, 100)) is not None
    assert cost_of("bedrock", "us.anthropic.claude-3-5-sonnet-20240620-v1:0", Usage(100, 100)) is not None
    assert cost_of("openai", "no-such-model-anywhere", Usage(100, 100)) is None
    assert estimate_input_cost("gemini", "gemini-2.5-pro", 300_000) is not None


GUARDED_FIRST_USE = """
import socket, sys
def refuse(*args, **kwargs):
    raise AssertionError(f"the network was used: {args}")
socket.socket.connect = socket.socket.connect_ex = refuse
socket.getaddrinfo = refuse
from jupyter_aigov.providers.base import Usage
from jupyter_aigov.spend.prices import cost_of, warm_up
assert "genai_prices" not in sys.modules, "genai-prices was imported with the package"
warm_up()
cost = cost_of("anthropic", "claude-3-5-sonnet-20241022", Usage(1000, 100))
assert cost is not None and cost.usd > 0, cost
import threading
assert not any(t.name.startswith("genai_prices") for t in threading.enumerate()), "a price update started"
print(cost.priced_as)
"""


def test_when_a_fresh_process_loads_prices_then_genai_prices_is_imported_late_and_opens_no_socket() -> None:
    done = subprocess.run([sys.executable, "-c", GUARDED_FIRST_USE], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "anthropic/claude-3-5-sonnet"


def test_when_genai_prices_updates_its_prices_then_ours_stay_the_bundled_ones(cold_cache: None) -> None:
    # what UpdatePrices does after a fetch: a new snapshot for genai_prices.calc_price; here an empty one
    data_snapshot.set_custom_snapshot(data_snapshot.DataSnapshot(providers=[], from_auto_update=True))
    try:
        with pytest.raises(LookupError):
            genai_prices.calc_price(genai_prices.Usage(input_tokens=1), "gpt-4o-mini", provider_id="openai")
        cost = cost_of("openai", "gpt-4o-mini", Usage(1000, 100))
    finally:
        data_snapshot.set_custom_snapshot(None)

    assert cost is not None
    assert cost.usd == pytest.approx(genai_total("openai", "gpt-4o-mini", 1000, 100), rel=1e-12)
