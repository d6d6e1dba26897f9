"""The pages over real uploaded bundles: inventory, a model's live usage, decisions, bundles; each team sees its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from aigov_registry.api.cursor import decode_cursor
from fastapi.testclient import TestClient

from ..projects import START, Project
from .conftest import SignIn

Upload = Callable[[Project, str], str]


def _figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert found, f"no {name} figure on the page"
    return found.group(1)


def test_when_a_bundle_is_uploaded_then_the_inventory_lists_its_models_with_tier_owner_and_review(
    project: Project, upload: Upload, sign_in: SignIn
):
    project.record(2)
    gpt = project.register(owner="support-analytics", risk_tier="high")
    claude = project.register(name="claude-3-5-haiku", provider="anthropic", owner="risk-office")
    project.assess(gpt, status="submitted", next_review=date.today() - timedelta(days=1))
    project.assess(claude, status="approved", approver="ona", next_review=date.today() + timedelta(days=30))
    upload(project, "team-a")

    page = sign_in("team-a").get("/models").text

    rows = {row.split("</tr>")[0] for row in page.split("<tr")[2:]}
    gpt_row = next(row for row in rows if f"/models/{gpt}" in row)
    claude_row = next(row for row in rows if f"/models/{claude}" in row)
    assert 'class="overdue"' in gpt_row and "submitted" in gpt_row and "high" in gpt_row
    assert "support-analytics" in gpt_row and "overdue</strong>" in gpt_row
    assert 'class="overdue"' not in claude_row and "approved" in claude_row and "risk-office" in claude_row


def test_when_a_model_page_is_read_then_its_live_usage_counts_the_recorded_calls(
    project: Project, upload: Upload, sign_in: SignIn
):
    records = project.record(12)
    gpt = project.register(overview="Summarises tickets.", license="proprietary")
    assessment = project.assess(gpt, status="draft")
    upload(project, "team-a")
    mine = [record for record in records if record["model"] == "gpt-4o-mini"]

    page = sign_in("team-a").get(f"/models/{gpt}").text

    assert _figure(page, "calls") == str(len(mine))
    assert _figure(page, "blocks") == str(sum(record["decision"] == "block" for record in mine))
    assert _figure(page, "redactions") == str(sum(record["decision"] == "redact" for record in mine))
    last = max(START + timedelta(minutes=n) for n, record in enumerate(records) if record["model"] == "gpt-4o-mini")
    assert _figure(page, "last-used") == last.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert "Summarises tickets." in page and "proprietary" in page and assessment in page


def test_when_a_model_has_no_calls_then_its_usage_is_zero_and_never_used(project: Project, upload: Upload, sign_in):
    project.record(1, model="something-else")
    model_id = project.register(name="unused-model")
    upload(project, "team-a")

    page = sign_in("team-a").get(f"/models/{model_id}").text

    assert [_figure(page, name) for name in ("calls", "blocks", "redactions", "last-used")] == ["0", "0", "0", "—"]


def test_when_decisions_are_filtered_then_only_matching_records_show_and_next_follows_the_api_cursor(
    project: Project, upload: Upload, sign_in: SignIn
):
    records = project.record(24)
    upload(project, "team-a")
    client = sign_in("team-a")
    wanted = [r for r in records if r["user"] == "ada" and r["decision"] == "allow"]

    first = client.get("/decisions", params={"user": "ada", "decision": "allow", "limit": 2})
    following = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert following, "the first page links to the next"
    link = following.group(1).replace("&amp;", "&")
    second = client.get(link)

    assert link.startswith("/decisions?user=ada&decision=allow&limit=2&cursor=")
    decode_cursor(link.rsplit("cursor=", 1)[1], int)  # the API's own cursor, readable by the API
    shown = [
        *re.findall(r"<tr>\s*<td>([^<]+ UTC)</td>", first.text),
        *re.findall(r"<tr>\s*<td>([^<]+ UTC)</td>", second.text),
    ]
    times = sorted(START + timedelta(minutes=n) for n, r in enumerate(records) if r in wanted)
    assert shown == [moment.strftime("%Y-%m-%d %H:%M:%S UTC") for moment in times[:4]]
    assert 'rel="first"' in second.text and len(wanted) == 4 and 'rel="next"' not in second.text


def test_when_a_filter_or_cursor_is_not_valid_then_the_page_says_what_to_fix(
    project: Project, upload: Upload, sign_in: SignIn
):
    client = sign_in("team-a")

    bad_time = client.get("/decisions", params={"since": "yesterday"})
    bad_cursor = client.get("/decisions", params={"cursor": "not-a-cursor"})
    bad_limit = client.get("/decisions", params={"limit": 0})

    assert (
        bad_time.status_code == 400
        and "is not a time" in bad_time.text
        and "text/html" in bad_time.headers["content-type"]
    )
    assert bad_cursor.status_code == 400 and "cursor is not one this registry gave out" in bad_cursor.text
    assert bad_limit.status_code == 422 and "limit" in bad_limit.text


def test_when_bundles_are_listed_then_each_shows_signer_exporter_records_and_verification(
    project: Project, upload: Upload, sign_in: SignIn
):
    project.record(5)
    first = upload(project, "team-a")
    project.record(3)
    second = upload(project, "team-a")
    client = sign_in("team-a")

    listing = client.get("/bundles").text
    detail = client.get(f"/bundles/{second}").text

    assert listing.index(f"/bundles/{second}") < listing.index(f"/bundles/{first}")  # newest first
    assert listing.count('class="verified"') == 2 and ">ada<" in listing
    assert re.search(r"<td>8</td>\s*<td>3</td>", listing), "the second bundle: 8 records, 3 new"
    assert "data/evidence/churn.jsonl" in detail
    assert "verified" in detail and "3 new to the registry" in detail


def test_when_team_b_signs_in_then_it_sees_none_of_team_a_and_its_ids_are_404(
    project: Project, upload: Upload, sign_in: SignIn
):
    project.record(6)
    model_id = project.register(name="team-a-secret-model")
    bundle_id = upload(project, "team-a")

    client = sign_in("team-b")
    pages = {path: client.get(path) for path in ("/models", "/decisions", "/bundles")}
    model = client.get(f"/models/{model_id}")
    bundle = client.get(f"/bundles/{bundle_id}")

    assert all(answer.status_code == 200 for answer in pages.values())
    assert "team-a-secret-model" not in pages["/models"].text and "No records match" in pages["/decisions"].text
    assert bundle_id not in pages["/bundles"].text and "no bundles yet" in pages["/bundles"].text
    assert model.status_code == 404 and "This team has no model" in model.text
    assert bundle.status_code == 404 and "This team has no bundle" in bundle.text
    assert sign_in("team-a").get(f"/models/{model_id}").status_code == 200


def test_when_a_model_is_named_like_a_script_then_every_page_shows_it_escaped(
    project: Project, upload: Upload, sign_in: SignIn
):
    name = "<script>alert(1)</script>"
    project.record(2, model=name, user=name)
    model_id = project.register(name=name, owner=name)
    upload(project, "team-a")
    client = sign_in("team-a")

    pages = [client.get(path) for path in ("/models", f"/models/{model_id}", "/decisions")]

    for answer in pages:
        assert name not in answer.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
        assert "script-src" not in answer.headers["content-security-policy"]  # no script may run at all
    assert _figure(pages[1].text, "calls") == "2"


def test_when_records_were_pushed_live_and_a_model_written_through_the_api_then_every_page_shows_them(
    project: Project, upload: Upload, sign_in: SignIn, client: TestClient, auth
):
    records = project.record(3)
    upload(project, "team-a")  # a bundle's records beside the live ones
    live = project.record(2)
    submit = auth("team-a", "admin")
    pushed = client.post("/api/v1/records", json={"log": "churn.jsonl", "records": live}, headers=submit)
    model = {"id": "m-api", "name": "gpt-4o-mini", "provider": "openai", "owner": "ana",
             "intended_purpose": "Summarise tickets", "risk_tier": "limited"}  # fmt: skip
    written = client.post("/api/v1/models", json=model, headers=submit)
    assert (pushed.json()["stored"], written.status_code) == (2, 201)
    browser = sign_in("team-a")

    pages = {path: browser.get(path) for path in ("/decisions", "/models", "/models/m-api", "/bundles")}

    assert {path: answer.status_code for path, answer in pages.items()} == dict.fromkeys(pages, 200)
    rows = pages["/decisions"].text.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == len(records) + len(live)
    assert sum('<span title="data/evidence/churn.jsonl #' in row and ">live</span>" in row for row in rows) == 2
    assert "through the API" in pages["/models/m-api"].text and "/bundles/None" not in pages["/models/m-api"].text
    assert _figure(pages["/models/m-api"].text, "calls") == str(
        sum(record["model"] == "gpt-4o-mini" for record in [*records, *live])
    )


def test_when_the_stylesheet_is_asked_for_then_it_is_served_without_signing_in(client: TestClient):
    answer = client.get("/static/registry.css")

    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/css")
    assert "table" in answer.text
