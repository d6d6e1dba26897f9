"""The auditor's HTML report: what it shows, that it escapes everything given, and that it is self-contained."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from jupyter_aigov.bundle.report import render_report
from jupyter_aigov.bundle.summary import EvidenceSummary

from .summaries import summarise

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SHA_IN_BUNDLE, SHA_OLD = "1" * 64, "2" * 64
VOID = {"meta", "img", "br", "hr", "link", "input"}


def records(tmp_path: Path, *fields: dict[str, Any]) -> EvidenceSummary:
    """The fields written to a real evidence log, read back and summed up."""
    return summarise(tmp_path / "demo.jsonl", fields)


def call(decision: str, model: str = "gpt-4o-mini", **fields: Any) -> dict[str, Any]:
    return {
        "event": "ai.call",
        "provider": "openai",
        "model": model,
        "decision": decision,
        "rules": [],
        "entities": {},
        "use_case": "churn",
        "user": "ada",
        "session": "s-1",
        **fields,
    }


def response(model: str = "gpt-4o-mini", tokens: tuple[int, int] = (1000, 234), **fields: Any) -> dict[str, Any]:
    usage = {"input_tokens": tokens[0], "output_tokens": tokens[1]}
    return {"event": "ai.response", "provider": "openai", "model": model, "decision": "allow", "usage": usage, **fields}


def registration(model_id: str = "openai-gpt-4o-mini", **fields: Any) -> dict[str, Any]:
    """A registration as the inventory stores it (only the fields the report reads, and a few it does not)."""
    return {
        "schema_version": 1,
        "kind": "model",
        "id": model_id,
        "name": "gpt-4o-mini",
        "version": "",
        "provider": "openai",
        "model_ids": ["gpt-4o-mini"],
        "aliases": [],
        "owner": "Ada Lovelace",
        "intended_purpose": "churn analysis",
        "risk_tier": "limited",
        **fields,
    }


def assessment(status: str = "approved", next_review: str | None = "2026-06-30", **fields: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "kind": "assessment",
        "id": "openai-gpt-4o-mini.nist-ai-rmf",
        "model_id": "openai-gpt-4o-mini",
        "framework": "nist-ai-rmf",
        "assessor": "ada",
        "approver": "bob",
        "status": status,
        "next_review": next_review,
        "answers": {},
        **fields,
    }


def render(summary: EvidenceSummary | None = None, **given: Any) -> str:
    arguments: dict[str, Any] = {
        "title": "AI governance evidence: demo",
        "exported_at": "2026-03-01T09:30:00.000000Z",
        "exported_by": "ada",
        "filters": {},
        "logs": [],
        "registrations": [],
        "assessments": [],
        "policies": [],
        "notebooks": [],
    }
    return render_report(summary or EvidenceSummary(), **(arguments | given))


def section(page: str, name: str) -> str:
    match = re.search(rf'<section id="{name}">(.*?)</section>', page, re.S)
    assert match, f"no section {name}"
    return match.group(1)


def images(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


class TagBalance(HTMLParser):
    """Every element opened is closed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.faults: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.faults.append(tag)


def assert_well_formed(page: str) -> None:
    checker = TagBalance()
    checker.feed(page)
    assert (checker.faults, checker.open) == ([], [])


@pytest.fixture
def busy(tmp_path: Path) -> EvidenceSummary:
    return records(
        tmp_path,
        {"event": "policy.load", "policy_sha256": SHA_IN_BUNDLE, "policy_source": "/p/aigov.yaml"},
        {"event": "policy.load", "policy_sha256": SHA_OLD, "policy_source": "/p/aigov.yaml"},
        call("allow", call_id="c1"),
        response(call_id="c1", cost_usd=1.5),
        call("redact", entities={"PERSON": 2}, rules=["models.allowed", "redaction.redact"]),
        call("block", entities={"SECRET": 1}, rules=["redaction.block"]),
        call("block", "llama3", provider="ollama", rules=["models.deny"]),
        {"event": "tool.call", "tool": "run_shell", "decision": "block", "rules": ["tools.deny"]},
        {"event": "tool.call", "tool": "search_docs", "decision": "allow", "rules": ["tools.allowed"]},
    )


