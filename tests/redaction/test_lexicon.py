"""The word lists behind names: nam_dict's given names, the model's English words, data/name_words.txt."""

from __future__ import annotations

import pytest
import spacy

from jupyter_aigov.redaction.lexicon import Lexicon, english_words, given_names, name_words

LEXICON = Lexicon(
    given_names=frozenset({"Frank"}),
    words=frozenset({"plot", "column", "sample", "frank"}),
    verbs=frozenset({"plot", "sample", "duplicate", "frank"}),
    everyday=frozenset({"plot", "sample", "duplicate", "frank"}),
)


def test_when_the_given_names_load_then_they_come_from_many_countries_with_diacritics() -> None:
    names, common = given_names()
    assert len(names) > 40_000
    assert {"Motoko", "Dénes", "Ľudmila", "Saša", "Loïc", "Jun-Wei"} <= names
    assert "Frank" in common and "Run" not in common


@pytest.mark.parametrize(
    ("word", "verb"),
    [
        ("Plot", True),
        ("Tokenize", True),
        ("Winsorise", True),
        ("Deduplicate", True),
        ("Upsample", True),
        ("Plotted", False),
        ("Column", False),
        ("Kate", False),
    ],
)
def test_when_a_word_opens_an_instruction_then_base_verbs_and_verb_forms_count(word: str, verb: bool) -> None:
    assert LEXICON.is_verb(word) is verb


@pytest.mark.parametrize("word", ["columns", "plots", "Sampling", "Frank"])
def test_when_a_word_is_inflected_then_it_is_still_an_english_word(word: str) -> None:
    assert LEXICON.is_word(word)


def test_when_the_pipeline_has_no_lemmatizer_then_there_are_no_english_words() -> None:
    assert english_words(spacy.blank("en")) == {}


def test_when_the_name_words_load_then_every_section_is_there() -> None:
    tables = name_words()
    expected = {"particles", "never_first", "name_fields", "titles", "people_lists", "calendar", "raise", "lower"}
    assert set(tables) == expected
    assert "first_name" in tables["name_fields"] and "mr" in tables["titles"] and "import" in tables["lower"]
