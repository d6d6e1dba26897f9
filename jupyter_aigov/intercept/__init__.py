"""Where aigov hooks into the client libraries: one entry per library, installed now or when it is imported.

Adding a client library is one small module with `install(patches, module)` and one entry in LAYERS; a transport
also gets a `guard(patches, module)` in GUARDS, the refusal that stands in when its layer cannot be installed.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from aigov_core.errors import AIGovError

from ..pipeline import bind_governor, deciding_pipeline, governor, sealed_setattr
from .patches import PatchSet
from .tampering import refuse_tampered, refusing

if TYPE_CHECKING:
    from ..gateway import Gateway

Installer = Callable[[PatchSet, ModuleType], None]
# told when a layer could not be installed: the module's name, and the exception's type (never its message)
FailureListener = Callable[[str, str], None]


def _httpx(patches: PatchSet, module: ModuleType) -> None:
    from .httpx_family import install

    install(patches, module, "httpx")


def _httpx2(patches: PatchSet, module: ModuleType) -> None:
    from .httpx_family import install

    install(patches, module, "httpx2")


def _httpx_guard(patches: PatchSet, module: ModuleType) -> None:
    from .guards import guard_httpx

    guard_httpx(patches, module, "httpx")


def _httpx2_guard(patches: PatchSet, module: ModuleType) -> None:
    from .guards import guard_httpx

    guard_httpx(patches, module, "httpx2")


def _httpcore(patches: PatchSet, module: ModuleType) -> None:
    from .httpcore_pool import install

    install(patches, module, module.__name__)


def _httpcore_guard(patches: PatchSet, module: ModuleType) -> None:
    from .guards import guard_httpcore

    guard_httpcore(patches, module, module.__name__)


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
    "grpc._channel": _lazy(".grpc_channel", "install"),
    "grpc.aio._channel": _lazy(".grpc_channel", "install_aio"),
    "http.client": _lazy(".http_client", "install"),
    "httpcore": _httpcore,
    "httpcore2": _httpcore,
    "tornado.httpclient": _lazy(".tornado_client", "install"),
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
    "websockets.asyncio.client": _lazy(".websockets_library", "install_asyncio"),
    "websockets.sync.client": _lazy(".websockets_library", "install_sync"),
    "websockets.legacy.client": _lazy(".websockets_library", "install_legacy"),
    "websocket": _lazy(".websocket_client", "install"),
}

# What refuses a transport's AI calls when its layer could not be installed (fail closed): each patches one
# public, long-stable entry point and only refuses, so it holds where the full layer's internals did not.
# SDK shields need none: a call through an unshielded SDK is still governed by the transport beneath it.
GUARDS: dict[str, Installer] = {
    "httpx": _httpx_guard,
    "httpx2": _httpx2_guard,
    "urllib3": _lazy(".guards", "guard_urllib3"),
    "requests": _lazy(".guards", "guard_requests"),
    "aiohttp": _lazy(".guards", "guard_aiohttp"),
    "botocore.endpoint": _lazy(".guards", "guard_botocore"),
    "websockets.asyncio.client": _lazy(".guards", "guard_websockets"),
    "websockets.sync.client": _lazy(".guards", "guard_websockets"),
    "websocket": _lazy(".websocket_client", "guard"),
    "grpc._channel": _lazy(".guards", "guard_grpc"),
    "http.client": _lazy(".guards", "guard_http_client"),
    "httpcore": _httpcore_guard,
    "httpcore2": _httpcore_guard,
    "tornado.httpclient": _lazy(".guards", "guard_tornado"),
}


# A second, cheap patch on each transport's public entry point: before every request it checks that the layer's
# patch beneath is still ours, so one put back by hand (to its __aigov_original__, say) is found before the
# request can use it, even on a kept-alive connection that opens no new socket.
# Sentinels sit above the layer's patch and, where the library has one, below it (the transport a kept-alive
# connection is reused through), so that putting one patch back is not enough.
SENTINELS: dict[str, tuple[tuple[str, str], ...]] = {
    "httpx": (
        ("Client", "send"),
        ("AsyncClient", "send"),
        ("HTTPTransport", "handle_request"),
        ("AsyncHTTPTransport", "handle_async_request"),
    ),
    "httpx2": (
        ("Client", "send"),
        ("AsyncClient", "send"),
        ("HTTPTransport", "handle_request"),
        ("AsyncHTTPTransport", "handle_async_request"),
    ),
    "requests": (("sessions.Session", "send"),),
    "urllib3": (("PoolManager", "urlopen"), ("connection.HTTPConnection", "request")),
    "aiohttp": (("ClientSession", "request"), ("client_reqrep.ClientRequest", "send")),
    "botocore.endpoint": (("Endpoint", "make_request"),),
    "grpc._channel": (("_UnaryUnaryMultiCallable", "_blocking"), ("_UnaryUnaryMultiCallable", "_prepare")),
    "http.client": (("HTTPConnection", "request"),),
    "httpcore": (("_sync.interfaces.RequestInterface", "request"),),
    "httpcore2": (("_sync.interfaces.RequestInterface", "request"),),
    "tornado.httpclient": (("HTTPClient", "fetch"),),
}


_LAYER_PREFIX = __name__ + "."


def _owner(module: ModuleType, dotted: str) -> Any:
    found: Any = module
    for part in dotted.split("."):
        found = getattr(found, part)
    return found


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


def _whole(name: str, module: ModuleType) -> ModuleType:
    """The module once fully imported: another thread still importing it is waited for, not patched half-done.

    A background import (Presidio -> spaCy -> weasel -> httpx) leaves httpx in sys.modules half-initialised for
    a while; importing it again blocks on its module lock until that import is done.
    """
    spec = getattr(module, "__spec__", None)
    if not getattr(spec, "_initializing", False):
        return module
    return importlib.import_module(name)


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches a watched library right after it is first imported, so loading aigov imports none of them; and
    patches again what a reload (`importlib.reload`, which finds the module's spec anew) defines anew."""

    def __init__(self, interceptor: Interceptor) -> None:
        self._interceptor = interceptor
        self._busy = threading.local()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if target is not None:  # a reload of a module in sys.modules
            return self._reloading(fullname, path, target)
        if installer_for(fullname) is None or getattr(self._busy, "name", None) == fullname:
            return None
        self._busy.name = fullname
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.name = None
        return self._patching(fullname, spec, reloading=False)

    def _reloading(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType
    ) -> importlib.machinery.ModuleSpec | None:
        interceptor = self._interceptor
        if installer_for(fullname) is None and not interceptor.patches.in_module(fullname):
            return None
        for finder in sys.meta_path:  # the spec as the import system finds it without us
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                return self._patching(fullname, spec, reloading=True)
        return None

    def _patching(
        self, fullname: str, spec: importlib.machinery.ModuleSpec | None, reloading: bool
    ) -> importlib.machinery.ModuleSpec | None:
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        loader, interceptor = spec.loader, self._interceptor

        class PatchingLoader(importlib.abc.Loader):
            def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
                return loader.create_module(spec)

            def exec_module(self, module: ModuleType) -> None:
                loader.exec_module(module)
                module.__spec__.loader = loader  # type: ignore[union-attr]  # hide ourselves once done
                module.__loader__ = loader
                # whole now, on whichever thread imports it: patched before any other thread can use it
                interceptor.install_layer(fullname, module)
                if reloading:
                    interceptor.renew(module)

        spec.loader = PatchingLoader()
        return spec