def test_when_nothing_was_recorded_then_an_empty_report_renders_and_says_so():
    page = render()
    assert page.startswith("<!DOCTYPE html>")
    assert "No AI calls are recorded" in page
    assert "No filters: every record of the logs is included." in page
    for empty in (
        "Nothing was blocked.",
        "No models were called.",
        "No models are registered in the inventory.",
        "No policy file is included.",
        "No evidence logs are included.",
        "No notebooks are included.",
    ):
        assert empty in page
    assert [png[:8] for png in images(page)] == [PNG_SIGNATURE, PNG_SIGNATURE]
    assert_well_formed(page)


def test_when_calls_were_recorded_then_the_figures_and_tables_show_them(busy):
    page = render(busy)
    figures = section(page, "summary")
    for figure in (
        "<b>4</b>AI calls",
        ">1</b>allowed",
        ">1</b>redacted",
        ">2</b>blocked",
        ">1 of 2</b>tool calls",
        "<b>1,000 / 234</b>tokens",
        "<b>$1.50</b>spend",
    ):
        assert figure in figures
    blocks = section(page, "blocks")
    assert '<code>redaction.block</code></td><td class="num">1</td><td class="num">0</td>' in blocks
    assert '<code>tools.deny</code></td><td class="num">0</td><td class="num">1</td>' in blocks
    entities = section(page, "entities")
    assert '<td>PERSON</td><td class="num">2</td><td class="num">2</td><td class="num">0</td>' in entities
    assert '<td>SECRET</td><td class="num">1</td><td class="num">0</td><td class="num">1</td>' in entities
    models = section(page, "models-used")
    assert "<td>openai</td><td>gpt-4o-mini</td>" in models and "1,000" in models and "$1.50" in models
    assert "<td>ollama</td><td>llama3</td>" in models and "not priced" in models
    assert_well_formed(page)


def test_when_the_bundle_holds_logs_policies_and_notebooks_then_each_is_listed(busy):
    page = render(
        busy,
        filters={"since": "2026-01-01T00:00:00Z", "model": ["gpt-4o-mini", "llama3"]},
        logs=[
            {
                "path": "data/evidence/demo.excerpt.jsonl",
                "source": "/nb/.aigov/evidence/demo.jsonl",
                "kind": "excerpt",
                "records": 1200,
                "included": 9,
                "head_hash": "f" * 64,
            }
        ],
        policies=[{"path": "data/policy/aigov.yaml", "source": "/p/aigov.yaml", "sha256": SHA_IN_BUNDLE}],
        notebooks=[
            {
                "path": "data/notebooks/demo.ipynb",
                "source": "/nb/demo.ipynb",
                "redacted": True,
                "entities": {"PERSON": 2},
            },
            {"path": "data/notebooks/raw.ipynb", "source": "/nb/raw.ipynb", "redacted": False, "entities": {}},
        ],
    )
    assert "<td>since</td><td>2026-01-01T00:00:00Z</td>" in page
    assert "<td>model</td><td>gpt-4o-mini, llama3</td>" in page
    logs = section(page, "logs")
    assert "9 of 1,200" in logs and "f" * 64 in logs and "excerpt" in logs
    policies = section(page, "policies")
    assert re.search(rf"<code>{SHA_IN_BUNDLE}</code></td><td>/p/aigov.yaml</td><td>.*?yes", policies)
    assert f'<code>{SHA_OLD}</code></td><td>/p/aigov.yaml</td><td><span class="missing">no</span>' in policies
    notebooks = section(page, "notebooks")
    assert "<td>yes</td><td>PERSON 2</td>" in notebooks
    assert '<span class="block">no</span>' in notebooks
    assert_well_formed(page)


@pytest.mark.parametrize(
    ("status", "next_review", "overdue", "in_force"),
    [
        ("approved", "2026-02-28", True, False),
        ("approved", "2026-03-01", False, True),  # the review is due on the export day, not yet past
        ("approved", None, False, True),
        ("submitted", "2026-01-01", False, False),  # not approved: nothing in force to fall overdue
    ],
)
def test_when_an_assessment_is_listed_then_a_review_past_the_export_date_is_marked_overdue(
    status, next_review, overdue, in_force
):
    page = render(registrations=[registration()], assessments=[assessment(status, next_review)])
    inventory = section(page, "inventory")
    assert f"nist-ai-rmf: <b>{status}</b>" in inventory
    assert ('class="overdue"' in inventory) is overdue
    last_cell = re.findall(r'<td><span class="\w+">(yes|no)</span></td></tr>', inventory)
    assert last_cell == ["yes" if in_force else "no"]


