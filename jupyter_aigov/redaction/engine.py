"""DetectionEngine: find entities in many texts at once, cached, loaded in the background, failing closed.

>>> engine = DetectionEngine("en_core_web_sm")
>>> engine.start_loading()                                    # at %load_ext; returns at once
>>> engine.analyze_many(["Mail jo@example.com"], {"EMAIL_ADDRESS"})   # doctest: +SKIP
[[Finding(entity='EMAIL_ADDRESS', start=5, end=19, score=1.0)]]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from aigov_core.errors import DetectionFailed
from jupyter_aigov.redaction.cache import FindingsCache, content_key
from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.redaction.nlp import LANGUAGE, Pipeline, PreloadedSpacyNlpEngine, load_pipeline
from jupyter_aigov.redaction.terms import is_allowed

if TYPE_CHECKING:
    from aigov_core.policy.document import RedactionSection

# What aigov looks for when asked for "everything": personal data and secrets, not dates, places of
# work, URLs or nationalities, which fill ordinary data-science prompts.
DEFAULT_DETECTED: tuple[str, ...] = (
    "PERSON",
    "LOCATION",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "US_SSN",
    "IBAN_CODE",
    "IP_ADDRESS",
    "SECRET",
)


class _Analyzer:
    """The loaded Presidio analyzer and what it knows."""

    def __init__(self, pipeline: Pipeline, extra: Sequence[Any] = ()) -> None:
        from presidio_analyzer import AnalyzerEngine, EntityRecognizer

        from jupyter_aigov.redaction.lexicon import load_lexicon
        from jupyter_aigov.redaction.not_names import NameFilter
        from jupyter_aigov.redaction.places import PlaceRecognizer
        from jupyter_aigov.redaction.recognizers import SHAPED_RECOGNIZERS, build_registry

        self.pipeline = pipeline
        self.nlp_engine = PreloadedSpacyNlpEngine(pipeline.nlp)
        lexicon = load_lexicon(pipeline.nlp)
        registry = build_registry(self.nlp_engine, lexicon, extra)
        gazetteer = next((r.gazetteer for r in registry.recognizers if isinstance(r, PlaceRecognizer)), None)
        self.name_filter = NameFilter(lexicon, known_place=gazetteer.knows if gazetteer else lambda name: False)
        self.supported = frozenset(registry.get_supported_entities([LANGUAGE]))
        # Findings read off a postal or record structure run apart from Presidio's analyzer: its de-duplication
        # keeps one of two equal findings by set order, so a name-column value could come back as spaCy's guess
        # and be cut by the name filter ("Senna" under first_name); these skip the filter, whole.
        recognizers: list[EntityRecognizer] = list(registry.recognizers)
        self.shaped = [r for r in recognizers if getattr(r, "name", "") in SHAPED_RECOGNIZERS]
        registry.recognizers = [r for r in recognizers if getattr(r, "name", "") not in SHAPED_RECOGNIZERS]
        self.engine = AnalyzerEngine(registry=registry, nlp_engine=self.nlp_engine, supported_languages=[LANGUAGE])

    def run(self, texts: list[str], entities: list[str]) -> list[list[Finding]]:
        """Findings of every score for `texts`; spaCy runs over them as one batch."""
        batch = self.nlp_engine.process_batch(texts, LANGUAGE, batch_size=32)
        out = []
        for text, artifacts in batch:  # type: ignore[misc]  # yields pairs when as_tuples is False
            results = self.engine.analyze(text, LANGUAGE, entities=entities, nlp_artifacts=artifacts, score_threshold=0)
            guessed = [Finding(r.entity_type, r.start, r.end, float(r.score)) for r in results]
            shaped = [
                Finding(r.entity_type, r.start, r.end, float(r.score))
                for recognizer in self.shaped
                for r in recognizer.analyze(text, entities, artifacts)
                if r.score > 0
            ]
            out.append(self.name_filter.apply(text, guessed) + shaped)
        return out


class DetectionEngine:
    """Finds personal data and secrets in text with Presidio and the spaCy model named by policy."""

    def __init__(
        self,
        nlp_model: str = "en_core_web_sm",
        *,
        score_threshold: float = 0.5,
        allow_terms: Collection[str] = (),
        deadline_ms: int = 2000,
        cache: FindingsCache | None = None,
        loader: Callable[[str], Pipeline] = load_pipeline,
        extra_recognizers: Callable[[], Sequence[Any]] = tuple,
    ) -> None:
        self.nlp_model = nlp_model
        self.score_threshold = score_threshold
        self.allow_terms = frozenset(allow_terms)
        self.deadline_ms = deadline_ms
        self.cache = cache if cache is not None else FindingsCache()
        self.analyses = 0  # texts actually analysed (cache misses), for tests and status
        self._loader = loader
        self._extra_recognizers = extra_recognizers  # made with the analyzer (a plugin's hook runs then)
        self._analyzer: _Analyzer | None = None
        self._load_error: BaseException | None = None
        self._loaded = threading.Event()
        self._load_lock = threading.Lock()
        self._loading = False
        # One worker: spaCy pipelines are not safe to share across threads, and the caller can wait with a timeout.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aigov-detect")

    @classmethod
    def from_policy(cls, redaction: RedactionSection, **kwargs: Any) -> DetectionEngine:
        """An engine configured by a policy's `redaction` section."""
        return cls(
            redaction.nlp_model,
            score_threshold=redaction.score_threshold,
            allow_terms=redaction.allow_terms,
            deadline_ms=redaction.deadline_ms,
            **kwargs,
        )

    def start_loading(self) -> None:
        """Load the model in a background thread (returns at once; harmless to call twice)."""
        with self._load_lock:
            if self._loading:
                return
            self._loading = True
        threading.Thread(target=self._load, name="aigov-detect-load", daemon=True).start()

    def _load(self) -> None:
        try:
            self._analyzer = _Analyzer(self._loader(self.nlp_model), self._extra_recognizers())
        except BaseException as error:  # a failed load must surface as DetectionFailed
            self._load_error = error
        finally:
            self._loaded.set()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Start loading if needed and wait up to `timeout` seconds; True when the engine can analyse."""
        self.start_loading()
        return self._loaded.wait(timeout) and self._analyzer is not None

    @property
    def ner_available(self) -> bool:
        """True when a loaded NER model finds names and places; False while loading or pattern-only."""
        return self._analyzer is not None and self._analyzer.pipeline.ner_available

    def state(self) -> str:
        """One word or two for the load line: loading, ready, patterns only, or failed."""
        if not self._loaded.is_set():
            return "loading"
        if self._analyzer is None:
            return "failed"
        return "ready" if self._analyzer.pipeline.ner_available else "patterns only"

    def status(self) -> str:
        """One sentence for `%aigov status`: loading, failed, pattern-only, or which model."""
        if not self._loaded.is_set():
            return f"Sensitive-data detection is loading spaCy model {self.nlp_model!r}."
        if self._analyzer is None:
            return f"Sensitive-data detection failed to load: {self._load_error!r}; every AI call is refused."
        pipeline = self._analyzer.pipeline
        return pipeline.note if pipeline.ner_available else f"NER is off: {pipeline.note}"

    def supported_entities(self) -> frozenset[str]:
        """Entity types some recognizer can find (empty until loaded)."""
        return self._analyzer.supported if self._analyzer is not None else frozenset()

    def analyze(self, text: str, entities: Collection[str]) -> list[Finding]:
        """Findings for one text; see `analyze_many`."""
        return self.analyze_many([text], entities)[0]

    def analyze_many(
        self, texts: Sequence[str], entities: Collection[str], *, deadline_ms: int | None = None
    ) -> list[list[Finding]]:
        """Findings of `entities` per text, sorted by position; raises DetectionFailed rather than miss anything.

        Texts already analysed for the same entities come from the cache; the rest run as one batch.
        Findings may overlap when different entity types claim the same characters.
        """
        wanted = frozenset(entities)
        if not wanted or not texts:
            return [[] for _ in texts]
        limit_ms = deadline_ms if deadline_ms is not None else self.deadline_ms
        deadline = time.monotonic() + limit_ms / 1000
        if not self.wait_ready(max(0.0, deadline - time.monotonic())):
            if isinstance(self._load_error, DetectionFailed):  # a plugin's recognizers could not be made
                raise DetectionFailed(self._load_error.reason)
            if self._loaded.is_set():
                raise DetectionFailed(f"the detection model could not be loaded ({type(self._load_error).__name__})")
            raise DetectionFailed(
                f"the detection model {self.nlp_model!r} is still loading after {limit_ms} ms "
                "(raise redaction.deadline_ms, or retry in a few seconds)"
            )
        analyzer = self._analyzer
        assert analyzer is not None
        if unknown := wanted - analyzer.supported:
            # an entity no recognizer finds would never be found: refused rather than passed unchecked
            raise DetectionFailed(
                f"no recognizer finds {', '.join(sorted(unknown))}, which the policy names under redaction.entities; "
                "give it a pattern or deny_terms there, list the plugin that provides it under plugins:, "
                "or correct the name"
            )
        requested = sorted(wanted & analyzer.supported)
        settings = tuple(requested)
        raw: dict[str, tuple[Finding, ...]] = {}
        missing: list[str] = []
        for text in dict.fromkeys(texts):
            cached = self.cache.get(content_key(text, settings))
            if cached is None:
                missing.append(text)
            else:
                raw[text] = cached
        if missing and requested:
            for text, found in zip(missing, self._run(analyzer, missing, requested, deadline, limit_ms), strict=True):
                raw[text] = tuple(found)
                self.cache.put(content_key(text, settings), len(text), raw[text])
        return [self._accept(text, raw.get(text, ())) for text in texts]

    def _run(
        self, analyzer: _Analyzer, texts: list[str], entities: list[str], deadline: float, limit_ms: int
    ) -> list[list[Finding]]:
        future = self._worker.submit(analyzer.run, texts, entities)
        try:
            found = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            future.cancel()
            raise DetectionFailed(
                f"analysing {sum(map(len, texts))} characters took longer than {limit_ms} ms "
                "(redaction.deadline_ms); the request was not sent"
            ) from None
        except DetectionFailed as error:  # a recognizer's own refusal (a policy pattern past its time limit)
            raise DetectionFailed(error.reason) from error
        except Exception as error:
            # the type only: an analyzer's message may quote the text it was given, and this reason is evidence
            raise DetectionFailed(f"the analyzer raised {type(error).__name__}") from error
        self.analyses += len(texts)
        return found

    def _accept(self, text: str, found: Sequence[Finding]) -> list[Finding]:
        """Apply threshold and allow terms, and drop findings nested in a same-type finding."""
        kept = [f for f in found if f.score >= self.score_threshold and not is_allowed(f, text, self.allow_terms)]
        kept.sort(key=lambda f: (f.start, -f.end, -f.score))
        result: list[Finding] = []
        for finding in kept:
            if any(o.entity == finding.entity and o.start <= finding.start and finding.end <= o.end for o in result):
                continue
            result.append(finding)
        return result

    def close(self) -> None:
        """Stop the worker thread (pending analyses finish first)."""
        self._worker.shutdown(wait=False, cancel_futures=True)
