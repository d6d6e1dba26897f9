"""SDK entry points that wrap or retry transport errors: shielded, so a refusal reaches the caller as itself."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

from .patches import PatchSet
from .scope import shield

# The Stainless-generated SDKs (openai, anthropic) share one base client layout.
STAINLESS_ENTRY_POINTS = {"SyncAPIClient": ("request",), "AsyncAPIClient": ("request",)}
GENAI_ENTRY_POINTS = {
    "BaseApiClient": ("request", "request_streamed", "async_request", "async_request_streamed"),
}


def _install(patches: PatchSet, module: ModuleType, entry_points: Mapping[str, tuple[str, ...]]) -> None:
    for class_name, methods in entry_points.items():
        owner = getattr(module, class_name, None)
        for method in methods:
            if owner is not None and method in vars(owner):
                patches.replace(owner, method, shield)


def install_stainless(patches: PatchSet, module: ModuleType) -> None:
    """Shield openai / anthropic `request` (anthropic wraps any exception in APIConnectionError and retries)."""
    _install(patches, module, STAINLESS_ENTRY_POINTS)


def install_genai(patches: PatchSet, module: ModuleType) -> None:
    """Shield google-genai's request methods (tenacity retries and error mapping sit beneath them)."""
    _install(patches, module, GENAI_ENTRY_POINTS)
