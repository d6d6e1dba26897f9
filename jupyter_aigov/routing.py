"""Policy `routes:`: a call whose model matches a route goes to the approved deployment the route names.

A route's base_url is what a client of the call's wire format takes as its base URL. The call keeps the
operation part of its path, what follows its catalogue template's leading `**` ("/chat/completions",
"/responses", "/v1/messages", "/api/chat", "/models/gemini-2.0-flash:generateContent",
"/model/{modelId}/converse"), base_url takes the place of the rest, and the query string goes along. The
model is rewritten where the wire format keeps it: in the path (Gemini, Vertex, Bedrock, Claude on
Vertex) or in the JSON body's "model" (OpenAI, Anthropic, Ollama: `RoutePlan.rewrite_body`). Azure
deployment paths (/openai/deployments/{name}/chat/completions) arrive in the plain OpenAI form, model in
the body, which every OpenAI-format base URL takes, Azure's own /openai/v1 included.

Credentials never follow a call to another host: the caller's authorization, api-key, x-api-key and
x-goog-api-key headers (and Gemini's ?key=) are dropped whenever scheme, host or port change. With
api_key_env the route's key goes in the header the wire format uses there. Without it, a call moved to
another host arrives with no credentials and the deployment answers 401: the honest outcome, never
another provider's key.

A call already under the route's base_url is not moved again (so a routed call seen twice is left
alone): only its model is rewritten, when the route names another, and its headers are its own.

Bedrock calls are signed by botocore after aigov routes them, with the client's credentials and for the
client's region: a route may change their model, or move them to another endpoint in the same region;
a key (api_key_env) or another region is refused (RouteUnsupported), not sent to fail.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from aigov_core.errors import RouteCredentialsMissing, RouteUnsupported
from aigov_core.policy.document import Route
from jupyter_aigov.policy.globs import GlobSet
from jupyter_aigov.providers.base import AIRequest, as_list
from jupyter_aigov.providers.catalogue import Catalogue, PathSplit

# Headers that carry the caller's credentials for the host it called: OpenAI-style bearer, Azure,
# Anthropic, Google.
CREDENTIAL_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "x-goog-api-key"})

# The header each wire format takes an API key in (Bedrock: none, botocore signs; see module docstring).
KEY_HEADERS: Mapping[str, str] = {
    "openai": "Authorization",  # https://platform.openai.com/docs/api-reference/authentication
    "anthropic": "x-api-key",  # https://docs.anthropic.com/en/api/overview
    "gemini": "x-goog-api-key",  # https://ai.google.dev/gemini-api/docs/api-key
    "ollama": "Authorization",  # https://docs.ollama.com/api/authentication (ollama.com)
}
# Azure OpenAI resources take their key as "api-key":
# https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference#authentication
AZURE_PROVIDER, AZURE_KEY_HEADER = "azure-openai", "api-key"

# Wire formats whose JSON body names the model under "model" (the others name it in the path only).
BODY_MODEL_APIS = frozenset({"openai", "anthropic", "ollama"})

_DEFAULT_PORTS = {"http": 80, "https": 443}
_BEDROCK_REGION = re.compile(
    r"(?:[a-z0-9-]+\.)?bedrock-runtime(?:-fips)?\.(?P<region>[a-z0-9-]+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?"
)


@dataclass(frozen=True)
class RoutePlan:
    """Where one call goes instead, with which model and credentials (apply: drop_headers, set_headers, url, body).

    >>> plan = plan_route(call, url, effective.routes, get_catalogue())  # doctest: +SKIP
    >>> plan.rewrite_body(call)  # doctest: +SKIP
    """

    route: str  # the route's match glob: what the evidence names
    requested_model: str | None  # the model the caller asked for
    model: str | None  # the model sent to the deployment
    url: str  # the full URL to send to: scheme://host[:port]/path?query
    set_headers: dict[str, str] = field(repr=False)  # the deployment's key header: kept out of reprs and logs
    drop_headers: frozenset[str]  # lower-case names of the caller's credential headers to remove
    model_in_body: bool  # the body must name the model (the new path does not): rewrite_body adds it if missing

    @property
    def destination(self) -> str:
        """The URL without credentials or query, for evidence and messages: scheme://host[:port]/path."""
        return _shown(urlsplit(self.url))

    def as_evidence(self) -> dict[str, str | None]:
        """The fields a call record carries about its route: both models, and where it went."""
        return {
            "route": self.route,
            "requested_model": self.requested_model,
            "routed_model": self.model,
            "routed_to": self.destination,
        }

    def rewrite_body(self, call: AIRequest) -> bool:
        """Put the model into call.body (a JSON dict, changed in place) where the wire format keeps it there;
        True when the body changed. Bedrock bodies never name the model; Gemini's only in nested requests."""
        body, model = call.body, self.model
        if model is None or not isinstance(body, dict):
            return False
        if call.api in BODY_MODEL_APIS:
            if body.get("model") == model or not ("model" in body or self.model_in_body):
                return False
            body["model"] = model
            return True
        if call.api == "gemini":
            return _rewrite_gemini_references(body, model)
        return False


