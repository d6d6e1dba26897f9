"""DetectionEngine without the spaCy model: patterns, cache, batching, failures, no network."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from aigov_core.errors import DetectionFailed
from jupyter_aigov.redaction import DEFAULT_DETECTED, DetectionEngine
from jupyter_aigov.redaction.nlp import load_pipeline


def test_when_the_model_is_not_installed_then_patterns_still_run_and_ner_is_reported_missing(
    pattern_engine: DetectionEngine,
) -> None:
    assert pattern_engine.ner_available is False
    assert "not installed" in pattern_engine.status()
    [found] = pattern_engine.analyze_many(["mail ana@example.com, SSN 412-67-8901"], {"EMAIL_ADDRESS", "US_SSN"})
    assert {f.entity for f in found} == {"EMAIL_ADDRESS", "US_SSN"}


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("card 4111 1111 1111 1111", "CREDIT_CARD"),
        ("ssn=412-67-8901", "US_SSN"),
        ("IBAN ES2790791565052092798077 held by him", "IBAN_CODE"),
        ("from 10.1.2.3 and 2001:db8::1", "IP_ADDRESS"),
        ("call (302) 939-3023", "PHONE_NUMBER"),
        ("api_key='sk-proj-XSThNzieHHfds5CHICP27zvWwGnpVYxcnbmwAE1PCN0o'", "SECRET"),
    ],
)
def test_when_a_pattern_entity_is_present_then_it_is_found(
    pattern_engine: DetectionEngine, text: str, entity: str
) -> None:
    assert entity in {f.entity for f in pattern_engine.analyze(text, DEFAULT_DETECTED)}


def test_when_allow_terms_name_a_finding_then_it_is_dropped() -> None:
    engine = DetectionEngine("aigov_no_such_model", allow_terms=["Acme Town"])
    text = "Acme Town is fine; Springfield moved to Kevinview"
    found = [text[f.start : f.end] for f in engine.analyze(text, {"LOCATION"})]
    assert "Acme Town" not in found
    assert "Kevinview" in found
    engine.close()


def test_when_history_is_resent_then_each_distinct_message_is_analysed_once(pattern_engine: DetectionEngine) -> None:
    history = [f"turn {n}: write to ana{n}@example.com" for n in range(5)]
    before = pattern_engine.analyses
    for turn in range(1, len(history) + 1):
        pattern_engine.analyze_many(history[:turn], {"EMAIL_ADDRESS"})
    assert pattern_engine.analyses - before == len(history)


def test_when_many_texts_are_analysed_then_results_come_back_in_order(pattern_engine: DetectionEngine) -> None:
    texts = ["no pii here", "ana@example.com", "no pii here", "bo@example.org and cy@example.net"]
    found = pattern_engine.analyze_many(texts, {"EMAIL_ADDRESS"})
    assert [len(f) for f in found] == [0, 1, 0, 2]


def test_when_no_entities_are_wanted_then_nothing_is_analysed(pattern_engine: DetectionEngine) -> None:
    before = pattern_engine.analyses
    assert pattern_engine.analyze_many(["ana@example.com"], set()) == [[]]
    assert pattern_engine.analyses == before


def _slow_engine(delay: float, **kwargs: Any) -> DetectionEngine:
    engine = DetectionEngine("aigov_no_such_model", **kwargs)
    assert engine.wait_ready(60)
    analyzer = engine._analyzer
    assert analyzer is not None
    real = analyzer.run

    def slow(texts: list[str], entities: list[str]) -> Any:
        time.sleep(delay)
        return real(texts, entities)

    analyzer.run = slow  # type: ignore[method-assign]
    return engine


def test_when_analysis_exceeds_the_deadline_then_detection_fails() -> None:
    engine = _slow_engine(0.5, deadline_ms=50)
    with pytest.raises(DetectionFailed, match="deadline_ms"):
        engine.analyze("ana@example.com", {"EMAIL_ADDRESS"})
    engine.close()


def test_when_the_analyzer_raises_then_detection_fails() -> None:
    engine = DetectionEngine("aigov_no_such_model")
    assert engine.wait_ready(60)
    assert engine._analyzer is not None

    def broken(texts: list[str], entities: list[str]) -> Any:
        raise RuntimeError(f"boom on {texts[0]}")

    engine._analyzer.run = broken  # type: ignore[method-assign]
    with pytest.raises(DetectionFailed, match="RuntimeError") as failed:
        engine.analyze("ana@example.com", {"EMAIL_ADDRESS"})
    # the reason goes into evidence: the type, never the message that quotes the text
    assert "boom" not in failed.value.reason and "ana@example.com" not in failed.value.reason
    engine.close()


def test_when_loading_fails_then_detection_fails() -> None:
    def broken(name: str) -> Any:
        raise OSError("model files unreadable")

    engine = DetectionEngine("x", loader=broken)
    with pytest.raises(DetectionFailed, match=r"could not be loaded \(OSError\)"):
        engine.analyze("ana@example.com", {"EMAIL_ADDRESS"})
    assert "failed to load" in engine.status()


def test_when_the_model_is_still_loading_then_detection_fails_at_the_deadline() -> None:
    def slow(name: str) -> Any:
        time.sleep(1)
        return load_pipeline(name)

    engine = DetectionEngine("aigov_no_such_model", loader=slow, deadline_ms=50)
    engine.start_loading()
    assert "loading" in engine.status()
    with pytest.raises(DetectionFailed, match="still loading"):
        engine.analyze("ana@example.com", {"EMAIL_ADDRESS"})


def test_when_engine_loads_and_analyses_then_no_network_connection_is_attempted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    engine = DetectionEngine("en_core_web_sm", deadline_ms=30_000)
    found = engine.analyze("Write to ana.ruiz@example.co.uk or visit https://example.org", DEFAULT_DETECTED)
    assert [f.entity for f in found] == ["EMAIL_ADDRESS"]
    assert attempts == []
    engine.close()


def test_when_a_name_column_value_equals_a_model_guess_then_the_column_reading_survives(
    model_engine: DetectionEngine,
) -> None:
    # Presidio's de-duplication keeps one of two equal findings in set order; the column's reading must not be lost
    text = "first_name\tlast_name\tcountry\nSenna\tvan Roijen\tNetherlands\n"
    found = {text[f.start : f.end] for f in model_engine.analyze(text, {"PERSON"})}
    assert {"Senna", "van Roijen"} <= found
