"""Redaction in transit: a recognised AI call's text parts are analysed, decided on and rewritten.

Engines are shared by every gateway of the process with the same settings: reloading the extension, or a
new policy with the same model, never loads spaCy twice.
"""

from __future__ import annotations

import copy
import gzip
import importlib
import importlib.util
import json
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from aigov_core.errors import DetectionFailed
from jupyter_aigov.providers.base import AIRequest, set_at
from jupyter_aigov.redaction.echoes import EchoCache, placeholder_counts
from jupyter_aigov.redaction.plan import RedactionPlan, decide, entities_to_detect

if TYPE_CHECKING:
    from jupyter_aigov.redaction.engine import DetectionEngine

_engines: dict[tuple[Any, ...], DetectionEngine] = {}
# A call made just after %load_ext waits for the model that is loading in the background (a few seconds at
# most) rather than being refused; `deadline_ms` then bounds the analysis itself.
LOAD_WAIT_S = 60.0
_engines_lock = threading.Lock()
NOTHING = RedactionPlan("allow")


@dataclass(frozen=True)
class ExtraRecognizers:
    """Recognizers beside the built-in ones (a policy's plugins'), made when an engine loads; `key` names them.

    Engines with the same settings and the same `key` are one engine: a reload with the same plugins loads nothing.
    """

    key: tuple[str, ...] = ()  # e.g. ("example 0.1.0",)
    make: Callable[[], Sequence[Any]] = field(default=tuple, compare=False)

    def plus(self, other: ExtraRecognizers) -> ExtraRecognizers:
        """These recognizers and `other`'s, made together."""
        if not other.key or not self.key:
            return other if other.key else self
        return ExtraRecognizers((*self.key, *other.key), lambda: [*self.make(), *other.make()])


NO_EXTRA = ExtraRecognizers()


def section_recognizers(section: Any) -> ExtraRecognizers:
    """A `redaction` section's own patterns and deny terms, as extra recognizers keyed by what they are made of,
    so that a policy that changes them gets a new engine."""
    key = tuple(json.dumps(pattern.model_dump(), sort_keys=True) for pattern in section.patterns)
    key += tuple(json.dumps({entity: terms}) for entity, terms in section.deny_terms.items())
    if not key:
        return NO_EXTRA

    def make() -> Sequence[Any]:
        from jupyter_aigov.redaction.policy_recognizers import policy_recognizers  # Presidio: when the engine loads

        return policy_recognizers(section)

    return ExtraRecognizers(("policy", *key), make)


class Vault(Protocol):
    """Where placeholders come from: the same value gets the same placeholder for the whole session."""

    def redact(self, text: str, spans: list[tuple[int, int, str]]) -> str: ...


def _engine_key(section: Any, extra: ExtraRecognizers) -> tuple[Any, ...]:
    return (section.nlp_model, section.score_threshold, tuple(section.allow_terms), section.deadline_ms, extra.key)


def engine_for(section: Any, extra: ExtraRecognizers = NO_EXTRA) -> DetectionEngine:
    """The process's engine for a policy's `redaction` settings (its patterns and deny terms, and plugins'
    recognizers), loading in the background from first use."""
    from jupyter_aigov.redaction.engine import DetectionEngine  # spaCy and Presidio: imported on first need

    recognizers = extra.plus(section_recognizers(section))
    key = _engine_key(section, recognizers)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = DetectionEngine.from_policy(section, extra_recognizers=recognizers.make)
            engine.start_loading()
    return engine


_prepared_sections: dict[int, tuple[Any, ExtraRecognizers, frozenset[str], Any]] = {}


def detection_for(section: Any, extra: ExtraRecognizers = NO_EXTRA) -> tuple[frozenset[str], Any]:
    """The entities a policy section detects and its engine (None when it detects none), once per section."""
    return _prepared(section, extra)


def _prepared(section: Any, extra: ExtraRecognizers) -> tuple[frozenset[str], Any]:
    """The entities a policy section detects and its engine, worked out once per section (a hot path)."""
    found = _prepared_sections.get(id(section))
    if found is None or found[0] is not section or found[1] is not extra:
        wanted = entities_to_detect(section.entities)
        # the section is kept in the entry, so its id cannot be reused by another object meanwhile
        engine = engine_for(section, extra) if wanted else None
        found = _prepared_sections[id(section)] = (section, extra, wanted, engine)
    return found[2], found[3]