def test_when_the_export_time_cannot_be_read_then_no_review_is_marked_overdue():
    page = render(
        exported_at="sometime", registrations=[registration()], assessments=[assessment("approved", "2001-01-01")]
    )
    inventory = section(page, "inventory")
    assert 'class="overdue"' not in inventory and "the export date could not be read" in inventory


def test_when_an_assessment_names_an_unregistered_model_then_it_is_listed_as_not_registered():
    page = render(assessments=[assessment(model_id="ghost-model")])
    inventory = section(page, "inventory")
    assert "<code>ghost-model</code>" in inventory and "not registered" in inventory


def test_when_given_values_carry_markup_then_everything_is_escaped(tmp_path):
    summary = records(
        tmp_path,
        call("block", EVIL, provider=EVIL, use_case=EVIL, user=EVIL, rules=[EVIL], entities={EVIL: 1}),
        response(EVIL, provider=EVIL, cost_usd=0.1),
        {"event": "policy.load", "policy_sha256": EVIL, "policy_source": EVIL},
    )
    page = render(
        summary,
        title=EVIL,
        exported_at=EVIL,
        exported_by=EVIL,
        filters={EVIL: EVIL},
        logs=[{"path": EVIL, "source": EVIL, "kind": EVIL, "records": EVIL, "included": 1, "head_hash": EVIL}],
        registrations=[registration(EVIL, name=EVIL, provider=EVIL, model_ids=[EVIL], owner=EVIL, risk_tier=EVIL)],
        assessments=[assessment(EVIL, EVIL, model_id=EVIL, framework=EVIL)],
        policies=[
            {"path": EVIL, "source": EVIL, "sha256": EVIL, "changed_since_loaded": True, "in_force_sha256": EVIL}
        ],
        notebooks=[{"path": EVIL, "source": EVIL, "redacted": True, "entities": {EVIL: 1}}],
    )
    assert "<script" not in page.lower()
    assert page.count(ESCAPED) >= 25
    assert_well_formed(page)


def test_when_the_report_renders_then_it_loads_nothing_from_elsewhere_and_runs_nothing(busy):
    page = render(busy, registrations=[registration()], assessments=[assessment()])
    lowered = page.lower()
    assert "<script" not in lowered and "javascript:" not in lowered and " on" + "load=" not in lowered
    assert not re.search(r"<(link|iframe|object|embed|base)\b", lowered)
    assert not re.search(r"\b(src|href)\s*=\s*[\"']?\s*(https?:|//)", lowered)
    assert "url(" not in lowered and "@import" not in lowered and "://" not in lowered
    assert all(src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]*)"', page))
    assert "default-src 'none'" in page  # the Content-Security-Policy: nothing else may load even by mistake


def test_when_the_report_renders_then_its_images_are_valid_pngs(busy):
    pngs = images(render(busy))
    assert len(pngs) == 2
    for png in pngs:
        assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR" and png.endswith(b"IEND\xaeB`\x82")


def test_when_the_report_renders_then_it_says_how_to_verify_the_bundle():
    verify = section(render(), "verify")
    assert "aigov verify &lt;bundle.zip&gt; [--signer FINGERPRINT]" in verify


def test_when_calls_span_days_then_the_timeline_chart_is_drawn_from_the_summary():
    summary = EvidenceSummary()
    for day in range(30):
        stamp = f"2026-01-{day + 1:02d}T12:00:00.000000Z"
        summary.add(call("allow") | {"ts": stamp}, "log")
    # 29 days in minutes would be 41,761 bars; in hours 697, within the cap
    assert (summary.timeline().size, len(summary.timeline().counts)) == ("hour", 697)
    timeline, _ = images(render(summary))
    assert timeline.startswith(PNG_SIGNATURE)


def test_when_a_model_or_use_case_name_holds_dollar_signs_then_the_chart_still_draws():
    summary = EvidenceSummary()
    summary.add(call("block", "a$\\notacommand$b", use_case="$_$") | {"ts": "2026-01-01T12:00:00Z"}, "log")
    assert all(png.startswith(PNG_SIGNATURE) for png in images(render(summary)))