def first_route(routes: Sequence[Route], provider: str, model: str | None) -> Route | None:
    """The first route whose match glob names the model, as models.allow globs do: a glob without "/"
    sees the model only, one with "/" also sees "provider/model" (see GlobSet.match_model)."""
    if model is None:
        return None
    for route in routes:
        if _glob(route.match).match_model(provider, model) is not None:
            return route
    return None


def plan_route(
    call: AIRequest,
    url: str,
    routes: Sequence[Route],
    catalogue: Catalogue,
    environ: Mapping[str, str] = os.environ,
) -> RoutePlan | None:
    """Where a call goes under the first route matching its model, or None when no route matches or the
    call is already there. Raises RouteCredentialsMissing when the route's api_key_env is not set, and
    RouteUnsupported when the call cannot be moved as the route says."""
    route = first_route(routes, call.provider, call.model)
    if route is None or call.model is None:
        return None
    model = route.to.model or call.model
    here, there = urlsplit(url), urlsplit(route.to.base_url)
    split = catalogue.split_path(call.api, call.operation, here.path)
    if _under(here, there):
        return _in_place(route.match, call, here, split, model)
    if call.api == "bedrock":
        _check_bedrock(route, here, there)
    if split is None:
        raise RouteUnsupported(
            route.match,
            f"Route '{route.match}' sends model '{call.model}' to {_shown(there)}, but this call "
            f"(POST {here.path}) is not an operation aigov knows the path of, so it cannot be moved there.",
            f"Call the deployment at {_shown(there)} directly, or narrow the route's match so it does not "
            "take this call.",
        )
    operation, model_in_body, dropped = _operation_there(call, split, model)
    set_headers = _key_header(route, call.api, there, catalogue, environ) if route.to.api_key_env else {}
    replaced = _origin(here) != _origin(there) or bool(set_headers)
    if replaced and call.api == "gemini":
        dropped.add("key")  # Gemini's API key in the query: the caller's, for the host it called
    drop_headers = CREDENTIAL_HEADERS - {name.lower() for name in set_headers} if replaced else frozenset()
    query = _merged_query(here.query, there.query, dropped)
    new_url = f"{there.scheme}://{there.netloc}{there.path.rstrip('/')}{operation}" + (f"?{query}" if query else "")
    return RoutePlan(route.match, call.model, model, new_url, set_headers, drop_headers, model_in_body)


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> GlobSet:
    return GlobSet((pattern,))


def _in_place(route: str, call: AIRequest, here: SplitResult, split: PathSplit | None, model: str) -> RoutePlan | None:
    """A call already at the deployment: only the model changes, where the path or body names it."""
    if model == call.model:
        return None
    if split is None or split.model is None:
        url = here._replace(fragment="").geturl()
        return RoutePlan(route, call.model, model, url, {}, frozenset(), call.api in BODY_MODEL_APIS)
    path = split.prefix + _with_model(call, split.operation, split.model, model)
    return RoutePlan(route, call.model, model, here._replace(path=path, fragment="").geturl(), {}, frozenset(), False)


def _operation_there(call: AIRequest, split: PathSplit, model: str) -> tuple[str, bool, set[str]]:
    """The operation part of the path at the deployment, whether the body must name the model, and the
    query parameters that belong to the old path's form."""
    if split.model is None:
        return split.operation, call.api in BODY_MODEL_APIS, set()
    if call.api == "openai":
        # Azure's deployment form, the only OpenAI paths naming the model, has a plain twin every
        # OpenAI-format base URL takes; its dated api-version belongs to the deployment form (a target
        # that needs one names it in base_url's query).
        return split.operation[split.model[1] :], True, {"api-version"}
    return _with_model(call, split.operation, split.model, model), False, set()


