"""With the real spaCy model: names and places found, data-science text left alone, a corpus subset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_aigov.redaction import DEFAULT_DETECTED, DetectionEngine

CORPUS = Path("/work/shared/pii-corpus/dev.jsonl")


@pytest.mark.parametrize(
    "text",
    [
        "Load the S3 bucket, train on C4 with EKS and compare GPT-4 with GPT-4o.",
        "The table has 48,000 rows from 2024-05-01 to 2024-06-30; pin pandas v1.2.3.",
        "Group by customer_id, then join on account_id and plan_tier.",
        "Explain the gradient boosting feature importances for the churn model.",
        "Use sk-learn style estimators and write SQL where signup_date > '2024-01-01'.",
    ],
)
def test_when_text_is_data_science_work_then_nothing_is_detected(model_engine: DetectionEngine, text: str) -> None:
    assert model_engine.analyze(text, DEFAULT_DETECTED) == []


@pytest.mark.parametrize(
    ("text", "value", "entity"),
    [
        ("Customer Frank Holt called about his bill.", "Frank Holt", "PERSON"),
        ("Please thank Dr Lydia Brennan for the review.", "Dr Lydia Brennan", "PERSON"),
        ("She moved to Kevinview last year.", "Kevinview", "LOCATION"),
    ],
)
def test_when_text_names_people_or_places_then_they_are_found(
    model_engine: DetectionEngine, text: str, value: str, entity: str
) -> None:
    found = {(f.entity, text[f.start : f.end]) for f in model_engine.analyze(text, DEFAULT_DETECTED)}
    assert (entity, value) in found


def test_when_the_model_is_installed_then_only_ner_runs(model_engine: DetectionEngine) -> None:
    assert model_engine.ner_available
    assert "components: ner" in model_engine.status()


@pytest.mark.skipif(not CORPUS.exists(), reason="labelled corpus not present")
def test_when_analysing_a_corpus_subset_then_recall_meets_the_target(model_engine: DetectionEngine) -> None:
    samples = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()[:80]]
    found = model_engine.analyze_many([s["text"] for s in samples], DEFAULT_DETECTED)
    spans = caught = 0
    for sample, findings in zip(samples, found, strict=True):
        covered = {i for f in findings for i in range(f.start, f.end)}
        for span in sample["spans"]:
            spans += 1
            caught += set(range(span["start"], span["end"])) <= covered
        if not sample["spans"]:
            assert findings == [], sample["text"]
    assert caught / spans >= 0.97
