"""Places from the gazetteer: countries, regions and cities by token lookup; English words need a place cue."""

from __future__ import annotations

import pytest
import spacy

from jupyter_aigov.redaction.nlp import resolve_model
from jupyter_aigov.redaction.places import Gazetteer, PlaceRecognizer, build_gazetteer, english_words


@pytest.fixture(scope="module")
def recognizer() -> PlaceRecognizer:
    target = resolve_model("en_core_web_sm")
    assert target is not None
    nlp = spacy.load(target)
    return PlaceRecognizer(build_gazetteer(english_words(nlp, ("noun",)), english_words(nlp, ("verb", "adj", "adv"))))


def _places(recognizer: PlaceRecognizer, text: str) -> list[str]:
    return [text[r.start : r.end] for r in recognizer.analyze(text, ["LOCATION"])]


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("Kind regards,\nAnna\nSwitzerland", ["Switzerland"]),
        ("Our branch in Valladolid closed.", ["Valladolid"]),
        ("Flight from Rio de Janeiro to Zürich", ["Rio de Janeiro", "Zürich"]),
        ("He moved to Nice last year.", ["Nice"]),
        ("I live in Reading, England", ["Reading", "England"]),
        ("Leeds is rainy.", ["Leeds"]),
        ("Offices in Leeds, England", ["Leeds", "England"]),
        ("Offices in Texas and Ontario", ["Texas", "Ontario"]),
        ("Bavaria", []),
        ("Kind regards,\nUli\nÖsterreich", ["Österreich"]),
        ("Ship to:\nUli\nSchweiz", ["Schweiz"]),  # in WordNet's nouns, as a name of Switzerland
        ("sales in Gotlands län rose", ["Gotlands län"]),
    ],
)
def test_when_text_names_a_place_then_it_is_found(recognizer: PlaceRecognizer, text: str, places: list[str]) -> None:
    assert _places(recognizer, text) == places


@pytest.mark.parametrize(
    "text",
    [
        "The Mobile app team and the Reading group meet Monday.",
        "Split the data, then fit a Delta Lake table. Nice work.",
        "The Python SDK ships Batch and Delta APIs; Of note, Split is slow.",
        "Export to Paris.csv and london_sales.parquet",
        "Tokenize 'The quick brown fox' and Summarize the Central results.",
    ],
)
def test_when_a_place_name_is_a_word_or_an_identifier_then_it_is_not_found(
    recognizer: PlaceRecognizer, text: str
) -> None:
    assert _places(recognizer, text) == []


def test_when_there_is_no_english_word_list_then_a_one_word_name_needs_a_place_cue() -> None:
    recognizer = PlaceRecognizer(build_gazetteer())
    assert _places(recognizer, "Split the data. Nice work.") == []
    assert _places(recognizer, "He moved to Nice, from Switzerland") == ["Nice", "Switzerland"]


def test_when_no_english_word_list_is_given_then_names_still_match() -> None:
    gazetteer = Gazetteer()
    gazetteer.add("Bonassola", well_known=False, english=frozenset())
    assert gazetteer.find("a flat in Bonassola") == [(10, 19, False)]