def _with_model(call: AIRequest, operation: str, span: tuple[int, int], model: str) -> str:
    """The operation part with its {model} segment naming `model` (kept as sent when it is unchanged)."""
    if model == call.model:
        return operation
    # encoded as the format's own client does: botocore escapes all of a modelId (':' too) and signs that;
    # Google's clients send "claude-sonnet-4@20250514" as it is
    segment = quote(model, safe="" if call.api == "bedrock" else "@:")
    return operation[: span[0]] + segment + operation[span[1] :]


def _key_header(
    route: Route, api: str, there: SplitResult, catalogue: Catalogue, environ: Mapping[str, str]
) -> dict[str, str]:
    """The deployment's key, from the environment variable the route names, in the header it is read from."""
    variable = route.to.api_key_env or ""
    key = environ.get(variable, "")
    if not key:
        raise RouteCredentialsMissing(
            route.match,
            variable,
            f"Route '{route.match}' sends this call to {_shown(there)} with the API key in the environment "
            f"variable {variable}, which is not set (or empty) in this kernel.",
            f"Set {variable} in the kernel's environment (from your secret store, or before starting Jupyter), "
            f"or remove api_key_env from the route '{route.match}' in the policy.",
        )
    header = route.to.api_key_header
    if header is None:
        azure = api == "openai" and catalogue.provider_for_host(there.hostname or "", there.port) == AZURE_PROVIDER
        header = AZURE_KEY_HEADER if azure else KEY_HEADERS[api]
    return {header: f"Bearer {key}" if header.lower() == "authorization" else key}


def _check_bedrock(route: Route, here: SplitResult, there: SplitResult) -> None:
    """Refuse what botocore's signature, made after routing, would undo: a key header, another region."""
    if route.to.api_key_env is not None:
        raise RouteUnsupported(
            route.match,
            f"Route '{route.match}' names api_key_env {route.to.api_key_env} for a Bedrock call, but botocore "
            "signs Bedrock calls after aigov routes them, and its signature replaces any key header.",
            "Give boto3 the deployment's credentials (an AWS profile, or AWS_BEARER_TOKEN_BEDROCK for a Bedrock "
            f"API key) and remove api_key_env from the route '{route.match}' in the policy.",
        )
    source, target = _bedrock_region(here), _bedrock_region(there)
    if source and target and source != target:
        raise RouteUnsupported(
            route.match,
            f"Route '{route.match}' moves a Bedrock call from region {source} to {target}, but botocore signs "
            f"it for the client's region ({source}), and AWS refuses a signature made for another region.",
            f"Create the boto3 client with region_name='{target}', or route to a Bedrock endpoint in {source}.",
        )


def _bedrock_region(parts: SplitResult) -> str | None:
    match = _BEDROCK_REGION.fullmatch(parts.hostname or "")
    return match.group("region") if match else None


def _rewrite_gemini_references(body: dict[str, Any], model: str) -> bool:
    """Gemini names the model in the path, and again in wrapped requests ("models/x"): countTokens'
    generateContentRequest and batchEmbedContents' requests[] must name the path's model."""
    wrapped = [body.get("generateContentRequest"), *as_list(body.get("requests"))]
    changed = False
    for request in wrapped:
        if isinstance(request, dict) and isinstance(request.get("model"), str):
            head, slash, _ = request["model"].rpartition("/")
            if request["model"] != f"{head}{slash}{model}":
                request["model"] = f"{head}{slash}{model}"
                changed = True
    return changed


def _merged_query(own: str, given: str, dropped: set[str]) -> str:
    """The call's query without `dropped` parameters, then base_url's (which replace any of the same name)."""
    given_params = [p for p in given.split("&") if p]
    replaced = dropped | {p.partition("=")[0] for p in given_params}
    return "&".join([p for p in own.split("&") if p and p.partition("=")[0] not in replaced] + given_params)


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    scheme = parts.scheme.lower()
    return scheme, parts.hostname or "", parts.port or _DEFAULT_PORTS.get(scheme)


def _under(here: SplitResult, there: SplitResult) -> bool:
    """Whether a URL is at or below a base URL (same scheme, host and port; path prefix by whole segments)."""
    if _origin(here) != _origin(there):
        return False
    base = there.path.rstrip("/")
    return here.path == base or here.path.startswith(f"{base}/")


def _shown(parts: SplitResult) -> str:
    """scheme://host[:port]/path, never a user:password@ part or a query (which may hold a key)."""
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
