"""Notebooks redacted for a bundle, on the real spaCy model: no canary value survives, the notebook stays valid."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from aigov_core.errors import BundleError
from aigov_core.policy.document import RedactionSection
from jupyter_aigov.bundle import notebook_redaction
from jupyter_aigov.bundle.notebook_redaction import RedactedNotebook, entities_to_redact, redact_notebook
from jupyter_aigov.redaction.engine import DetectionEngine

PERSON = "Margaret Okonkwo-Hale"
EMAIL = "margaret.okonkwo@example.org"
PHONE = "(302) 939-3023"
API_KEY = "sk-proj-Qx7fT2mZ9kLp4RsV8wYb3NcH6jD1gE5aUo0iXzKq"
# every fragment an auditor could recognise her by, not just the whole values
CANARIES = (PERSON, "Margaret", "Okonkwo", EMAIL, "example.org", PHONE, "939-3023", API_KEY, "Qx7fT2mZ9kLp")
ENTITIES = entities_to_redact(RedactionSection())
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
# IPython's own colouring: codes glued to the words on both sides
TRACEBACK = [
    "\x1b[0;31m" + "-" * 75 + "\x1b[0m",
    "\x1b[0;31mValueError\x1b[0m                                Traceback (most recent call last)",
    "Cell \x1b[0;32mIn[2], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m \x1b[38;5;28;01mraise\x1b[39;00m "
    "\x1b[38;5;167;01mValueError\x1b[39;00m("
    f'\x1b[38;5;124m"\x1b[39m\x1b[38;5;124m{PERSON}\x1b[39m\x1b[38;5;124m"\x1b[39m, '
    f'\x1b[38;5;124m"\x1b[39m\x1b[38;5;124m{EMAIL}\x1b[39m\x1b[38;5;124m"\x1b[39m)\n',
    f"\x1b[0;31mValueError\x1b[0m: no consent on file for {PERSON} <{EMAIL}>",
]


@pytest.fixture(scope="module")
def engine() -> Iterator[DetectionEngine]:
    """The real engine on the installed small spaCy model, loaded once for the module."""
    engine = DetectionEngine("en_core_web_sm", deadline_ms=30_000)
    engine.start_loading()
    assert engine.wait_ready(120), engine.status()
    yield engine
    engine.close()


def canary_notebook() -> dict[str, Any]:
    """A notebook with the canary identity in every place a notebook keeps text."""
    code = new_code_cell(
        f'client = OpenAI(api_key="{API_KEY}")\nprompt = "Summarise the complaint from {PERSON}, phone {PHONE}"',
        execution_count=1,
        outputs=[
            new_output("stream", name="stdout", text=f"Sent the summary to {EMAIL}\n"),
            new_output(
                "execute_result",
                execution_count=1,
                data={
                    "text/plain": f"'{PERSON} <{EMAIL}>'",
                    "text/html": f"<table><tr><td>{PERSON}</td><td>{PHONE}</td></tr></table>",
                },
            ),
            new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure size 640x480 with 1 Axes>"}),
            new_output("error", ename="ValueError", evalue=f"no consent on file for {PERSON}", traceback=TRACEBACK),
        ],
    )
    markdown = new_markdown_cell(f"## Complaint\nFiled by {PERSON} ({EMAIL}); the data sits on S3 behind EKS.")
    markdown.attachments = {"note.txt": {"text/plain": f"Signed, {PERSON}"}, "sign.png": {"image/png": PNG}}
    notebook = new_notebook(cells=[markdown, code])
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {"a1": {"model_name": "TextModel", "state": {"value": f"{PERSON}, {PHONE}"}}},
            "version_major": 2,
            "version_minor": 0,
        }
    }
    return notebook


def encode(notebook: dict[str, Any]) -> bytes:
    return json.dumps(notebook).encode("utf-8")


def redact(engine: DetectionEngine, notebook: dict[str, Any], **kwargs: Any) -> RedactedNotebook:
    return redact_notebook(encode(notebook), engine, kwargs.pop("entities", ENTITIES), **kwargs)


def test_when_a_notebook_holds_an_identity_everywhere_then_no_canary_value_remains(engine: DetectionEngine) -> None:
    redacted = redact(engine, canary_notebook())
    for canary in CANARIES:
        assert canary.encode() not in redacted.data, canary
    assert set(redacted.entities) == {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "SECRET"}


def test_when_a_notebook_is_redacted_then_each_place_shows_a_placeholder_it_can_render(
    engine: DetectionEngine,
) -> None:
    notebook = json.loads(redact(engine, canary_notebook()).data)
    markdown, code = notebook["cells"]
    stream, result, _, error = code["outputs"]
    assert 'api_key="<SECRET_1>"' in code["source"]
    assert "<PERSON_1>" in code["source"] and "<PHONE_NUMBER_1>" in code["source"]
    assert "<EMAIL_ADDRESS_1>" in stream["text"]
    assert result["data"]["text/plain"] == "'<PERSON_1> <<EMAIL_ADDRESS_1>>'"
    # a bare <PERSON_1> would be taken for an element, in HTML and in Jupyter's Markdown alike
    assert "<td>&lt;PERSON_1&gt;</td><td>&lt;PHONE_NUMBER_1&gt;</td>" in result["data"]["text/html"]
    assert "Filed by \\<PERSON_1> (\\<EMAIL_ADDRESS_1>)" in markdown["source"]
    assert error["evalue"] == "no consent on file for <PERSON_1>"
    assert (
        error["traceback"][-1] == "\x1b[0;31mValueError\x1b[0m: no consent on file for <PERSON_1> <<EMAIL_ADDRESS_1>>"
    )
    # found through the colour codes glued to them, which stay as they were
    assert "\x1b[38;5;124m<PERSON_1>\x1b[39m" in error["traceback"][2]
    assert "\x1b[38;5;124m<EMAIL_ADDRESS_1>\x1b[39m" in error["traceback"][2]
    assert error["traceback"][:2] == TRACEBACK[:2]
    assert markdown["attachments"] == {"note.txt": {"text/plain": "Signed, <PERSON_1>"}, "sign.png": {"image/png": PNG}}


def test_when_widget_state_is_saved_then_it_is_dropped_and_reported(engine: DetectionEngine) -> None:
    redacted = redact(engine, canary_notebook())
    assert "widgets" not in json.loads(redacted.data)["metadata"]
    assert redacted.removed == ("metadata.widgets",)


def test_when_a_notebook_is_redacted_then_it_stays_a_valid_notebook_in_nbformat_style(
    engine: DetectionEngine,
) -> None:
    original = canary_notebook()
    data = redact(engine, original).data
    text = data.decode("utf-8")
    nbformat.validate(nbformat.reads(text, as_version=4))
    assert text.endswith("}\n") and text.startswith('{\n "')  # nbformat's indent of 1
    assert list(json.loads(data)) == list(original)  # keys keep their order: a diff shows only what was redacted


def test_when_outputs_hold_images_then_they_are_left_as_they_are(engine: DetectionEngine) -> None:
    display = json.loads(redact(engine, canary_notebook()).data)["cells"][1]["outputs"][2]
    assert display["data"] == {"image/png": PNG, "text/plain": "<Figure size 640x480 with 1 Axes>"}


def test_when_an_output_is_of_an_unknown_type_then_every_string_in_it_is_redacted(engine: DetectionEngine) -> None:
    notebook = new_notebook(cells=[new_code_cell()])
    notebook.cells[0].outputs = [{"output_type": "future_kind", "payload": {"to": [EMAIL], "note": f"call {PHONE}"}}]
    output = json.loads(redact(engine, notebook).data)["cells"][0]["outputs"][0]
    assert output == {
        "output_type": "future_kind",
        "payload": {"to": ["<EMAIL_ADDRESS_1>"], "note": "call <PHONE_NUMBER_1>"},
    }


@pytest.mark.parametrize("as_lines", [True, False])
def test_when_sources_and_texts_are_lines_or_strings_then_each_keeps_its_shape(
    engine: DetectionEngine, as_lines: bool
) -> None:
    source = f"to = '{EMAIL}'\n", "send(to)\n", f"# phone {PHONE}"
    stream = f"mailing {EMAIL}\n", "done\n"
    cell = new_code_cell(outputs=[new_output("stream", name="stdout")])
    cell.source = list(source) if as_lines else "".join(source)
    cell.outputs[0].text = list(stream) if as_lines else "".join(stream)
    redacted = json.loads(redact(engine, new_notebook(cells=[cell])).data)["cells"][0]
    expected_source = "to = '<EMAIL_ADDRESS_1>'\n", "send(to)\n", "# phone <PHONE_NUMBER_1>"
    expected_stream = "mailing <EMAIL_ADDRESS_1>\n", "done\n"
    assert redacted["source"] == (list(expected_source) if as_lines else "".join(expected_source))
    assert redacted["outputs"][0]["text"] == (list(expected_stream) if as_lines else "".join(expected_stream))


def test_when_a_value_recurs_then_it_keeps_one_placeholder_and_every_occurrence_is_counted(
    engine: DetectionEngine,
) -> None:
    other = "ana.ruiz@example.net"
    cells = [
        new_code_cell(f"send('{EMAIL}', cc='{other}')", outputs=[new_output("stream", name="stdout", text=EMAIL)]),
        new_markdown_cell(f"Reply to {EMAIL} or call (302) 939-3023 or (212) 555-0187."),
    ]
    redacted = redact(engine, new_notebook(cells=cells))
    assert redacted.entities == {"EMAIL_ADDRESS": 4, "PHONE_NUMBER": 2}
    text = redacted.data.decode()
    assert text.count("<EMAIL_ADDRESS_1>") == 3 and text.count("<EMAIL_ADDRESS_2>") == 1
    assert "<PHONE_NUMBER_1>" in text and "<PHONE_NUMBER_2>" in text


def test_when_values_are_known_from_the_session_then_they_go_even_where_detection_misses_them(
    engine: DetectionEngine,
) -> None:
    token = "qvx-Ortelline-7"
    assert engine.analyze(f"ticket owner is {token}", ENTITIES) == []  # detection alone misses it
    cell = new_code_cell(f"owner = '{token}'", outputs=[new_output("stream", name="stdout", text=f"{token}\n")])
    redacted = redact(engine, new_notebook(cells=[cell]), known_values={token: "PERSON"})
    assert token.encode() not in redacted.data
    assert redacted.entities == {"PERSON": 2}
    assert "owner = '<PERSON_1>'" in redacted.data.decode()


def test_when_known_values_overlap_then_the_longest_wins_and_whitespace_may_differ(engine: DetectionEngine) -> None:
    cell = new_markdown_cell("Ilse Vandermolen-Quist wrote; Ilse\n  Vandermolen-Quist agreed; Ilse did not.")
    known = {"Ilse": "PERSON", "Ilse Vandermolen-Quist": "PERSON"}
    redacted = redact(engine, new_notebook(cells=[cell]), known_values=known, entities=())
    source = json.loads(redacted.data)["cells"][0]["source"]
    assert source == r"\<PERSON_1> wrote; \<PERSON_1> agreed; \<PERSON_2> did not."
    assert redacted.entities == {"PERSON": 3}


@pytest.mark.parametrize(
    "text",
    [
        "Upload the parquet files to S3, then deploy the scorer on EKS.",
        "Compare GKE with EKS and ECS; keep the IAM roles and the VPC as they are.",
    ],
)
def test_when_text_is_technical_then_nothing_is_redacted(engine: DetectionEngine, text: str) -> None:
    redacted = redact(engine, new_notebook(cells=[new_markdown_cell(text)]))
    assert redacted.entities == {}
    assert json.loads(redacted.data)["cells"][0]["source"] == text


def test_when_json_outputs_hold_values_then_their_strings_and_keys_are_redacted(engine: DetectionEngine) -> None:
    data = {"application/json": {f"{EMAIL}": {"calls": [f"{PHONE}", 3]}}, "text/plain": "<IPython.core.display.JSON>"}
    cell = new_code_cell(outputs=[new_output("display_data", data=data)])
    shown = json.loads(redact(engine, new_notebook(cells=[cell])).data)["cells"][0]["outputs"][0]["data"]
    assert shown["application/json"] == {"<EMAIL_ADDRESS_1>": {"calls": ["<PHONE_NUMBER_1>", 3]}}


def test_when_an_output_is_longer_than_a_window_then_values_at_every_boundary_are_found(
    engine: DetectionEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notebook_redaction, "WINDOW_CHARS", 1_000)
    monkeypatch.setattr(notebook_redaction, "OVERLAP_CHARS", 100)
    lines = [f"row {n:04d} owner user{n}@example.com status ok\n" for n in range(300)]  # about 14 windows
    cell = new_code_cell(outputs=[new_output("stream", name="stdout", text="".join(lines))])
    redacted = redact(engine, new_notebook(cells=[cell]))
    assert b"@example.com" not in redacted.data
    assert redacted.entities == {"EMAIL_ADDRESS": 300}  # overlaps found twice are replaced once


@pytest.mark.parametrize(
    "data",
    [
        b'{"cells": [',
        b"\xff\xfe not UTF-8",
        b"[]",
        json.dumps({"nbformat": 3, "worksheets": [], "cells": []}).encode(),
        json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"source": 7}]}).encode(),
    ],
    ids=["truncated", "not-utf8", "not-an-object", "nbformat-3", "source-not-text"],
)
def test_when_data_is_not_a_notebook_then_bundle_error_names_it_and_says_what_to_do(
    engine: DetectionEngine, data: bytes
) -> None:
    with pytest.raises(BundleError, match=r"churn\.ipynb .*redaction off"):
        redact_notebook(data, engine, ENTITIES, name="churn.ipynb")


def test_when_detection_fails_then_bundle_error_and_no_notebook_half_redacted() -> None:
    def broken_loader(name: str) -> Any:
        raise OSError("model files unreadable")

    failing = DetectionEngine("en_core_web_sm", loader=broken_loader)
    try:
        refused = r"churn\.ipynb could not be redacted.*could not be loaded \(OSError\).*Retry"
        with pytest.raises(BundleError, match=refused):
            redact_notebook(encode(canary_notebook()), failing, ENTITIES, name="churn.ipynb")
    finally:
        failing.close()


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        (None, ["CREDIT_CARD", "EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER", "SECRET", "US_SSN"]),
        ({"PERSON": "allow", "EMAIL_ADDRESS": "redact", "IBAN_CODE": "block"}, ["EMAIL_ADDRESS", "IBAN_CODE"]),
        ({"PERSON": "allow"}, []),
    ],
)
def test_when_a_policy_allows_some_entities_then_only_redacted_and_blocked_ones_are_detected(
    entities: dict[str, str] | None, expected: list[str]
) -> None:
    section = RedactionSection() if entities is None else RedactionSection.model_validate({"entities": entities})
    assert entities_to_redact(section) == expected
