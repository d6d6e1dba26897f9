"""Recognizer for LOCATION named after a place preposition: "a shop in Talmaciu", "flying from Vyšná Jedľová".

Most towns are too small for any gazetteer. After "in", "from" or "near", a capitalised run of words that are
not English words, not a given name on its own, not a month, a language or an acronym, is a place: the
prepositions people use for where something happened or where someone lives. Libraries and products after the
same words ("in Polars", "from Hugging Face") are dropped later by the name filter, as for every guessed name.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from jupyter_aigov.redaction.letters import CAPITALS
from jupyter_aigov.redaction.lexicon import Lexicon
from jupyter_aigov.redaction.places import LOCATION, WORD

NAME = "AigovCuedPlaceRecognizer"
SCORE = 0.6
# Lower-case words inside place names: "Schin op Geul", "San Adán de la Montaña", "Nogueira do Sul".
_PARTICLES = (
    r"(?:de|del|della|di|da|do|dos|das|du|des|la|le|les|los|las|op|aan|an|am|im|ob|sur|sous|en|na|nad|pod|pri|y)"
)
_PLACE_WORD = rf"[{CAPITALS}][^\W\d_]*(?:['\u2019-][^\W\d_]+)*"
_PLACE_RUN = rf"{_PLACE_WORD}(?:\s(?:{_PARTICLES}\s){{0,2}}{_PLACE_WORD}){{0,4}}"
# Only lower-case cues: "In Q3 ..." opens a sentence, "in Q3" is prose.
_CUED = re.compile(rf"(?<![\w-])(?P<cue>in|from|near)\s(?P<n>{_PLACE_RUN})")
# What follows a place after "from": "to", a clause's end, or the text's.
_FROM_PLACE_END = re.compile(r"\s(?:to|and)\s|\s*(?:[.,;!?\n]|$)")
# Languages, which follow "in" as often as places do ("in German"); months and days are the lexicon's calendar.
_LANGUAGES_TEXT = (
    "english french german spanish italian dutch portuguese chinese japanese korean russian arabic hindi polish "
    "swedish danish norwegian finnish czech greek turkish"
)
_LANGUAGES = frozenset(_LANGUAGES_TEXT.split())


class CuedPlaceRecognizer(EntityRecognizer):
    """Places named after "in", "from" or "near" that no gazetteer knows."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        super().__init__(supported_entities=[LOCATION], name=NAME, supported_language="en")

    def load(self) -> None:
        """Nothing to load: the lexicon is built by the engine's loading thread."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """Find cued place names in `text`."""
        if LOCATION not in entities:
            return []
        results = []
        for match in _CUED.finditer(text):
            start, end = match.span("n")
            if match.group("cue") == "from" and not _FROM_PLACE_END.match(text, end):
                continue  # "an email from Kupko about ..." names a sender; "flying from Perg to ..." a place
            if self.is_place(match.group("n")):
                results.append(RecognizerResult(LOCATION, start, end, SCORE))
        return results

    def is_place(self, run: str) -> bool:
        """True when a capitalised run after a place preposition reads as a place's name."""
        words = WORD.findall(run)
        capitalised = [w for w in words if w[:1].isupper()]
        not_places = _LANGUAGES | self.lexicon.table("calendar")
        if not capitalised or any(w.lower() in not_places for w in capitalised):
            return False
        if any(w.isupper() and len(w) > 1 for w in capitalised):
            return False  # an acronym: "in SQL", "from AWS"
        if all(self.lexicon.is_word(w) for w in capitalised):
            return False  # "in Excel", "from Scratch": English words, unless a gazetteer or an address says so
        # a given name first is a person more often than a place ("a message from Anna Keller")
        return not self.lexicon.is_given_name(capitalised[0])