class Interceptor:
    """Installs every layer whose library is loaded, watches imports for the others, and undoes it all.

    A layer that cannot be installed is never left open: its library's guard refuses the AI calls made
    through it (rule intercept.unavailable) until governance is loaded again.
    """

    __setattr__ = sealed_setattr()  # in a locked kernel, what it holds cannot be rebound

    def __init__(self, key: object, on_failure: FailureListener | None = None) -> None:
        """`key`: what `stop` must be given, so only the one who started governance can take the patches out."""
        self._key = key
        self._bind, self._governor = bind_governor, governor  # held here: rebinding the module's names is moot
        self._deciding = deciding_pipeline
        # the layer modules' namespaces: a layer reads deciding_pipeline there on each request
        self._layer_namespaces: dict[str, dict[str, Any]] = {}
        self.patches = PatchSet()
        self._finder: _PatchOnImport | None = None
        self._lock = threading.RLock()  # the import watch installs layers on whichever thread imports
        self.installed: list[str] = []
        self.modules: dict[str, ModuleType] = {}  # the very module objects patched (a re-import is a new one)
        self.failed: dict[str, str] = {}  # module -> what went wrong, for the screen
        self.guarded: list[str] = []  # failed layers whose calls are refused by their guard
        self.on_failure = on_failure
        self.gateway: Gateway | None = None

    def install_layer(self, name: str, module: ModuleType) -> None:
        """Install one layer; when it fails, its guard refuses the library's AI calls instead."""
        installer = installer_for(name)
        if installer is None:
            return
        with self._lock:
            if self.modules.get(name) is module or (name in self.failed and name not in self.modules):
                return
            layer = self.patches.active()
            try:
                installer(self.patches, module)
            except Exception as exc:
                self._fail(name, module, exc)
                return
            self.modules[name] = module
            if name not in self.installed:
                self.installed.append(name)
            for loaded, layer_module in sys.modules.copy().items():  # one C call: another thread may be importing
                if loaded.startswith(_LAYER_PREFIX) and "deciding_pipeline" in vars(layer_module):
                    self._layer_namespaces.setdefault(loaded, vars(layer_module))
            watched = [patch for patch in self.patches.active() if patch not in layer]
            for owner, method in SENTINELS.get(name, ()):
                with contextlib.suppress(Exception):  # a second line, where the library has it; the layer is in place
                    self.patches.replace(_owner(module, owner), method, self._sentinel(watched), governs=False)

    def renew(self, module: ModuleType) -> None:
        """A module ran again (a reload): what it defines anew is patched as the old definitions were."""
        with self._lock:
            self.patches.renew(module)

    def _sentinel(self, watched: list[Any]) -> Callable[[Any], Any]:
        """A wrapper maker: before each request, the layer's patches are checked to be ours (a few dict reads)."""
        patches, verify = self.patches, self.verify
        namespaces, deciding = self._layer_namespaces, self._deciding

        def check(instance: Any) -> None:
            for name, namespace in namespaces.items():  # a layer asking someone else who decides, even on a
                if namespace.get("deciding_pipeline") is not deciding:  # kept-alive connection: put back, refused
                    verify()
                    refuse_tampered(f"{name}.deciding_pipeline")
            shadowing = getattr(instance, "__dict__", None) or ()
            for patch in watched:  # the usual case is one identity test per patch (a stacked wrapper: a few more)
                if PatchSet.current(patch) is not patch.replacement and not patches.is_intact(patch):
                    verify()
                    refuse_tampered(f"{getattr(patch.owner, '__qualname__', patch.owner)}.{patch.name}")
                if patch.name in shadowing and isinstance(instance, patch.owner):  # set on one client object
                    del instance.__dict__[patch.name]
                    verify()
                    gateway = self.gateway
                    if gateway is not None:
                        gateway.pipeline.note_tampering(
                            f"{patch.name} was replaced on one {type(instance).__name__} object"
                        )
                    refuse_tampered(f"{type(instance).__name__}.{patch.name} of one object")

        def make(original: Any) -> Any:
            if inspect.iscoroutinefunction(original):

                @functools.wraps(original)
                async def checked_async(*args: Any, **kwargs: Any) -> Any:
                    check(args[0] if args else None)
                    return await original(*args, **kwargs)

                return checked_async

            @functools.wraps(original)
            def checked(*args: Any, **kwargs: Any) -> Any:
                check(args[0] if args else None)
                return original(*args, **kwargs)

            return checked

        return make

    def _fail(self, name: str, module: ModuleType, exc: Exception) -> None:
        self.failed[name] = f"{type(exc).__name__}: {exc}"
        guard = GUARDS.get(name)
        if guard is not None:
            try:
                guard(self.patches, module)
            except Exception as guard_exc:
                self.failed[name] += f"; its guard failed too ({type(guard_exc).__name__}: {guard_exc})"
            else:
                self.guarded.append(name)
        if self.on_failure is not None:
            with contextlib.suppress(Exception):  # the failure is on screen in any case
                self.on_failure(name, type(exc).__name__)

    def start(self, gateway: Gateway | None = None) -> None:
        """Watch imports, then patch what is loaded now (waiting for any import another thread is part-way into).

        The patches answer to `gateway` from now until `stop`.
        """
        self.gateway = gateway
        self._bind(gateway)
        if self._finder is None:
            self._finder = _PatchOnImport(self)
            sys.meta_path.insert(0, self._finder)
        loaded = [name for name in list(sys.modules) if installer_for(name) is not None]
        for name in sorted(loaded, key=lambda n: n not in LAYERS):  # the catalogue's own layers first
            module = sys.modules.get(name)
            if module is None:
                continue
            try:
                module = _whole(name, module)  # outside our lock: the importing thread may need it
            except Exception as exc:  # an import that failed, or a deadlock Python refused to wait into
                with self._lock:
                    if name not in self.modules and name not in self.failed:
                        self._fail(name, module, exc)
                continue
            self.install_layer(name, module)

    def verify(self) -> list[str]:
        """Find what was changed behind our back; each change is recorded once and fails closed.

        A patch removed or replaced is put back as a refusal (rule governance.tampered) until aigov is loaded
        again; an import watch taken out of sys.meta_path is put back. Returns what was newly found.
        """
        gateway = self.gateway
        if gateway is None:
            return []
        found: list[str] = []
        with self._lock:
            for patch in self.patches.active():
                if not self.patches.is_intact(patch):
                    where = f"{getattr(patch.owner, '__qualname__', patch.owner)}.{patch.name}"
                    found.append(f"aigov's patch of {where} was removed or replaced")
                    self.patches.swap(patch, refusing(patch.original, where))
            if self._finder is not None and self._finder not in sys.meta_path:
                found.append("aigov's import watch was taken out of sys.meta_path")
                sys.meta_path.insert(0, self._finder)
        if self._governor() is not gateway:
            found.append("the gateway the client layers answer to was changed without unloading aigov")
            self._bind(gateway)
        for name, namespace in list(self._layer_namespaces.items()):
            if namespace.get("deciding_pipeline") is not self._deciding:
                found.append(f"{name}.deciding_pipeline was rebound")
                namespace["deciding_pipeline"] = self._deciding
        for name, patched in list(self.modules.items()):
            module = sys.modules.get(name)
            if module is not None and module is not patched:  # imported anew (del sys.modules[...], a reload)
                self.install_layer(name, module)
        for what in found:
            gateway.pipeline.note_tampering(what)
        return found

    def stop(self, key: object) -> list[str]:
        """Remove the import watch and every patch; return attributes left pass-through (stacked on)."""
        if key is not self._key:
            raise AIGovError("aigov's patches are taken out by `%unload_ext aigov` or `aigov.disable()`, on record.")
        self._bind(None)
        self.gateway = None
        if self._finder is not None:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(self._finder)
            self._finder = None
        with self._lock:
            self.installed.clear()
            self.modules.clear()
            self.failed.clear()
            self.guarded.clear()
            return self.patches.restore_all()


def library_status() -> dict[str, Any]:
    """Which watched libraries are imported in this process."""
    return {name: name in sys.modules for name in LAYERS}
