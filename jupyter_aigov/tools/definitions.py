"""Where each wire format offers tools to the model, so that forbidden ones can be taken out of a request."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


def _name(api: str, tool: Any) -> str | None:
    if not isinstance(tool, dict):
        return None
    if api in ("openai", "ollama"):
        function = tool.get("function")
        return function.get("name") if isinstance(function, dict) else tool.get("name")  # chat / Responses
    if api == "anthropic":
        return tool.get("name")
    if api == "bedrock":
        spec = tool.get("toolSpec")
        return spec.get("name") if isinstance(spec, dict) else None
    return None


def _keep(api: str, tools: list[Any], forbidden: Collection[str], removed: list[str]) -> list[Any]:
    kept = []
    for tool in tools:
        name = _name(api, tool)
        if name is not None and name in forbidden:
            removed.append(name)
        else:
            kept.append(tool)
    return kept


def strip_tools(api: str, body: Any, forbidden: Collection[str]) -> list[str]:
    """Remove the forbidden tools from a parsed request body, in place; return the names removed."""
    removed: list[str] = []
    if not isinstance(body, dict) or not forbidden:
        return removed
    if api == "gemini":
        tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
        for entry in tools:
            declarations = entry.get("functionDeclarations") or entry.get("function_declarations")
            if isinstance(declarations, list):
                kept = [d for d in declarations if not (isinstance(d, dict) and d.get("name") in forbidden)]
                removed += [d["name"] for d in declarations if isinstance(d, dict) and d.get("name") in forbidden]
                key = "functionDeclarations" if "functionDeclarations" in entry else "function_declarations"
                entry[key] = kept
        body["tools"] = [t for t in tools if any(v for v in t.values())]
        if not body["tools"]:
            body.pop("tools")
            body.pop("toolConfig", None)
        return removed
    if api == "bedrock":
        config = body.get("toolConfig")
        if isinstance(config, dict) and isinstance(config.get("tools"), list):
            config["tools"] = _keep(api, config["tools"], forbidden, removed)
            if not config["tools"]:
                body.pop("toolConfig")
        return removed
    if isinstance(body.get("tools"), list):
        body["tools"] = _keep(api, body["tools"], forbidden, removed)
        if not body["tools"]:
            # a tool_choice naming no tool is an error for the provider: it goes with the last tool
            body.pop("tools")
            body.pop("tool_choice", None)
    return removed
