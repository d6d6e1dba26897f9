"""Policy routes: a matching call goes to the approved deployment, with its model and key, and no one else's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aigov_core.errors import RouteCredentialsMissing, RouteError, RouteUnsupported
from aigov_core.policy import Route, parse_policy_text
from jupyter_aigov.policy import for_context
from jupyter_aigov.providers import AIRequest, get_catalogue
from jupyter_aigov.routing import CREDENTIAL_HEADERS, RoutePlan, first_route, plan_route

ENV = {"AZURE_KEY": "azure-secret", "DEPLOY_KEY": "deploy-secret"}
CALLER_HEADERS = {
    "Authorization": "Bearer sk-caller",
    "x-api-key": "sk-ant-caller",
    "x-goog-api-key": "AIza-caller",
    "Content-Type": "application/json",
}
CHAT = [{"role": "user", "content": "hi"}]


def _routes(*routes: str) -> tuple[Route, ...]:
    """Routes as a policy file writes them, read by the real policy loader."""
    text = "version: 1\nroutes:\n" + "".join(f"  - {route}\n" for route in routes) if routes else "version: 1\n"
    return tuple(parse_policy_text(text, "aigov.yaml").routes)


def _call(url: str, body: dict[str, Any] | None) -> AIRequest:
    """The request as the real catalogue recognises it."""
    call = get_catalogue().recognise("POST", url, CALLER_HEADERS, json.dumps(body).encode() if body else None)
    assert call is not None, url
    return call


def _plan(url: str, body: dict[str, Any] | None, *routes: str, env: dict[str, str] = ENV) -> RoutePlan | None:
    return plan_route(_call(url, body), url, _routes(*routes), get_catalogue(), env)


def _send(plan: RoutePlan, call: AIRequest, headers: dict[str, str]) -> tuple[str, dict[str, str], bytes]:
    """What an interception layer does with a plan: drop, then set headers; new URL; rewritten body."""
    kept = {name: value for name, value in headers.items() if name.lower() not in plan.drop_headers}
    plan.rewrite_body(call)
    return plan.url, {**kept, **plan.set_headers}, json.dumps(call.body).encode()


@pytest.mark.parametrize(
    ("url", "body", "route", "new_url", "new_model", "key_header"),
    [
        pytest.param(
            "https://api.openai.com/v1/chat/completions",
            {"model": "gpt-4o", "messages": CHAT},
            "{match: 'gpt-*', to: {base_url: 'https://acme.openai.azure.com/openai/v1', model: gpt-4o-mini,"
            " api_key_env: AZURE_KEY}}",
            "https://acme.openai.azure.com/openai/v1/chat/completions",
            "gpt-4o-mini",
            ("api-key", "azure-secret"),
            id="openai-chat-to-azure-v1",
        ),
        pytest.param(
            "https://api.openai.com/v1/responses",
            {"model": "gpt-4.1", "input": "hi"},
            "{match: 'gpt-*', to: {base_url: 'https://llm.internal.example/v1/', api_key_env: DEPLOY_KEY}}",
            "https://llm.internal.example/v1/responses",
            "gpt-4.1",
            ("Authorization", "Bearer deploy-secret"),
            id="openai-responses-keeps-model",
        ),
        pytest.param(
            "https://old.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
            {"messages": CHAT},
            "{match: 'gpt-*', to: {base_url: 'https://acme.openai.azure.com/openai/v1', model: gpt-4o-mini,"
            " api_key_env: AZURE_KEY}}",
            # the deployment form takes the plain form there, and its dated api-version goes with it
            "https://acme.openai.azure.com/openai/v1/chat/completions",
            "gpt-4o-mini",
            ("api-key", "azure-secret"),
            id="azure-deployment-to-azure-v1",
        ),
        pytest.param(
            "https://old.openai.azure.com/openai/deployments/gpt-4o/embeddings?api-version=2024-10-21",
            {"input": "hi", "model": "gpt-4o"},
            "{match: 'gpt-*', to: {base_url:"
            " 'https://acme.openai.azure.com/openai/deployments/emb-small?api-version=2025-01-01',"
            " model: emb-small}}",
            "https://acme.openai.azure.com/openai/deployments/emb-small/embeddings?api-version=2025-01-01",
            "emb-small",
            None,
            id="azure-deployment-to-azure-deployment",
        ),
        pytest.param(
            "https://api.anthropic.com/v1/messages?beta=true",
            {"model": "claude-3-5-sonnet-latest", "max_tokens": 5, "messages": CHAT},
            "{match: 'claude-*', to: {base_url: 'https://claude.internal.example', model: claude-sonnet-4-5,"
            " api_key_env: DEPLOY_KEY}}",
            "https://claude.internal.example/v1/messages?beta=true",
            "claude-sonnet-4-5",
            ("x-api-key", "deploy-secret"),
            id="anthropic",
        ),
        pytest.param(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro:streamGenerateContent"
            "?alt=sse&key=AIza-caller",
            {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
            "{match: 'gemini-1.5-*', to: {base_url:"
            " 'https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/publishers/google',"
            " model: gemini-2.0-flash, api_key_env: DEPLOY_KEY}}",
            "https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/publishers/google"
            "/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
            "gemini-2.0-flash",
            ("x-goog-api-key", "deploy-secret"),
            id="gemini-model-in-path",
        ),
        pytest.param(
            "https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/publishers/anthropic"
            "/models/claude-3-5-sonnet@20240620:rawPredict",
            {"anthropic_version": "vertex-2023-10-16", "max_tokens": 5, "messages": CHAT},
            "{match: 'claude-*', to: {base_url: 'https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/"
            "us-east5', model: 'claude-sonnet-4@20250514'}}",
            "https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic"
            "/models/claude-sonnet-4@20250514:rawPredict",
            "claude-sonnet-4@20250514",
            None,
            id="claude-on-vertex-model-in-path",
        ),
        pytest.param(
            "http://localhost:11434/api/chat",
            {"model": "llama3.2", "messages": CHAT},
            "{match: 'ollama/*', to: {base_url: 'https://ollama.com', model: 'gpt-oss:120b', api_key_env: DEPLOY_KEY}}",
            "https://ollama.com/api/chat",
            "gpt-oss:120b",
            ("Authorization", "Bearer deploy-secret"),
            id="ollama",
        ),
        pytest.param(
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
            {"messages": [{"role": "user", "content": [{"text": "hi"}]}]},
            "{match: 'anthropic.claude-3-haiku*', to: {base_url:"
            " 'https://vpce-0a1b.bedrock-runtime.us-east-1.vpce.amazonaws.com',"
            " model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0'}}",
            "https://vpce-0a1b.bedrock-runtime.us-east-1.vpce.amazonaws.com"
            "/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse",
            "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            None,
            id="bedrock-model-in-path",
        ),
    ],
)
def test_when_a_route_matches_then_the_call_goes_to_its_deployment_with_its_model_and_key(
    url: str, body: dict[str, Any], route: str, new_url: str, new_model: str, key_header: tuple[str, str] | None
) -> None:
    call = _call(url, body)

    plan = plan_route(call, url, _routes(route), get_catalogue(), ENV)
    assert plan is not None
    sent_url, sent_headers, sent_body = _send(plan, call, CALLER_HEADERS)

    assert (plan.url, plan.requested_model, plan.model) == (new_url, call.model, new_model)
    assert sent_url == new_url
    # the deployment recognises the call it receives as the new model, wherever the format keeps it
    arrived = get_catalogue().recognise("POST", sent_url, sent_headers, sent_body)
    assert arrived is not None
    assert (arrived.api, arrived.operation, arrived.model) == (call.api, call.operation, new_model)
    # another host never receives the caller's credentials; only the route's key, when it names one
    credentials = {name: value for name, value in sent_headers.items() if name.lower() in CREDENTIAL_HEADERS}
    assert credentials == (dict([key_header]) if key_header else {})
    assert "AIza-caller" not in sent_url


@pytest.mark.parametrize(
    ("url", "body", "new_url"),
    [
        pytest.param(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro:batchEmbedContents",
            {"requests": [{"model": "models/gemini-1.5-pro", "content": {"parts": [{"text": "hi"}]}}]},
            "https://gemini.internal.example/v1beta/models/gemini-2.0-flash:batchEmbedContents",
            id="batch-embed",
        ),
        pytest.param(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro:countTokens",
            {"generateContentRequest": {"model": "models/gemini-1.5-pro", "contents": []}},
            "https://gemini.internal.example/v1beta/models/gemini-2.0-flash:countTokens",
            id="count-tokens",
        ),
    ],
)
def test_when_a_gemini_body_names_the_model_again_then_it_names_the_routed_one(
    url: str, body: dict[str, Any], new_url: str
) -> None:
    call = _call(url, body)
    plan = plan_route(
        call,
        url,
        _routes(
            "{match: 'gemini-*', to: {base_url: 'https://gemini.internal.example/v1beta', model: gemini-2.0-flash}}"
        ),
        get_catalogue(),
        ENV,
    )
    assert plan is not None

    changed = plan.rewrite_body(call)

    assert plan.url == new_url
    assert changed is True
    assert "models/gemini-1.5-pro" not in json.dumps(call.body)
    assert "models/gemini-2.0-flash" in json.dumps(call.body)


def test_when_the_body_does_not_name_the_model_where_the_path_does_then_it_is_left_as_it_is() -> None:
    url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke"
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": CHAT}
    call = _call(url, body)
    plan = plan_route(
        call, url, _routes("{match: 'anthropic.*', to: {base_url: 'https://b.example', model: m2}}"), get_catalogue()
    )
    assert plan is not None

    assert plan.rewrite_body(call) is False
    assert call.body == body


def test_when_the_route_names_no_key_then_the_call_reaches_another_host_without_any_credentials() -> None:
    plan = _plan(
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro:generateContent?key=AIza-caller&alt=json",
        {"contents": []},
        "{match: 'gemini-*', to: {base_url: 'https://gemini.internal.example/v1beta'}}",
    )

    assert plan is not None
    assert plan.set_headers == {}
    assert plan.drop_headers == CREDENTIAL_HEADERS
    assert plan.url == "https://gemini.internal.example/v1beta/models/gemini-1.5-pro:generateContent?alt=json"


def test_when_the_call_moves_on_the_same_host_then_its_own_credentials_go_with_it() -> None:
    plan = _plan(
        "https://gateway.example/team-a/v1/chat/completions?trace=1",
        {"model": "gpt-4o", "messages": CHAT},
        "{match: 'gpt-4o', to: {base_url: 'https://gateway.example/team-b/v1'}}",
    )

    assert plan is not None
    assert (plan.url, plan.drop_headers, plan.set_headers) == (
        "https://gateway.example/team-b/v1/chat/completions?trace=1",
        frozenset(),
        {},
    )


def test_when_a_route_names_its_key_header_then_the_key_goes_there() -> None:
    plan = _plan(
        "https://api.openai.com/v1/chat/completions",
        {"model": "gpt-4o", "messages": CHAT},
        "{match: 'gpt-*', to: {base_url: 'https://apim.example/openai/v1', api_key_env: DEPLOY_KEY,"
        " api_key_header: Ocp-Apim-Subscription-Key}}",
    )

    assert plan is not None
    assert plan.set_headers == {"Ocp-Apim-Subscription-Key": "deploy-secret"}
    assert plan.drop_headers == CREDENTIAL_HEADERS


def test_when_the_route_sets_the_header_it_drops_then_the_set_one_survives_in_any_order() -> None:
    plan = _plan(
        "https://api.openai.com/v1/chat/completions",
        {"model": "gpt-4o", "messages": CHAT},
        "{match: 'gpt-*', to: {base_url: 'https://llm.internal.example/v1', api_key_env: DEPLOY_KEY}}",
    )

    assert plan is not None
    assert plan.set_headers == {"Authorization": "Bearer deploy-secret"}
    assert "authorization" not in plan.drop_headers
    assert plan.drop_headers == CREDENTIAL_HEADERS - {"authorization"}


@pytest.mark.parametrize(
    ("provider_url", "model", "base_url"),
    [
        ("https://api.openai.com/v1/chat/completions", "gpt-4o", "https://a.example/v1"),  # first match wins
        ("https://api.openai.com/v1/chat/completions", "gpt-4o-mini", "https://b.example/v1"),
        ("http://localhost:11434/v1/chat/completions", "llama3.2", "https://c.example/v1"),  # "ollama/*"
        # 'openai-*' has no "/", so it sees the model only, never "openai-compatible/mistral-large"
        ("https://llm.example/v1/chat/completions", "mistral-large", "https://d.example/v1"),
        ("https://api.groq.com/openai/v1/chat/completions", "llama3.2", None),  # not served by ollama
        ("https://api.openai.com/v1/chat/completions", "o3", None),  # no route
        ("https://api.openai.com/v1/chat/completions", "GPT-4O", None),  # case-sensitive, as models.allow
    ],
)
def test_when_routes_are_matched_then_the_first_glob_naming_the_model_wins(
    provider_url: str, model: str, base_url: str | None
) -> None:
    routes = _routes(
        "{match: 'gpt-4o', to: {base_url: 'https://a.example/v1'}}",
        "{match: 'gpt-*', to: {base_url: 'https://b.example/v1'}}",
        "{match: 'ollama/*', to: {base_url: 'https://c.example/v1'}}",
        "{match: 'openai-*', to: {base_url: 'https://e.example/v1'}}",
        "{match: 'openai-compatible/mistral-*', to: {base_url: 'https://d.example/v1'}}",
    )
    call = _call(provider_url, {"model": model, "messages": CHAT})

    plan = plan_route(call, provider_url, routes, get_catalogue(), ENV)
    route = first_route(routes, call.provider, call.model)

    assert (plan.url.removesuffix("/chat/completions") if plan else None) == base_url
    assert (route.to.base_url if route else None) == base_url
    assert plan is None or (route is not None and plan.route == route.match)


def test_when_no_routes_are_set_then_nothing_is_planned() -> None:
    assert _plan("https://api.openai.com/v1/chat/completions", {"model": "gpt-4o", "messages": CHAT}) is None


@pytest.mark.parametrize(
    ("url", "body", "route"),
    [
        pytest.param(
            "https://api.openai.com/v1/chat/completions",
            {"model": "gpt-4o", "messages": CHAT},
            "{match: 'gpt-*', to: {base_url: 'https://acme.openai.azure.com/openai/v1', model: gpt-4o-mini,"
            " api_key_env: AZURE_KEY}}",
            id="openai",
        ),
        pytest.param(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro:generateContent?key=AIza-caller",
            {"contents": []},
            "{match: 'gemini-*', to: {base_url: 'https://gemini.internal.example/v1beta', model: gemini-2.0-flash,"
            " api_key_env: DEPLOY_KEY}}",
            id="gemini",
        ),
        pytest.param(
            "https://old.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
            {"messages": CHAT},
            "{match: 'gpt-*', to: {base_url: 'https://acme.openai.azure.com/openai/v1'}}",
            id="azure-deployment",
        ),
    ],
)
def test_when_a_routed_call_is_seen_again_at_its_deployment_then_it_is_not_routed_again(
    url: str, body: dict[str, Any], route: str
) -> None:
    call = _call(url, body)
    plan = plan_route(call, url, _routes(route), get_catalogue(), ENV)
    assert plan is not None
    sent_url, sent_headers, sent_body = _send(plan, call, CALLER_HEADERS)
    again = get_catalogue().recognise("POST", sent_url, sent_headers, sent_body)
    assert again is not None

    assert plan_route(again, sent_url, _routes(route), get_catalogue(), ENV) is None


def test_when_a_call_is_already_at_the_deployment_with_another_model_then_only_the_model_changes() -> None:
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro:generateContent?key=AIza-caller"
    route = "{match: 'gemini-*', to: {base_url: 'https://generativelanguage.googleapis.com', model: gemini-2.0-flash}}"

    plan = _plan(url, {"contents": []}, route)

    assert plan is not None
    assert plan.url == (
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent?key=AIza-caller"
    )
    assert (plan.set_headers, plan.drop_headers) == ({}, frozenset())


def test_when_a_call_is_already_at_the_deployment_with_its_model_then_nothing_is_planned() -> None:
    route = "{match: 'gpt-*', to: {base_url: 'https://acme.openai.azure.com/openai/v1', model: gpt-4o-mini}}"

    plan = _plan(
        "https://acme.openai.azure.com/openai/v1/chat/completions", {"model": "gpt-4o-mini", "messages": CHAT}, route
    )

    assert plan is None


def test_when_the_key_variable_is_not_set_then_the_error_names_route_and_variable_and_what_to_do() -> None:
    with pytest.raises(RouteCredentialsMissing) as raised:
        _plan(
            "https://api.openai.com/v1/chat/completions",
            {"model": "gpt-4o", "messages": CHAT},
            "{match: 'gpt-*', to: {base_url: 'https://user:pw@acme.openai.azure.com/openai/v1',"
            " api_key_env: MISSING_KEY}}",
            env={"MISSING_KEY": ""},
        )

    error = raised.value
    assert (error.rule, error.route, error.variable) == ("routes.credentials", "gpt-*", "MISSING_KEY")
    assert error.reason == (
        "Route 'gpt-*' sends this call to https://acme.openai.azure.com/openai/v1 with the API key in the "
        "environment variable MISSING_KEY, which is not set (or empty) in this kernel."
    )
    assert "Set MISSING_KEY in the kernel's environment" in error.hint
    assert "remove api_key_env from the route 'gpt-*'" in error.hint
    assert str(error).startswith(error.reason) and "[rule routes.credentials] To proceed: " in str(error)
    assert "pw@" not in str(error)


@pytest.mark.parametrize(
    ("route", "says", "hint"),
    [
        pytest.param(
            "{match: 'anthropic.*', to: {base_url: 'https://bedrock-runtime.us-east-1.amazonaws.com',"
            " api_key_env: DEPLOY_KEY}}",
            "botocore signs Bedrock calls after aigov routes them",
            "AWS_BEARER_TOKEN_BEDROCK",
            id="key",
        ),
        pytest.param(
            "{match: 'anthropic.*', to: {base_url: 'https://bedrock-runtime.eu-west-1.amazonaws.com'}}",
            "from region us-east-1 to eu-west-1",
            "region_name='eu-west-1'",
            id="region",
        ),
    ],
)
def test_when_a_bedrock_route_would_be_undone_by_its_signature_then_it_is_refused(
    route: str, says: str, hint: str
) -> None:
    url = "https://bedrock-runtime-fips.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"

    with pytest.raises(RouteUnsupported) as raised:
        _plan(url, {"messages": []}, route)

    assert raised.value.rule == "routes.unsupported"
    assert says in raised.value.reason
    assert hint in raised.value.hint


def test_when_the_operation_has_no_known_path_then_the_route_refuses_rather_than_lets_it_bypass() -> None:
    url = "https://api.openai.com/v1/assistants"

    with pytest.raises(RouteUnsupported) as raised:
        _plan(url, {"model": "gpt-4o", "name": "helper"}, "{match: 'gpt-*', to: {base_url: 'https://a.example/v1'}}")

    assert isinstance(raised.value, RouteError)
    assert "(POST /v1/assistants) is not an operation aigov knows the path of" in raised.value.reason
    assert "https://a.example/v1" in raised.value.hint


def test_when_a_plan_is_shown_then_the_key_is_not() -> None:
    plan = _plan(
        "https://api.openai.com/v1/chat/completions",
        {"model": "gpt-4o", "messages": CHAT},
        "{match: 'gpt-*', to: {base_url: 'https://user:pw@llm.internal.example/v1?tenant=a',"
        " api_key_env: DEPLOY_KEY, model: gpt-4o-mini}}",
    )

    assert plan is not None
    assert "deploy-secret" not in repr(plan)
    assert plan.as_evidence() == {
        "route": "gpt-*",
        "requested_model": "gpt-4o",
        "routed_model": "gpt-4o-mini",
        "routed_to": "https://llm.internal.example/v1/chat/completions",
    }


TWO_ROUTES = """\
version: 1
routes:
  - {match: "gpt-4o", to: {base_url: "https://a.example/v1", model: gpt-4o-mini}}
  - {match: "gpt-*", to: {base_url: "https://b.example/v1"}}
"""


@pytest.mark.parametrize(
    ("provider", "model", "base_url"),
    [
        ("openai", "gpt-4o", "https://a.example/v1"),  # first matching route wins
        ("openai", "gpt-4o-mini", "https://b.example/v1"),
        ("anthropic", "claude-3", None),
        ("openai", None, None),
    ],
)
def test_when_a_route_matches_then_the_first_one_is_returned(
    provider: str, model: str | None, base_url: str | None
) -> None:
    effective = for_context(parse_policy_text(TWO_ROUTES, "aigov.yaml"), "ana", None)

    route = first_route(effective.routes, provider, model)

    assert (route.to.base_url if route else None) == base_url