# Modules that importing the engine brings in (Presidio -> spaCy -> weasel -> httpx) and that SDKs look up in
# sys.modules without importing them: openai 3 and anthropic 2 ask whether the legacy httpx is loaded. While another
# thread imports such a module it is there half-initialised, and the SDK fails on it ("partially initialized
# module 'httpx' has no attribute 'URL'"), so these are imported whole before the engine's import starts.
PEEKED_MODULES = ("httpx",)
PEEKING_SDKS = ("openai", "anthropic", "google.genai")


def prepare(section: Any, extra: ExtraRecognizers = NO_EXTRA) -> None:
    """Import and load the engine a policy needs on a background thread, so the first call finds it ready."""
    if entities_to_detect(section.entities):
        if any(sdk in sys.modules for sdk in PEEKING_SDKS):
            import_peeked_modules()  # an SDK that may look at once: on this thread, before the engine's import
        threading.Thread(target=_prepare, args=(section, extra), name="aigov-detect-prepare", daemon=True).start()


def _prepare(section: Any, extra: ExtraRecognizers) -> None:
    import_peeked_modules()  # first, so they are whole within moments of %load_ext
    engine_for(section, extra)


def import_peeked_modules() -> None:
    """Import the PEEKED_MODULES that are installed and not imported yet."""
    for name in PEEKED_MODULES:
        if name not in sys.modules and importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def _running_engine(section: Any, extra: ExtraRecognizers) -> DetectionEngine | None:
    """The engine already started for these settings, if any (never starts one)."""
    return _engines.get(_engine_key(section, extra.plus(section_recognizers(section))))


def engine_status(section: Any, extra: ExtraRecognizers = NO_EXTRA) -> str:
    """One sentence on the detection engine for `%aigov status`."""
    if not entities_to_detect(section.entities):
        return "off: the policy redacts and blocks no entity"
    engine = _running_engine(section, extra)
    return engine.status() if engine is not None else "not started yet"


def engine_state(section: Any, extra: ExtraRecognizers = NO_EXTRA) -> str:
    """The detection engine in a word or two: off, loading, ready, patterns only, or failed."""
    if not entities_to_detect(section.entities):
        return "off"
    engine = _running_engine(section, extra)
    return engine.state() if engine is not None else "loading"


@dataclass(frozen=True)
class TransitOutcome:
    """What redaction decided for one request, and the body to send instead when it rewrote it."""

    plan: RedactionPlan
    body: bytes | None = None


def examine(
    call: AIRequest,
    section: Any,
    vault: Vault,
    content_encoding: str = "",
    echoes: EchoCache | None = None,
    extra: ExtraRecognizers = NO_EXTRA,
) -> TransitOutcome:
    """Detect the policy's entities in the call's text parts; rewrite the body when they are to be redacted.

    Parts that are answers the provider gave earlier (a chat resending its history) are not analysed: the
    provider gets back its own text, placeholders included. Raises DetectionFailed when detection cannot
    give a complete answer: the caller blocks the call.
    """
    actions = section.entities
    wanted, engine = _prepared(section, extra)
    if not wanted or not call.text_parts:
        return TransitOutcome(NOTHING)
    echoed: dict[int, str] = {}
    if echoes is not None:
        for index, part in enumerate(call.text_parts):
            if (own := echoes.provider_text(part.text)) is not None:
                echoed[index] = own
    fresh = [part for index, part in enumerate(call.text_parts) if index not in echoed]
    findings: list[list[Any]] = []
    if fresh:
        engine.wait_ready(LOAD_WAIT_S)
        findings = engine.analyze_many([part.text for part in fresh], wanted)
    decision = decide(findings, actions) if any(findings) else NOTHING
    replaced = {index: own for index, own in echoed.items() if own != call.text_parts[index].text}
    if decision.action == "block" or (decision.action != "redact" and not replaced):
        return TransitOutcome(decision)
    body = copy.deepcopy(call.body)
    if decision.action == "redact":
        for part, spans in zip(fresh, decision.spans, strict=True):
            if spans:
                set_at(body, part.path, vault.redact(part.text, [(f.start, f.end, f.entity) for f in spans]))
    counts = Counter(decision.entities)
    for index, own in replaced.items():
        set_at(body, call.text_parts[index].path, own)
        counts.update(placeholder_counts(own))
    decision = RedactionPlan("redact", dict(sorted(counts.items())), (), decision.spans)
    encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return TransitOutcome(decision, _encode_like(encoded, content_encoding))


def _encode_like(data: bytes, content_encoding: str) -> bytes:
    """The rewritten body in the request's own Content-Encoding."""
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return data
    if encoding in ("gzip", "x-gzip"):
        return gzip.compress(data)
    raise DetectionFailed(f"a request body in {encoding!r} encoding cannot be rewritten, so it is not sent")
