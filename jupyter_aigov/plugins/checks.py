"""A plugin's pre-send check, run after the built-in ones: it can only add a refusal, and it fails closed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from jupyter_aigov.pipeline.checks import CallContext, Check
from jupyter_aigov.policy import EffectivePolicy
from jupyter_aigov.providers.base import AIRequest
from jupyter_aigov.verdict import Verdict

FAILED = "plugins.failed"


def plugin_check(name: str, hook: Callable[..., Any]) -> Check:
    """The check of plugin `name`: its verdict, when it names only the plugin's own rules (plugin.<name>.*)."""
    namespace = f"plugin.{name}."

    def check(call: AIRequest, effective: EffectivePolicy, ctx: CallContext) -> Verdict | None:
        try:
            # a copy: a check that changed the call would change what redaction examines and what is sent
            shown = copy.deepcopy(call)
            verdict = hook(call=shown, policy=effective, user=ctx.user, use_case=ctx.use_case)
        except Exception as exc:  # the type only: its message may quote the prompt being checked
            return _failed(name, f"raised {type(exc).__name__} in aigov_check()")
        if verdict is None:
            return None
        if not isinstance(verdict, Verdict):
            return _failed(name, f"returned {type(verdict).__name__} from aigov_check(), not a Verdict or None")
        outside = [rule for rule in verdict.rules if not rule.startswith(namespace)]
        if outside or not verdict.rules:
            named = f"the rule {outside[0]!r}" if outside else "no rule"
            return _failed(name, f"named {named} in its verdict; a plugin's rules are {namespace}*")
        return verdict

    check.__name__ = check.__qualname__ = f"plugin_check[{name}]"
    return check


def _failed(name: str, what: str) -> Verdict:
    """The refusal of a call whose plugin check failed: a check that cannot answer refuses."""
    return Verdict.block(
        FAILED,
        f"The plugin {name!r} {what}, so the call was not sent.",
        f"fix the plugin, or remove {name!r} from plugins: in the policy (`%aigov status` lists the plugins loaded).",
    )
