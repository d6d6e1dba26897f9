"""What `%load_ext aigov` says: one line on what now governs the kernel, and each problem in red with what to do."""

from __future__ import annotations

from typing import Any

from .intercept import GUARDS, LAYERS

RED, BOLD, RESET = "\x1b[31m", "\x1b[1m", "\x1b[0m"

# the client libraries, as a user knows them, by the module aigov watches
CLIENTS = {
    "httpx": "httpx",
    "httpx2": "httpx2",
    "requests": "requests",
    "urllib3": "urllib3",
    "aiohttp": "aiohttp",
    "http.client": "http.client (urllib.request)",
    "httpcore": "httpcore",
    "httpcore2": "httpcore2",
    "tornado.httpclient": "tornado",
    "botocore.endpoint": "boto3",
    "openai._base_client": "openai",
    "anthropic._base_client": "anthropic",
    "google.genai._api_client": "google-genai",
}


def policy_origin(info: dict[str, Any]) -> str:
    """Where the policy in force came from, in words."""
    registry = info.get("registry") or {}
    pulled = (registry.get("policy") or {}).get("state")
    if pulled in ("fresh", "current", "cached"):
        copy = "its cached copy: the registry is unreachable" if pulled == "cached" else pulled
        return f"the registry {registry.get('url')} ({copy})"
    source, origin = info["policy"], info.get("policy_origin")
    return {
        "env": f"{source} (AIGOV_POLICY)",
        "file": f"{source} (found from the notebook's folder up)",
        "given": str(source),
        "default": "the built-in default (no aigov.yaml from the notebook's folder up, AIGOV_POLICY unset)",
    }.get(str(origin), str(source))


def load_line(info: dict[str, Any]) -> str:
    """The one line printed when aigov loads: policy and its origin, what is governed, detection's state."""
    intercepting = info["intercepting"]
    known = [label for name, label in CLIENTS.items() if name in intercepting]  # in this order: httpx first
    imported = known + [name for name in intercepting if name not in CLIENTS]
    rest = [label for name, label in CLIENTS.items() if name in LAYERS and label not in imported]
    governed = ", ".join(imported) if imported else "nothing imported yet"
    if rest:
        governed += f" (and {', '.join(rest)} when imported)"
    locked = f" · locked by {info['locked']['by']}" if info.get("locked") else ""
    return (
        f"{BOLD}aigov {info['version']}{RESET} governs this kernel's AI calls · policy: {policy_origin(info)} · "
        f"clients: {governed} · detection: {info['detection_state']} · evidence: {info['evidence_log']}{locked}"
    )


def problems(info: dict[str, Any], warned: list[str]) -> list[str]:
    """Each thing that went wrong at load, in red, with what to do."""
    found = [f"{RED}aigov: {message}{RESET}" for message in warned]
    for name, failure in info["interception_failures"].items():
        label = CLIENTS.get(name, name)
        if name in info["refusing"]:
            effect = f"AI calls through {label} are refused (intercept.unavailable)"
        elif name in GUARDS:
            effect = f"AI calls through {label} cannot be governed"
        else:
            effect = f"{label}'s errors may reach you wrapped in its own exception"
        found.append(
            f"{RED}aigov could not install its {label} layer ({failure.split(':', 1)[0]}): {effect}. "
            f"Run `%reload_ext aigov`, or restart the kernel; `%aigov status` shows the failure.{RESET}"
        )
    if info["detection_state"] == "failed":
        found.append(
            f"{RED}aigov: {info['detection']} Fix redaction.nlp_model in the policy, then `%reload_ext aigov`.{RESET}"
        )
    return found
