"""Recognizers for PERSON and LOCATION where a small NER model misses: titles, place forms, cue words.

Given names, initials and name columns are `names.py`'s.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_WORD = rf"[{_UP}](?:'[{_UP}])?[{_LOW}]+(?:[{_UP}][{_LOW}]+)?"
_PARTICLE = r"(?:van|von|de|der|den|del|della|di|da|du|dos|das|le|la|ter|ten|zu|y|sur|sous|en|am|an|im|upon|on)"
# A surname: capitalised, hyphenated parts allowed ("Sforza-Raurica", "Dagsburg-de Boer").
_SURNAME = rf"{_WORD}(?:-(?:{_PARTICLE}-)?{_WORD}|-{_PARTICLE}(?=\s))*"
_SURNAMES = rf"(?:\s(?:{_PARTICLE}\s)*{_SURNAME}){{1,3}}"
_TITLE = (
    r"(?:Dipl\.-Ing|Dipl\.-Kfm|Ing|Univ\.-Prof|"
    r"Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Dott|Dott\.ssa|Sig|Sig\.ra|Herr|Frau|Mme|Mlle|Sr|Sra|Srta)\.?"
)
_POSTNOMINAL = r"(?:MD|PhD|DDS|DVM|MBA\.?|Esq\.|Jr\.|B\.A\.|B\.Sc\.|M\.A\.|M\.Sc\.|BSc|MSc)"
_PLACE_WORDS = rf"{_WORD}(?:[\s-](?:{_PARTICLE}[\s-])*{_WORD}){{0,3}}(?:\s\([A-Z]{{2,4}}\))?"
_COMPASS = r"(?:North|South|East|West|New|Port|Lake|Mount|Fort|San|Santa|Saint|St\.)"
# English settlement-name endings (Old English burh, tun, ham, ford, ...), a productive, general pattern.
_PLACE_SUFFIX = (
    r"(?:ville|town|ton|burg|burgh|borough|bury|shire|haven|mouth|ford|land|view|stad|fort|chester|berg|furt)"
)
# Everyday words with those endings, which open sentences and headings in notebooks.
_NOT_PLACE_WORDS = (
    "Button Cotton Singleton Skeleton Baseline Overview Preview Review Interview Comfort Effort Iceberg "
    "Island Downtown Newton Carton Proton Photon Crouton Mutton Wonton Bottom Phantom Fort Land Town View "
    "January February March April May June July August September October November December Monday Tuesday "
    "Wednesday Thursday Friday "
    "Saturday Sunday English French German Spanish Italian Dutch Portuguese Chinese Japanese Markdown"
)
_NOT_PLACES = frozenset(_NOT_PLACE_WORDS.split())


def _person_patterns() -> list[tuple[re.Pattern[str], float]]:
    return [
        (re.compile(rf"\b{_TITLE}\s{_WORD}(?:{_SURNAMES})?(?:,?\s{_POSTNOMINAL})?"), 0.85),
        (re.compile(rf"\b{_WORD}{_SURNAMES},?\s{_POSTNOMINAL}(?![\w])"), 0.8),
        # A name written next to an email address: "Ana Ruiz (ana@x.org)", "reply to Ana Ruiz at ana@x.org".
        (re.compile(rf"(?P<n>\b{_WORD}{_SURNAMES})(?=\s(?:\(|<|at\s)[\w.+-]+@)"), 0.7),
    ]


def _location_patterns() -> list[tuple[re.Pattern[str], float]]:
    return [
        (re.compile(rf"\b{_COMPASS}\s{_WORD}\b"), 0.6),
        (re.compile(rf"\b[{_UP}][{_LOW}]+{_PLACE_SUFFIX}\b"), 0.6),
        (
            re.compile(
                rf"(?:\b(?:moved|moving|relocated|relocating|relocate|lives|living|based|located|resides|residing|born|"
                rf"travels?|travelling|traveled)\s(?:to|in|at|from|near)\s|\b(?:city|town|location|address|hometown)"
                rf"\s?[=:]\s?)(?P<n>{_PLACE_WORDS})"
            ),
            0.7,
        ),
        # "... in Zaragoza." : a proper noun closing a clause after a place preposition.
        (re.compile(rf"\b(?:in|at|near)\s(?P<n>{_PLACE_WORDS})(?=\s*(?:[.;!?]|$))"), 0.55),
    ]


class _ContextRecognizer(EntityRecognizer):
    """Reports the group `n` (or whole match) of each of its patterns as its one entity."""

    def __init__(self, entity: str, patterns: list[tuple[re.Pattern[str], float]]) -> None:
        self._patterns = patterns
        super().__init__(supported_entities=[entity], name=f"Aigov{entity.title()}Recognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load: patterns are compiled at construction."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find this recognizer's entity in `text`."""
        entity = self.supported_entities[0]
        if entity not in entities:
            return []
        results = []
        for regex, score in self._patterns:
            group = "n" if "n" in regex.groupindex else 0
            for match in regex.finditer(text):
                if match.group(group) in _NOT_PLACES:
                    continue
                results.append(RecognizerResult(entity, match.start(group), match.end(group), score))
        return results


def person_recognizer() -> EntityRecognizer:
    """PERSON from titles, post-nominals, and a name written next to an email address."""
    return _ContextRecognizer("PERSON", _person_patterns())


def location_recognizer() -> EntityRecognizer:
    """LOCATION from settlement-name forms and cue words ("moved to", "city=")."""
    return _ContextRecognizer("LOCATION", _location_patterns())
