"""The plugin surface, on one screen: each hook is one function; a plugin implements any of them.

A distribution registers a module under the entry-point group `aigov`; a policy loads it by listing the entry
point's name under `plugins:`. Its functions are marked with `@aigov.hookimpl` and named like the hooks below.
What a hook raises fails closed: a check's call is refused (`plugins.failed`), recognizers that cannot be made or
run refuse the calls detection needed (`redaction.failed`), and a sink that raises gets its records again.
"""

# mypy: disable-error-code="empty-body"
# (a hook specification is its signature and docstring; the plugins' implementations have the bodies)

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pluggy import HookimplMarker, HookspecMarker

if TYPE_CHECKING:
    from presidio_analyzer import EntityRecognizer

    from jupyter_aigov.policy import EffectivePolicy
    from jupyter_aigov.providers import AIRequest, WireFormat
    from jupyter_aigov.verdict import Verdict

GROUP = "aigov"  # the entry-point group, and pluggy's project name
hookspec = HookspecMarker(GROUP)
hookimpl = HookimplMarker(GROUP)


@hookspec
def aigov_recognizers() -> list[EntityRecognizer]:
    """Presidio recognizers (English); the entities they find may then be named under redaction.entities."""


@hookspec
def aigov_check(call: AIRequest, policy: EffectivePolicy, user: str, use_case: str | None) -> Verdict | None:
    """A pre-send check after the built-in ones, shown a copy of the call: `Verdict.block("plugin.<name>.<rule>", ...)`
    refuses."""


@hookspec
def aigov_wire_formats() -> dict[str, WireFormat]:
    """Wire formats by api name, each an object with `WireFormat`'s functions (parse_request, usage_from_json...)."""


@hookspec
def aigov_catalogue() -> dict[str, Any]:
    """Catalogue entries shaped like providers/catalogue.yaml ({"apis": ..., "providers": ...}); they only add."""


@hookspec
def aigov_records_written(records: list[dict[str, Any]]) -> None:
    """Records just written to the evidence log, oldest first (a copy): an exporter's feed of every record."""
