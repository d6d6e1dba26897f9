"""SDK entry points that wrap or retry transport errors: shielded, so a refusal reaches the caller as itself.

A shield marks the SDK's frames as carrying a refusal (pipeline.Refusal, a BaseException that passes the SDK's
`except Exception`, its wrapping and its retries); the outermost shield hands the caller the PolicyViolation.
An answer is read, and its tool calls decided, while the caller iterates a stream, long after `request`
returned: so the stream objects' iteration and the responses' reading methods are shielded too.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from types import ModuleType

from ..pipeline import shield
from .patches import PatchSet

# The Stainless-generated SDKs (openai, anthropic, groq...) share one layout: the retry loop in
# `_base_client`, the stream objects in `_streaming`, the raw and streamed responses in `_response`.
STAINLESS_ENTRY_POINTS = {"SyncAPIClient": ("request",), "AsyncAPIClient": ("request",)}
STAINLESS_MODULES = {
    "_streaming": ("__iter__", "__next__", "__aiter__", "__anext__"),
    "_response": ("parse", "read", "text", "json", "iter_bytes", "iter_text", "iter_lines"),
}
# The helper streams built over those (anthropic's messages.stream(), openai's chat.completions.stream()...):
# the caller's own frames are next, so no later wrapping within the SDK can come between.
STREAM_HELPER_METHODS = (
    "__iter__", "__next__", "__aiter__", "__anext__", "__enter__", "__aenter__",
    "until_done", "get_final_message", "get_final_text", "get_final_completion", "get_final_response",
)  # fmt: skip
GENAI_ENTRY_POINTS = {
    "BaseApiClient": ("request", "request_streamed", "async_request", "async_request_streamed"),
}
GENAI_CALLERS = ("Models", "AsyncModels", "Chat", "AsyncChat")
# litellm maps any exception to its own (InternalServerError...) and retries, around whichever SDK or
# client it drives: its public calls and its stream wrapper are the outermost frames to shield.
LITELLM_CALLS = (
    "completion", "acompletion", "text_completion", "atext_completion", "embedding", "aembedding",
    "responses", "aresponses", "completion_with_retries", "acompletion_with_retries", "batch_completion",
    "image_generation", "aimage_generation", "moderation", "amoderation", "speech", "aspeech",
    "transcription", "atranscription",
)  # fmt: skip
LITELLM_STREAM_METHODS = ("__iter__", "__next__", "__aiter__", "__anext__")
# Not shielded yet: litellm.Router, whose endpoints its core serves by name (no method to replace); the caller
# still gets the violation (unwrapped at litellm.completion's shield), but the Router's own retries ask again.


def _install(patches: PatchSet, module: ModuleType, entry_points: Mapping[str, tuple[str, ...]]) -> None:
    for class_name, methods in entry_points.items():
        owner = getattr(module, class_name, None)
        if isinstance(owner, type):
            _shield_methods(patches, owner, methods)


def _shield_methods(patches: PatchSet, owner: type, methods: Iterable[str]) -> None:
    """Shield those of `methods` that `owner` defines itself (inherited ones are shielded on their class)."""
    for method in methods:
        if method in vars(owner):
            patches.replace(owner, method, shield, governs=False)


def _classes_of(module: ModuleType, package: str) -> list[type]:
    """The package's classes in a module (their `__module__` may name the package: openai sets it so)."""
    return [
        c
        for c in vars(module).values()
        if isinstance(c, type) and (c.__module__ == package or c.__module__.startswith(f"{package}."))
    ]


def install_stainless(patches: PatchSet, module: ModuleType) -> None:
    """Shield openai / anthropic `request` (anthropic wraps any exception in APIConnectionError and retries),
    and the iteration of their streams (anthropic 2.17 wraps what fails while reading one the same way)."""
    _install(patches, module, STAINLESS_ENTRY_POINTS)
    package = module.__name__.rpartition(".")[0]
    for name, methods in STAINLESS_MODULES.items():
        sibling = sys.modules.get(f"{package}.{name}")  # imported by `_base_client` itself
        for owner in _classes_of(sibling, package) if sibling is not None else ():
            _shield_methods(patches, owner, methods)


def install_stream_helpers(patches: PatchSet, module: ModuleType) -> None:
    """Shield the iteration and final-answer methods of an SDK's helper streams and their managers."""
    for owner in _classes_of(module, module.__name__.partition(".")[0]):
        _shield_methods(patches, owner, STREAM_HELPER_METHODS)


def install_genai(patches: PatchSet, module: ModuleType) -> None:
    """Shield google-genai's request methods (tenacity retries and error mapping sit beneath them)."""
    _install(patches, module, GENAI_ENTRY_POINTS)


def install_genai_calls(patches: PatchSet, module: ModuleType) -> None:
    """Shield the public methods of google-genai's models and chats, the calls the caller makes itself."""
    for owner in _classes_of(module, "google.genai"):
        if owner.__name__ in GENAI_CALLERS:
            _shield_methods(patches, owner, [n for n, v in vars(owner).items() if callable(v) and n[0] != "_"])


def install_litellm(patches: PatchSet, module: ModuleType) -> None:
    """Shield litellm's public calls and its stream wrapper, wherever litellm exports them."""
    for owner in (module, sys.modules.get(f"{module.__name__}.main")):
        for name in LITELLM_CALLS if owner is not None else ():
            if callable(vars(owner).get(name)):
                patches.replace(owner, name, shield, governs=False)
    wrapper = vars(module).get("CustomStreamWrapper")  # not getattr: litellm imports some names lazily
    if isinstance(wrapper, type):
        _shield_methods(patches, wrapper, LITELLM_STREAM_METHODS)
