"""Where aigov hooks into the client libraries: one entry per library, installed now or when it is imported.

Adding a client library is one small module with `install(patches, module)` and one entry in LAYERS.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from .patches import PatchSet

Installer = Callable[[PatchSet, ModuleType], None]


def _httpx(patches: PatchSet, module: ModuleType) -> None:
    from .httpx_family import install

    install(patches, module, "httpx")


def _httpx2(patches: PatchSet, module: ModuleType) -> None:
    from .httpx_family import install

    install(patches, module, "httpx2")


def _lazy(module_name: str, function: str) -> Installer:
    def installer(patches: PatchSet, module: ModuleType) -> None:
        getattr(importlib.import_module(module_name, __name__), function)(patches, module)

    return installer


# module that, once imported, is patched by the installer; the key is the module the installer needs.
LAYERS: dict[str, Installer] = {
    "httpx": _httpx,
    "httpx2": _httpx2,
    "urllib3": _lazy(".urllib3_pool", "install"),
    "requests": _lazy(".requests_adapter", "install"),
    "aiohttp": _lazy(".aiohttp_session", "install"),
    "botocore.endpoint": _lazy(".botocore_endpoint", "install"),
    "openai._base_client": _lazy(".sdk_shields", "install_stainless"),
    "anthropic._base_client": _lazy(".sdk_shields", "install_stainless"),
    "google.genai._api_client": _lazy(".sdk_shields", "install_genai"),
    "anthropic.lib.streaming._messages": _lazy(".sdk_shields", "install_stream_helpers"),
    "anthropic.lib.streaming._beta_messages": _lazy(".sdk_shields", "install_stream_helpers"),
    "openai.lib.streaming.chat._completions": _lazy(".sdk_shields", "install_stream_helpers"),
    "openai.lib.streaming.responses._responses": _lazy(".sdk_shields", "install_stream_helpers"),
    "google.genai.models": _lazy(".sdk_shields", "install_genai_calls"),
    "google.genai.chats": _lazy(".sdk_shields", "install_genai_calls"),
    "litellm": _lazy(".sdk_shields", "install_litellm"),
}


# Every Stainless-generated SDK (openai, anthropic, groq, together, cerebras, fireworks...) keeps its retry
# loop in a `<package>._base_client` module: all of them are shielded, not only the ones named above.
_STAINLESS_SUFFIX = "._base_client"
_shield_stainless = _lazy(".sdk_shields", "install_stainless")


def installer_for(name: str) -> Installer | None:
    """The installer for a module, if aigov hooks into it."""
    found = LAYERS.get(name)
    if found is None and name.endswith(_STAINLESS_SUFFIX):
        return _shield_stainless
    return found


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches a watched library right after it is first imported, so loading aigov imports none of them."""

    def __init__(self, interceptor: Interceptor) -> None:
        self._interceptor = interceptor
        self._busy = threading.local()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if installer_for(fullname) is None or getattr(self._busy, "name", None) == fullname:
            return None
        self._busy.name = fullname
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.name = None
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        loader, interceptor = spec.loader, self._interceptor

        class PatchingLoader(importlib.abc.Loader):
            def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
                return loader.create_module(spec)

            def exec_module(self, module: ModuleType) -> None:
                loader.exec_module(module)
                module.__spec__.loader = loader  # type: ignore[union-attr]  # hide ourselves once done
                interceptor.install_layer(fullname, module)

        spec.loader = PatchingLoader()
        return spec


class Interceptor:
    """Installs every layer whose library is loaded, watches imports for the others, and undoes it all."""

    def __init__(self) -> None:
        self.patches = PatchSet()
        self._finder: _PatchOnImport | None = None
        self.installed: list[str] = []
        self.failed: dict[str, str] = {}

    def install_layer(self, name: str, module: ModuleType) -> None:
        """Install one layer; a library whose internals changed is reported, never fatal to the others."""
        installer = installer_for(name)
        if name in self.installed or installer is None:
            return
        try:
            installer(self.patches, module)
        except Exception as exc:
            self.failed[name] = f"{type(exc).__name__}: {exc}"
            return
        self.installed.append(name)

    def start(self) -> None:
        """Patch what is loaded now and watch for the rest."""
        if self._finder is None:
            self._finder = _PatchOnImport(self)
            sys.meta_path.insert(0, self._finder)
        loaded = [name for name in list(sys.modules) if installer_for(name) is not None]
        for name in sorted(loaded, key=lambda n: n not in LAYERS):  # the catalogue's own layers first
            self.install_layer(name, sys.modules[name])

    def stop(self) -> list[str]:
        """Remove the import watch and every patch; return attributes left pass-through (stacked on)."""
        if self._finder is not None:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(self._finder)
            self._finder = None
        self.installed.clear()
        self.failed.clear()
        return self.patches.restore_all()


def library_status() -> dict[str, Any]:
    """Which watched libraries are imported in this process."""
    return {name: name in sys.modules for name in LAYERS}
