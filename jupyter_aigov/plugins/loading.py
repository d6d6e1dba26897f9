"""Loading the plugins a policy lists: entry points of the group `aigov`; the unlisted are never imported.

>>> plugins = load_plugins(["example"], "aigov.yaml")   # doctest: +SKIP
>>> plugins.evidence()                                  # doctest: +SKIP
[{'name': 'example', 'distribution': 'aigov-example-plugin', 'version': '0.1.0'}]
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pluggy

from aigov_core.errors import DetectionFailed, PluginError
from jupyter_aigov.pipeline.checks import Check
from jupyter_aigov.plugins import hookspecs
from jupyter_aigov.plugins.checks import plugin_check
from jupyter_aigov.plugins.sinks import Sink, SinkFeed
from jupyter_aigov.providers.catalogue import Catalogue, add_wire_formats, get_catalogue
from jupyter_aigov.redaction.transit import NO_EXTRA, ExtraRecognizers

WIRE_FORMAT_FUNCTIONS = ("parse_request", "text_parts", "usage_from_json", "usage_from_event", "usage_from_headers")


@dataclass(frozen=True, slots=True)
class Plugin:
    """One loaded plugin: the name the policy lists (its entry point's), and the distribution that provides it."""

    name: str
    distribution: str
    version: str

    def as_evidence(self) -> dict[str, str]:
        return {"name": self.name, "distribution": self.distribution, "version": self.version}


class LoadedPlugins:
    """The plugins one policy lists, each registered, and what they add to governance."""

    def __init__(self, plugins: Sequence[Plugin] = (), manager: pluggy.PluginManager | None = None) -> None:
        self.plugins = tuple(plugins)
        self._manager = manager
        self._catalogue: Catalogue | None = None
        self.checks: tuple[Check, ...] = ()
        self.recognizers: ExtraRecognizers = NO_EXTRA
        self._sinks: tuple[Sink, ...] = ()
        if manager is not None:
            hook = manager.hook
            self._catalogue = _catalogue(
                self._implementations(hook.aigov_wire_formats), self._implementations(hook.aigov_catalogue)
            )
            self.checks = tuple(plugin_check(name, fn) for name, fn in self._implementations(hook.aigov_check))
            self._sinks = tuple(self._implementations(hook.aigov_records_written))
            if self._implementations(hook.aigov_recognizers):
                key = tuple(f"{p.name} {p.version}" for p in self.plugins)
                self.recognizers = ExtraRecognizers(key, self._make_recognizers)

    @property
    def names(self) -> list[str]:
        return [plugin.name for plugin in self.plugins]

    @property
    def catalogue(self) -> Catalogue:
        """The provider catalogue with the plugins' entries (the built-in one when they add none)."""
        return self._catalogue or get_catalogue()

    def evidence(self) -> list[dict[str, str]]:
        """Each plugin's name, distribution and version, for the policy.load record."""
        return [plugin.as_evidence() for plugin in self.plugins]

    def sink_feed(self, record_later: Callable[..., None]) -> SinkFeed | None:
        """What hands every batch of records written to the plugins' sinks (None when no plugin has one)."""
        return SinkFeed(self._sinks, record_later) if self._sinks else None

    def _implementations(self, caller: Any) -> list[tuple[str, Callable[..., Any]]]:
        """(plugin name, implementation) of one hook, in the order the policy lists the plugins; each is called
        with keyword arguments, and passes on those it names (pluggy lets it take fewer than the hook's)."""
        order = {name: index for index, name in enumerate(self.names)}
        impls = sorted(caller.get_hookimpls(), key=lambda impl: order[impl.plugin_name])
        return [(impl.plugin_name, _called_with_its_arguments(impl)) for impl in impls]

    def _make_recognizers(self) -> list[Any]:
        """Every plugin's recognizers, made when the detection engine loads; a plugin's failure fails detection."""
        from presidio_analyzer import EntityRecognizer

        assert self._manager is not None
        made: list[Any] = []
        for name, function in self._implementations(self._manager.hook.aigov_recognizers):
            try:
                recognizers = list(function())
            except Exception as exc:  # the type only: this reason goes into evidence
                raise DetectionFailed(f"plugin {name!r} raised {type(exc).__name__} in aigov_recognizers()") from exc
            wrong = [type(r).__name__ for r in recognizers if not isinstance(r, EntityRecognizer)]
            if wrong:
                raise DetectionFailed(f"plugin {name!r} returned {wrong[0]}, not a Presidio recognizer")
            made.extend(recognizers)
        return made


NO_PLUGINS = LoadedPlugins()


def load_plugins(names: Sequence[str], source: str) -> LoadedPlugins:
    """Import and register the plugins a policy (read from `source`) lists; PluginError when one cannot load."""
    if not names:
        return NO_PLUGINS
    found: dict[str, list[importlib.metadata.EntryPoint]] = {}
    for entry_point in importlib.metadata.entry_points(group=hookspecs.GROUP):
        found.setdefault(entry_point.name, []).append(entry_point)
    manager = pluggy.PluginManager(hookspecs.GROUP)
    manager.add_hookspecs(hookspecs)
    plugins = [_register(manager, name, found.get(name, []), sorted(found), source) for name in names]
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        hooks = ", ".join(name for name in dir(hookspecs) if name.startswith("aigov_"))
        plugin = manager.get_name(exc.plugin)
        raise PluginError(
            f"The plugin {plugin!r} could not be registered ({_sentence(exc)}). The hooks are {hooks}; fix the "
            f"plugin, or remove {plugin!r} from plugins: in {source}."
        ) from None
    return LoadedPlugins(plugins, manager)


def _register(
    manager: pluggy.PluginManager,
    name: str,
    entry_points: list[importlib.metadata.EntryPoint],
    installed: list[str],
    source: str,
) -> Plugin:
    """Import one listed plugin and register its hook implementations under its name."""
    remove = f"or remove {name!r} from plugins: in {source}"
    if not entry_points:
        known = ", ".join(installed) if installed else "none is installed"
        raise PluginError(
            f"The policy {source} lists the plugin {name!r}, but no installed distribution provides it (an entry "
            f"point named {name!r} in the group {hookspecs.GROUP!r}; installed plugins: {known}). Install the "
            f"distribution that provides it in this kernel's environment (pip install ...), {remove}."
        )
    if len(entry_points) > 1:
        providers = ", ".join(sorted(_distribution(ep)[0] for ep in entry_points))
        raise PluginError(
            f"The plugin {name!r} is provided by more than one installed distribution ({providers}); "
            f"uninstall all but one, {remove}."
        )
    (entry_point,) = entry_points
    distribution, version = _distribution(entry_point)
    what = f"The plugin {name!r} ({distribution} {version})"
    try:
        module = entry_point.load()
    except Exception as exc:
        problem = f"{type(exc).__name__}: {exc}"
        raise PluginError(f"{what} failed to import ({problem}); fix or reinstall it, {remove}.") from exc
    try:
        manager.register(module, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise PluginError(f"{what} could not be registered ({_sentence(exc)}); fix the plugin, {remove}.") from None
    impls = [impl for caller in manager.get_hookcallers(module) or [] for impl in caller.get_hookimpls()]
    if not impls:
        raise PluginError(
            f"{what} implements no hook: mark its functions with @aigov.hookimpl and name them like the hooks "
            f"(aigov_recognizers, aigov_check, ...); {remove}."
        )
    if any(impl.hookwrapper or impl.wrapper for impl in impls if impl.plugin is module):
        raise PluginError(f"{what} marks a hook as a wrapper; aigov's hooks take plain implementations, {remove}.")
    return Plugin(name, distribution, version)


def _sentence(error: Exception) -> str:
    """pluggy's message on one line."""
    return " ".join(str(error).split())


def _distribution(entry_point: importlib.metadata.EntryPoint) -> tuple[str, str]:
    dist = entry_point.dist
    return (dist.name, dist.version) if dist is not None else ("an unnamed distribution", "unknown")


def _catalogue(
    formats_by_plugin: list[tuple[str, Callable[..., Any]]], entries_by_plugin: list[tuple[str, Callable[..., Any]]]
) -> Catalogue | None:
    """The built-in catalogue with the plugins' wire formats and entries (None when they add none)."""
    formats = {name: _called(name, "aigov_wire_formats", function) for name, function in formats_by_plugin}
    entries = {name: _called(name, "aigov_catalogue", function) for name, function in entries_by_plugin}
    if not formats and not entries:
        return None
    catalogue = get_catalogue()
    for name in dict.fromkeys([*formats, *entries]):
        for api, wire in formats.get(name, {}).items():
            missing = [f for f in WIRE_FORMAT_FUNCTIONS if not callable(getattr(wire, f, None))]
            if missing:
                raise PluginError(
                    f"The plugin {name!r}'s wire format {api!r} has no {', '.join(missing)}; a wire format has "
                    f"{', '.join(WIRE_FORMAT_FUNCTIONS)} (as jupyter_aigov/providers/ollama.py does)."
                )
        try:
            catalogue = catalogue.extended(entries.get(name, {}), formats.get(name, {}))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PluginError(
                f"The plugin {name!r}'s catalogue entries cannot be added ({type(exc).__name__}: {exc}); they are "
                "shaped like jupyter_aigov/providers/catalogue.yaml and only add apis, providers and hosts."
            ) from None
    for added in formats.values():
        add_wire_formats(added)
    return catalogue


def _called_with_its_arguments(impl: pluggy.HookImpl) -> Callable[..., Any]:
    function, names = impl.function, impl.argnames

    def call(**arguments: Any) -> Any:
        return function(*[arguments[name] for name in names])

    return call


def _called(name: str, hook: str, function: Callable[[], Any]) -> dict[str, Any]:
    """A data hook's answer (a mapping), or PluginError naming the plugin."""
    try:
        answer = function()
    except Exception as exc:
        raise PluginError(f"The plugin {name!r} raised {type(exc).__name__} in {hook}(): {exc}") from exc
    if not isinstance(answer, dict):
        raise PluginError(f"The plugin {name!r}'s {hook}() returned {type(answer).__name__}, not a dict.")
    return answer
