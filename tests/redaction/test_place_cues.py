"""Places named after "in", "from" or "near" that no gazetteer knows, and the words after them that are not."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction import DetectionEngine
from jupyter_aigov.redaction.lexicon import Lexicon
from jupyter_aigov.redaction.place_cues import CuedPlaceRecognizer

LEXICON = Lexicon(
    given_names=frozenset({"Anna", "Frank"}),
    words=frozenset({"excel", "scratch", "smith", "flats", "march"}),
    verbs=frozenset({"excel"}),
)
RECOGNIZER = CuedPlaceRecognizer(LEXICON)


def _places(text: str) -> list[str]:
    return [text[r.start : r.end] for r in RECOGNIZER.analyze(text, ["LOCATION"])]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("my card was declined twice at a shop in Talmaciu today", "Talmaciu"),
        ("I'm flying from Vyšná Jedľová to Slovakia next week", "Vyšná Jedľová"),
        ("card not working in Schin op Geul atm", "Schin op Geul"),
        ("lost it in San Adán de la Montaña", "San Adán de la Montaña"),
        ("a farm near Kibæk.", "Kibæk"),
        ("I moved from Ruscova.", "Ruscova"),
    ],
)
def test_when_a_capitalised_name_follows_a_place_word_then_it_is_a_place(text: str, place: str) -> None:
    assert _places(text) == [place]


@pytest.mark.parametrize(
    "text",
    [
        "export it in Excel",  # an English word
        "rewrite it from Scratch",
        "the bill in SQL",  # an acronym
        "the churn in March",  # the calendar
        "write it in German",  # a language
        "an email from Kupko about the invoice",  # a sender, not a place: "from" wants "to" or a clause's end
        "a message from Anna.",  # a given name
        "In Talmaciu the shop was closed",  # a capitalised cue opens a sentence: left to the model
        "a house in Smith Flats",  # English words only: a gazetteer or an address must say so
    ],
)
def test_when_the_words_after_a_place_word_are_no_place_then_nothing_is_found(text: str) -> None:
    assert _places(text) == []


def test_when_the_engine_reads_a_small_town_after_in_then_it_reports_a_location(
    model_engine: DetectionEngine,
) -> None:
    text = "I have been a customer in Zabok for ten years."
    found = [(text[f.start : f.end], f.entity) for f in model_engine.analyze(text, {"PERSON", "LOCATION"})]
    assert found == [("Zabok", "LOCATION")]
