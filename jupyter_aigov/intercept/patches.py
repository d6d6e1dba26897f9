"""A record of every function aigov replaced, so that unloading puts back exactly what was there."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..pipeline import locked_mode, through_layer


@dataclass
class Patch:
    """One attribute of a class or module that aigov replaced."""

    owner: Any
    name: str
    original: Any  # as found in owner.__dict__ (keeps staticmethod/classmethod wrappers)
    replacement: Any
    active: bool = True
    make: Callable[[Any], Any] | None = None  # what made the replacement: made again for a reloaded definition


def _module_of(owner: Any) -> str | None:
    """The name of the module a patched owner is, or where a patched class is defined."""
    if isinstance(owner, ModuleType):
        return owner.__name__
    return getattr(owner, "__module__", None) if isinstance(owner, type) else None


def _defined_anew(module: ModuleType, old: type) -> type | None:
    """The class the module now defines where `old` was (same qualified name), if it is another one."""
    found: Any = module
    for part in old.__qualname__.split("."):
        found = getattr(found, part, None)
        if found is None:
            return None
    return found if isinstance(found, type) and found is not old else None


def _function(found: Any) -> Any:
    """The function inside a staticmethod / classmethod as found in a class's __dict__."""
    return getattr(found, "__func__", found)


class PatchSet:
    """Install and remove wrappers, keeping our own record of the originals.

    If other instrumentation (OpenTelemetry, Sentry) wrapped our wrapper after us, removing ours would
    cut theirs off: we leave the wrapper in place but switch it to pass-through instead.
    """

    def __init__(self) -> None:
        self._patches: dict[tuple[int, str], Patch] = {}

    def replace(self, owner: Any, name: str, make_wrapper: Callable[[Any], Any], *, governs: bool = True) -> None:
        """Replace owner.name by make_wrapper(original); a second call for the same attribute does nothing.

        `governs`: the wrapper decides the requests it sends (a layer, a guard), so the connections opened beneath
        it are marked as coming from a governed layer; a sentinel or an SDK's shield decides nothing and says so.
        """
        key = (id(owner), name)
        existing = self._patches.get(key)
        if existing is not None and existing.active:
            return
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        replacement = make_wrapper(original)
        if governs and inspect.isfunction(replacement):
            replacement = through_layer(replacement)
        replacement.__aigov_original__ = original
        setattr(owner, name, replacement)
        self._patches[key] = Patch(owner, name, original, replacement, make=make_wrapper)

    def active(self) -> list[Patch]:
        """The patches in place now (as aigov left them; see `current`)."""
        return [patch for patch in self._patches.values() if patch.active]

    @staticmethod
    def current(patch: Patch) -> Any:
        """What the patched attribute holds now."""
        if isinstance(patch.owner, type):
            return patch.owner.__dict__.get(patch.name)
        return getattr(patch.owner, patch.name, None)

    def is_intact(self, patch: Patch) -> bool:
        """Whether calls through the attribute still reach our wrapper: ours, or another wrapper stacked on it."""
        current = self.current(patch)
        for _ in range(8):  # OpenTelemetry / Sentry wrap what they find, and say so in __wrapped__
            if current is patch.replacement:
                return True
            if current is None or current is patch.original or current is _function(patch.original):
                return False  # the original put back, however it is dressed (functools.wraps of our wrapper)
            current = getattr(current, "__wrapped__", None)
        return False

    def swap(self, patch: Patch, replacement: Any) -> None:
        """Put another wrapper of ours in the patch's place; unloading still restores the original."""
        replacement.__aigov_original__ = patch.original
        setattr(patch.owner, patch.name, replacement)
        patch.replacement = replacement

    def in_module(self, module_name: str) -> bool:
        """Whether a patch is on the module of that name, or on a class it defines."""
        return any(_module_of(patch.owner) == module_name for patch in self.active())

    def renew(self, module: ModuleType) -> list[str]:
        """After `module` ran again (importlib.reload): its functions and classes are new objects; each patch on
        the old ones is made again on the new ones (the old ones keep theirs: references to them remain).
        Returns what was patched anew."""
        renewed: list[str] = []
        for patch in self.active():
            if patch.make is None or _module_of(patch.owner) != module.__name__:
                continue
            if patch.owner is module:  # the module's own attribute, defined anew
                if self.current(patch) is patch.replacement:
                    continue
                patch.original = getattr(module, patch.name)
                self.swap(patch, patch.make(patch.original))
            else:
                owner = _defined_anew(module, patch.owner)
                if owner is None or patch.name not in owner.__dict__ or self.is_installed(owner, patch.name):
                    continue
                self.replace(owner, patch.name, patch.make)
            renewed.append(f"{getattr(patch.owner, '__qualname__', module.__name__)}.{patch.name}")
        return renewed

    def is_installed(self, owner: Any, name: str) -> bool:
        """Whether owner.name is currently wrapped by us."""
        patch = self._patches.get((id(owner), name))
        return patch is not None and patch.active

    def restore_all(self) -> list[str]:
        """Put every original back; return the names left as pass-through because someone wrapped us."""
        mode = locked_mode()
        if mode is not None:  # only stop() calls it, and a locked kernel refuses that first: this is by hand
            raise mode.refuse("taking aigov's patches out")
        stacked: list[str] = []
        for patch in self._patches.values():
            if self.current(patch) is patch.replacement:
                setattr(patch.owner, patch.name, patch.original)
            else:
                stacked.append(f"{getattr(patch.owner, '__qualname__', patch.owner)}.{patch.name}")
            patch.active = False
        self._patches.clear()
        return stacked
