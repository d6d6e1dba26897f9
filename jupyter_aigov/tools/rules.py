"""Whether a tool may be offered or called, and whether its arguments pass the policy's checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aigov_core.errors import ToolCallBlocked
from jupyter_aigov.verdict import Verdict

if TYPE_CHECKING:
    from jupyter_aigov.policy.resolve import EffectivePolicy


def decide_tool(effective: EffectivePolicy, name: str) -> Verdict:
    """tools.deny wins over tools.allow; an empty allow list allows every tool not denied."""
    denied_by = effective.tool_deny.match(name)
    if denied_by is not None:
        return Verdict.block(
            "tools.deny",
            f"Tool '{name}' matches '{denied_by}' in the denied tools of {effective.where()}.",
            f"use another tool, or remove '{denied_by}' from {effective.origin('tools.deny')} in {effective.source}.",
            ToolCallBlocked,
        )
    allow = effective.tool_allow
    if allow and allow.match(name) is None:
        return Verdict.block(
            "tools.allow",
            f"Tool '{name}' is not in the allowed tools of {effective.where()} (allowed: {', '.join(allow.globs)}).",
            f"add '{name}' to {effective.origin('tools.allow')} in {effective.source}.",
            ToolCallBlocked,
        )
    return Verdict.allow("tools.allowed", f"Tool '{name}' is allowed.")


def _value_at(arguments: Any, dotted: str) -> Any:
    value = arguments
    for key in dotted.split("."):
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def check_arguments(effective: EffectivePolicy, name: str, arguments: Any) -> Verdict | None:
    """The first `tools.arguments` check this call breaks, or None; the sentence names the path, not the value."""
    from fnmatch import fnmatchcase

    for check in effective.tools.arguments:
        if not fnmatchcase(name, check.tool):
            continue
        value = _value_at(arguments, check.path)
        if value is None:
            continue
        text = value if isinstance(value, str) else str(value)
        if check.refuses(text):
            kind = "matches the refused pattern" if check.deny_pattern is not None else "does not match the pattern"
            return Verdict.block(
                "tools.arguments",
                f"The argument '{check.path}' of tool '{name}' {kind} set in tools.arguments.",
                f"change the call, or the check for '{check.tool}' / '{check.path}' in {effective.source}.",
                ToolCallBlocked,
            )
    return None
