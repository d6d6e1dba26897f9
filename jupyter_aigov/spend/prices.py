"""What one AI call costs in US dollars, from its token usage, by the price list bundled in genai-prices.

The prices are the snapshot shipped inside the installed genai-prices wheel, read through a snapshot of
our own: never ``genai_prices.calc_price``, whose snapshot ``genai_prices.UpdatePrices`` (a background
fetch from GitHub, which user code may start) can replace. Nothing here opens a socket.

Priced as the provider's standard rate for the tokens the call reported: no batch or service-tier
variants, and no prompt-cache discount (cached input tokens are counted at the full input rate, so a
figure is at most the true price). genai-prices is imported on first use, not with the package: it
takes about 0.3 s, which ``warm_up()`` can spend in a background thread.

>>> cost_of("openai", "gpt-4o-mini", Usage(input_tokens=1000, output_tokens=500))
Cost(usd=0.00045, priced_as='openai/gpt-4o-mini', source='genai-prices 0.2.3')
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from jupyter_aigov.providers.base import Usage

if TYPE_CHECKING:
    from genai_prices.data_snapshot import DataSnapshot
    from genai_prices.types import ModelInfo, ModelPrice

# Our provider names (providers/catalogue.yaml) -> genai-prices provider ids. A name not listed here
# ("openai-compatible", a provider declared in the policy) is priced by its model name alone: a gateway
# serving "gpt-4o-mini" is priced as OpenAI's gpt-4o-mini, the usual reason to run one.
PROVIDER_IDS: dict[str, str] = {
    "openai": "openai",
    "azure-openai": "azure",  # genai-prices' azure falls back to openai's (and others') models
    "anthropic": "anthropic",
    "gemini": "google",
    "vertex-ai": "google",  # falls back to anthropic's models: Claude on Vertex ("claude-3-5-sonnet-v2@20241022")
    "bedrock": "aws",  # knows "anthropic.claude-...-v1:0", "us."/"eu."/"global." profiles and their ARNs
    "mistral": "mistral",
    "groq": "groq",
    "together": "together",
    "openrouter": "openrouter",
    "deepseek": "deepseek",
    "fireworks": "fireworks",
    "xai": "x-ai",
    "perplexity": "perplexity",
    "cohere": "cohere",
}
# Ollama runs models on the user's own machine: no per-token price, so a call costs 0. (ollama.com's
# hosted models, also named "ollama", are sold by subscription, not per token: 0 per call there too.)
LOCAL_PROVIDERS = frozenset({"ollama"})
LOCAL_SOURCE = "local model: no per-token price"
_PROBE_OUTPUT = 1_000_000  # output tokens of the probe that reads the output rate (a round million: exact)


@dataclass(frozen=True, slots=True)
class Cost:
    """What one call cost, the genai-prices entry it was priced as ("openai/gpt-4o-mini"), and the price list."""

    usd: float
    priced_as: str
    source: str


def cost_of(provider: str, model: str | None, usage: Usage) -> Cost | None:
    """The cost of a call that reported ``usage``; None when the model is not priced or no token was counted."""
    input_tokens = usage.input_tokens or 0
    output_tokens = usage.output_tokens or 0
    if input_tokens <= 0 and output_tokens <= 0:
        return None
    if provider in LOCAL_PROVIDERS:
        return Cost(0.0, f"{provider}/{model}" if model else provider, LOCAL_SOURCE)
    if not model:
        return None
    priced = _priced_model(provider, model)
    if priced is None:
        return None
    tariff = _tariff(priced.info)
    return Cost(tariff.usd(input_tokens, output_tokens), priced.name, _source())


def estimate_input_cost(provider: str, model: str | None, input_tokens: int) -> float | None:
    """The part of a call's cost known before it is sent: its input tokens, plus any per-request fee.

    For budget checks before the call; None when the model is not priced.
    """
    if provider in LOCAL_PROVIDERS:
        return 0.0
    priced = _priced_model(provider, model) if model else None
    if priced is None:
        return None
    return _tariff(priced.info).usd(max(input_tokens, 0), 0)


def warm_up() -> None:
    """Load the price list now (about 0.3 s), so that the first priced call does not wait for it."""
    _snapshot()


@dataclass(frozen=True)
class _PricedModel:
    """A model genai-prices knows, and the name it is known by there."""

    info: ModelInfo
    name: str


@functools.lru_cache(maxsize=4096)
def _priced_model(provider: str, model: str) -> _PricedModel | None:
    """The genai-prices model a (provider, model) of ours is priced as; memoised, as matching scans the list."""
    snapshot = _snapshot()
    for provider_id, ref in _lookups(provider, model):
        try:
            found, info = snapshot.find_provider_model(ref, None, provider_id, None)
        except LookupError:
            continue
        return _PricedModel(info, f"{found.id}/{info.id}")
    return None


def _lookups(provider: str, model: str) -> Iterator[tuple[str | None, str]]:
    """(genai-prices provider id or None for "by model alone", model reference) to try, best first."""
    if provider == "huggingface" and ":" in model:  # the router's "org/model:novita" names who serves it
        ref, _, host = model.rpartition(":")
        yield f"huggingface_{host}", ref
    if provider in PROVIDER_IDS:
        yield PROVIDER_IDS[provider], model
    prefix, slash, rest = model.partition("/")
    if slash and rest:  # "openai/gpt-4o-mini" through a proxy (LiteLLM, a company gateway): the prefix says who
        yield PROVIDER_IDS.get(prefix, prefix), rest
    yield None, model
    if slash and rest:
        yield None, model.rpartition("/")[2]


@functools.cache
def _snapshot() -> DataSnapshot:
    """The price list bundled in the installed genai-prices, in a snapshot no price update can replace."""
    from genai_prices.data import providers
    from genai_prices.data_snapshot import DataSnapshot

    return DataSnapshot(providers=providers, from_auto_update=False)


@functools.cache
def _source() -> str:
    import importlib.metadata  # 20 ms to import: not at load

    return f"genai-prices {importlib.metadata.version('genai-prices')}"


@dataclass(frozen=True)
class _Tariff:
    """One model price as floats, per input-token tier: USD per request, per input token, per output token.

    A call whose input tokens exceed ``starts[k]`` pays tier k+1's rates on all its tokens (genai-prices'
    ``TieredPrices``); within a tier the cost is linear in the tokens.
    """

    starts: tuple[int, ...]
    per_request: tuple[float, ...]
    per_input: tuple[float, ...]
    per_output: tuple[float, ...]

    def usd(self, input_tokens: int, output_tokens: int) -> float:
        tier = bisect.bisect_left(self.starts, input_tokens)  # how many starts lie below input_tokens
        return self.per_request[tier] + input_tokens * self.per_input[tier] + output_tokens * self.per_output[tier]


# id(ModelPrice) -> (that ModelPrice, kept alive so the id stays its own; its tariff). ModelPrice is unhashable.
_tariffs: dict[int, tuple[ModelPrice, _Tariff]] = {}


def _tariff(info: ModelInfo) -> _Tariff:
    """The tariff of a model's price in force now (prices may change on a date, or by time of day)."""
    prices = info.prices if not isinstance(info.prices, list) else info.get_prices(datetime.now(UTC))
    entry = _tariffs.get(id(prices))
    if entry is None:
        entry = _tariffs[id(prices)] = (prices, _read_tariff(prices))
    return entry[1]


def _read_tariff(prices: ModelPrice) -> _Tariff:
    """Read the rates back from genai-prices' own calculation, one input count inside each tier.

    Probing rather than reading the fields keeps genai-prices the judge of which units a token count
    is priced under; it costs ~0.1 ms per probe, once per price.
    """
    from genai_prices.types import TieredPrices
    from genai_prices.types import Usage as PricedUsage

    starts = sorted(
        {tier.start for value in vars(prices).values() if isinstance(value, TieredPrices) for tier in value.tiers}
    )
    per_request, per_input, per_output = [], [], []
    for tier in range(len(starts) + 1):
        tokens = starts[tier - 1] + 1 if tier else 1
        only_input = prices.calc_price(PricedUsage(input_tokens=tokens, output_tokens=0))
        with_output = prices.calc_price(PricedUsage(input_tokens=tokens, output_tokens=_PROBE_OUTPUT))
        per_input.append(float(only_input["input_price"] / tokens))
        per_output.append(float(with_output["output_price"] / _PROBE_OUTPUT))
        per_request.append(float(only_input["total_price"] - only_input["input_price"] - only_input["output_price"]))
    return _Tariff(tuple(starts), tuple(per_request), tuple(per_input), tuple(per_output))
