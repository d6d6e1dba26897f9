"""The filter that keeps verbs, code, products and column headers from being reported as people or places."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction import DetectionEngine
from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.redaction.lexicon import Lexicon
from jupyter_aigov.redaction.not_names import NameFilter

LEXICON = Lexicon(
    given_names=frozenset({"Frank", "Adam", "Motoko", "Jordan"}),
    words=frozenset(
        {"plot", "tokenize", "frank", "black", "run", "name", "city", "country", "logistic", "regression", "port"}
    ),
    verbs=frozenset({"plot", "run", "frank", "port"}),
    everyday=frozenset({"plot", "run", "frank", "black"}),
    common_given_names=frozenset({"Frank", "Adam", "Jordan"}),
)
FILTER = NameFilter(LEXICON, products=frozenset({"xgboost", "polars", "llama"}))


def _kept(text: str, value: str, entity: str = "PERSON", score: float = 0.85) -> list[str]:
    start = text.index(value)
    return [f.value(text) for f in FILTER.apply(text, [Finding(entity, start, start + len(value), score)])]


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("Tokenize 'The quick brown fox'", "Tokenize", "LOCATION"),
        ("Plot revenue by region.", "Plot", "PERSON"),
        ("Why does it warn in LogisticRegression?", "LogisticRegression", "LOCATION"),
        ("Use XGBoost with early stopping.", "XGBoost", "PERSON"),
        ("Benchmark Polars against pandas.", "Polars", "PERSON"),
        ("Compare Llama 3 with the rest.", "Llama 3", "PERSON"),
        ("Name,City,Country\n1,Ana,Lima", "City", "LOCATION"),
        ("model = Adam(lr=0.1)", "Adam", "PERSON"),
        ("refactor the groupby call", "groupby", "PERSON"),
        ("# Churn Model v1\n\n## Logistic Regression\nDone.", "Logistic Regression", "PERSON"),
        ("The job spills 142 GB to disk.", "GB", "LOCATION"),
        ("the headers Name, City, Country, Logistic Regression", "Logistic Regression", "PERSON"),
    ],
)
def test_when_a_finding_is_not_a_name_then_it_is_dropped(text: str, value: str, entity: str) -> None:
    assert _kept(text, value, entity) == []


@pytest.mark.parametrize(
    ("text", "value", "kept"),
    [
        ("Frank Holt called about his bill.", "Frank Holt", "Frank Holt"),
        ("Hi Motoko, the export is ready.", "Hi Motoko", "Motoko"),
        ("Run Black and Ruff.", "Run Black", None),
        ("Customer Frank McDonald called.", "Frank McDonald", "Frank McDonald"),
    ],
)
def test_when_a_finding_opens_with_a_word_then_only_the_name_is_kept(text: str, value: str, kept: str | None) -> None:
    assert _kept(text, value) == ([kept] if kept else [])


def test_when_context_words_surround_a_finding_then_its_score_moves() -> None:
    lowered = FILTER.apply("Jordan normal form", [Finding("PERSON", 0, 6, 0.85)])
    raised = FILTER.apply("Dear Mr Jordan, thanks", [Finding("PERSON", 8, 14, 0.7)])
    assert lowered[0].score < 0.5
    assert raised[0].score > 0.7


def test_when_a_place_opens_a_line_with_a_verb_then_it_is_kept_whole() -> None:
    text = "Stacey Marshall\n3 Peter Pines\nPort Joefurt\nUnited Kingdom"
    start = text.index("Port")
    assert _kept(text, "Port Joefurt", "LOCATION") == ["Port Joefurt"]
    assert FILTER.apply(text, [Finding("LOCATION", start, start + 12, 0.85)])[0].start == start


def test_when_a_person_finding_runs_over_lines_then_each_line_is_judged_alone() -> None:
    text = "Frank Holt\nParkgatan 2"
    kept = FILTER.apply(text, [Finding("PERSON", 0, len(text) - 2, 0.85)])
    assert [f.value(text) for f in kept] == ["Frank Holt", "Parkgatan"]


def test_when_a_csv_row_number_runs_into_a_name_then_it_is_cut_off() -> None:
    text = "id,name\n8260,Frank Holt"
    assert _kept(text, "8260,Frank Holt") == ["Frank Holt"]


def test_when_title_case_headers_are_english_words_then_no_person_is_reported(model_engine: DetectionEngine) -> None:
    text = "The Excel export has the headers Last Login At, Churned, Created At, Target. Rename them to snake_case."
    assert [f for f in model_engine.analyze(text, {"PERSON"})] == []


@pytest.mark.parametrize(
    ("text", "surname"),
    [
        ("first_name,last_name,email\nAlice,Baker,alice@example.com\nRadhika,Gandhi,r@example.net", "Baker"),
        ("Mr Baker called about the invoice.", "Baker"),
        ("Please ask customer Holmes about the refund.", "Holmes"),
        ("Hi Holmes, the export is ready.", "Holmes"),
    ],
)
def test_when_a_surname_that_is_an_english_word_has_a_cue_or_a_name_column_then_it_is_kept(
    model_engine: DetectionEngine, text: str, surname: str
) -> None:
    found = [text[f.start : f.end] for f in model_engine.analyze(text, {"PERSON"})]
    assert any(surname in value for value in found), found


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("I've been a customer in Zabok for ten years.", "Zabok", "LOCATION"),
        ("I'm flying from Perg to Austria next week.", "Perg", "LOCATION"),
        ("Please summarise this email from Kupko about the invoice.", "Kupko", "PERSON"),
        ("She met Frank in the office.", "Frank", "PERSON"),
        ("I met Frank Holt in Zabok.", "Frank Holt", "PERSON"),
        ("A customer in Frank Holt's team.", "Frank Holt", "PERSON"),  # a given name first: a person
        ("## Frank Holt\nNotes from the call.", "Frank Holt", "PERSON"),  # a heading that is a name stays one
        ("Customers: Name, City, Port", "Port", "PERSON"),  # a list of people, whatever its words
    ],
)
def test_when_a_name_follows_a_place_word_then_its_type_says_where_or_who(text: str, value: str, entity: str) -> None:
    start = text.index(value)
    found = FILTER.apply(text, [Finding("PERSON", start, start + len(value), 0.85)])
    assert [(f.value(text), f.entity) for f in found] == [(value, entity)]


def test_when_a_known_place_is_an_item_of_a_list_then_it_stays_a_place() -> None:
    places = NameFilter(LEXICON, products=frozenset(), known_place=lambda name: name == "Logistic")
    text = "Notes.\nShe was born in Name, Logistic, City, Port"
    start = text.index("Logistic")
    found = places.apply(text, [Finding("LOCATION", start, start + len("Logistic"), 0.85)])
    assert [f.value(text) for f in found] == ["Logistic"]
    assert FILTER.apply(text, [Finding("LOCATION", start, start + len("Logistic"), 0.85)]) == []
