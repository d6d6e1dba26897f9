"""Framework catalogues: the shipped NIST AI RMF, ISO/IEC 42001 and EU AI Act files, their loader, and tier rules."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from aigov_core.errors import InventoryError
from jupyter_aigov.inventory.frameworks import (
    TIERS,
    Framework,
    framework_ids,
    load_framework,
    parse_framework,
    suggest_risk_tier,
)

DATA = resources.files("jupyter_aigov.inventory").joinpath("data")
IDS = ("eu-ai-act", "iso-iec-42001", "nist-ai-rmf")


def kinds(framework: Framework, kind: str) -> list[str]:
    return [item.id for item in framework.items if item.kind == kind]


def file_text(framework_id: str) -> str:
    return DATA.joinpath(f"{framework_id}.yaml").read_text(encoding="utf-8")


def test_when_the_catalogues_are_listed_then_the_three_shipped_files_are_named() -> None:
    assert framework_ids() == IDS


@pytest.mark.parametrize(
    ("framework_id", "kind", "count"),
    [
        ("nist-ai-rmf", "function", 4),
        ("nist-ai-rmf", "category", 19),
        ("nist-ai-rmf", "subcategory", 72),
        ("iso-iec-42001", "area", 9),
        ("iso-iec-42001", "subarea", 2),
        ("iso-iec-42001", "control", 38),
        ("eu-ai-act", "group", 3),
        ("eu-ai-act", "heading", 9),
        ("eu-ai-act", "question", 27),
        ("eu-ai-act", "requirement", 12),
    ],
)
def test_when_a_catalogue_is_loaded_then_it_holds_the_published_number_of_each_kind(
    framework_id: str, kind: str, count: int
) -> None:
    assert len(kinds(load_framework(framework_id), kind)) == count


@pytest.mark.parametrize(
    ("framework_id", "answerable_kinds", "count"),
    [
        ("nist-ai-rmf", {"subcategory"}, 72),
        ("iso-iec-42001", {"control"}, 38),
        ("eu-ai-act", {"question", "heading", "requirement"}, 27 + 9 + 10),
    ],
)
def test_when_a_catalogue_is_answered_then_its_leaves_in_document_order_are_the_items(
    framework_id: str, answerable_kinds: set[str], count: int
) -> None:
    framework = load_framework(framework_id)
    leaves = framework.answerable

    assert len(leaves) == count
    assert {item.kind for item in leaves} == answerable_kinds
    order = [item.id for item in framework.items]
    assert [item.id for item in leaves] == sorted((item.id for item in leaves), key=order.index)


@pytest.mark.parametrize(
    ("category", "last"),
    [
        ("GOVERN 1", 7), ("GOVERN 2", 3), ("GOVERN 3", 2), ("GOVERN 4", 3), ("GOVERN 5", 2), ("GOVERN 6", 2),
        ("MAP 1", 6), ("MAP 2", 3), ("MAP 3", 5), ("MAP 4", 2), ("MAP 5", 2),
        ("MEASURE 1", 3), ("MEASURE 2", 13), ("MEASURE 3", 3), ("MEASURE 4", 3),
        ("MANAGE 1", 4), ("MANAGE 2", 4), ("MANAGE 3", 2), ("MANAGE 4", 3),
    ],
)  # fmt: skip
def test_when_a_nist_category_is_opened_then_its_subcategories_run_from_1_to_the_last(category: str, last: int) -> None:
    framework = load_framework("nist-ai-rmf")

    assert [item.id for item in framework.children(category)] == [f"{category}.{n}" for n in range(1, last + 1)]
    assert framework.item(category).parent == category.split()[0]


@pytest.mark.parametrize(
    ("area", "controls"),
    [
        ("A.2", ["A.2.2", "A.2.3", "A.2.4"]),
        ("A.3", ["A.3.2", "A.3.3"]),
        ("A.4", ["A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6"]),
        ("A.5", ["A.5.2", "A.5.3", "A.5.4", "A.5.5"]),
        ("A.6.1", ["A.6.1.2", "A.6.1.3"]),
        ("A.6.2", ["A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6", "A.6.2.7", "A.6.2.8"]),
        ("A.7", ["A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6"]),
        ("A.8", ["A.8.2", "A.8.3", "A.8.4", "A.8.5"]),
        ("A.9", ["A.9.2", "A.9.3", "A.9.4"]),
        ("A.10", ["A.10.2", "A.10.3", "A.10.4"]),
    ],
)
def test_when_an_iso_area_is_opened_then_its_annex_a_controls_are_listed(area: str, controls: list[str]) -> None:
    framework = load_framework("iso-iec-42001")

    assert [item.id for item in framework.children(area)] == controls
    assert all(item.reference == f"ISO/IEC 42001:2023 {item.id}" for item in framework.children(area))


def test_when_the_iso_catalogue_is_read_then_every_text_is_our_paraphrase_and_none_is_normative() -> None:
    framework = load_framework("iso-iec-42001")

    assert [group.id for group in framework.groups()] == [f"A.{n}" for n in range(2, 11)]
    assert all(item.paraphrase and item.title for item in framework.items)
    assert not [item.id for item in framework.items if " shall " in f" {item.text.lower()} "]
    assert "does not reproduce" in framework.licence_note


@pytest.mark.parametrize(
    ("framework_id", "kind", "paraphrase"),
    [
        ("nist-ai-rmf", "function", True),
        ("nist-ai-rmf", "category", False),
        ("nist-ai-rmf", "subcategory", False),
        ("eu-ai-act", "question", True),
        ("eu-ai-act", "heading", False),
        ("eu-ai-act", "requirement", False),
    ],
)
def test_when_a_text_is_quoted_or_our_own_then_its_paraphrase_flag_says_so(
    framework_id: str, kind: str, paraphrase: bool
) -> None:
    items = [item for item in load_framework(framework_id).items if item.kind == kind]

    assert {item.paraphrase for item in items} == {paraphrase}


def test_when_annex_iv_is_opened_then_its_nine_points_come_in_order() -> None:
    headings = load_framework("eu-ai-act").children("annex-iv")

    assert [item.reference for item in headings] == [f"Annex IV, point {n}" for n in range(1, 10)]
    assert headings[0].text == "A general description of the AI system"
    assert "EU declaration of conformity" in headings[7].text
    assert "post-market monitoring plan" in headings[8].text


def test_when_article_12_is_opened_then_its_paragraphs_and_the_retention_duties_are_answerable() -> None:
    framework = load_framework("eu-ai-act")
    group = {item.id for item in framework.items if item.parent in {"article-12", "art-12-2", "art-12-3"}}
    leaves = [item for item in framework.answerable if item.id in group]

    assert [item.reference for item in leaves] == [
        "Article 12(1)",
        "Article 12(2)(a)",
        "Article 12(2)(b)",
        "Article 12(2)(c)",
        "Article 12(3)(a)",
        "Article 12(3)(b)",
        "Article 12(3)(c)",
        "Article 12(3)(d)",
        "Article 19(1)",
        "Article 26(6)",
    ]
    assert all("at least six months" in framework.item(item_id).text for item_id in ("art-19-1", "art-26-6"))


@pytest.mark.parametrize("tier", TIERS)
def test_when_the_risk_tier_questions_are_read_then_some_question_leads_to_each_tier(tier: str) -> None:
    questions = load_framework("eu-ai-act").children("risk-tier")

    assert [item.id for item in questions if item.implies == tier]
    assert all(item.kind == "question" and (item.article or "").startswith("Article ") for item in questions)


@pytest.mark.parametrize("framework_id", IDS)
def test_when_a_shipped_file_is_checked_against_the_schema_then_it_is_valid(framework_id: str) -> None:
    schema = json.loads(DATA.joinpath("framework.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)

    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(file_text(framework_id)))


@pytest.mark.parametrize("framework_id", IDS)
def test_when_a_catalogue_is_loaded_then_it_cites_https_sources_and_says_how_it_may_be_used(framework_id: str) -> None:
    framework = load_framework(framework_id)

    assert framework.id == framework_id
    assert framework.sources and all(source.url.startswith("https://") and source.title for source in framework.sources)
    assert framework.licence_note
    assert framework.item_statuses == ("not-started", "met", "partially-met", "not-met", "not-applicable")


@pytest.mark.parametrize("framework_id", IDS)
def test_when_a_catalogue_is_loaded_then_ids_are_unique_and_every_parent_comes_first(framework_id: str) -> None:
    items = load_framework(framework_id).items
    position = {item.id: index for index, item in enumerate(items)}

    assert len(position) == len(items)
    assert all(position[item.parent] < position[item.id] for item in items if item.parent is not None)


def test_when_an_unknown_framework_is_asked_for_then_the_error_lists_the_known_ones_and_suggests_one() -> None:
    with pytest.raises(InventoryError) as raised:
        load_framework("nist-rmf")

    message = str(raised.value)
    assert all(framework_id in message for framework_id in IDS)
    assert "Did you mean 'nist-ai-rmf'?" in message
    assert raised.value.problems == {"framework": message}


@pytest.mark.parametrize(
    ("asked", "framework_id"),
    [
        ("nist", "nist-ai-rmf"),
        ("NIST-AI-RMF-1.0", "nist-ai-rmf"),
        ("ISO-42001", "iso-iec-42001"),
        ("iso42001", "iso-iec-42001"),
        ("EU-AI-Act-2024", "eu-ai-act"),
        ("EuAiAct", "eu-ai-act"),
        (" EU-AI-ACT ", "eu-ai-act"),
    ],
)
def test_when_an_alias_is_asked_for_then_the_same_cached_catalogue_comes_back(asked: str, framework_id: str) -> None:
    assert load_framework(asked) is load_framework(framework_id)


def test_when_an_unknown_item_is_asked_for_then_the_error_suggests_the_closest_id() -> None:
    framework = load_framework("nist-ai-rmf")

    with pytest.raises(InventoryError, match=r"no item 'GOVERN 1\.8'\. Did you mean 'GOVERN 1\.\d'\?"):
        framework.item("GOVERN 1.8")
    with pytest.raises(InventoryError, match="no item 'MAPP 9'"):
        framework.children("MAPP 9")


def test_when_a_catalogue_is_loaded_then_it_cannot_be_changed() -> None:
    framework = load_framework("eu-ai-act")

    with pytest.raises(dataclasses.FrozenInstanceError):
        framework.items[0].text = "changed"  # type: ignore[misc]
    assert framework.item("annex-iii-4").unless == ("art-6-3-derogation",)


@pytest.mark.parametrize(
    ("answers", "tier"),
    [
        ({}, None),
        ({"art-50-1": False, "art-6-1": False}, "minimal"),
        ({"art-50-1": True}, "limited"),
        ({"art-3-63": True, "art-50-2": True}, "gpai"),
        ({"art-3-63": True, "art-51-2": True}, "gpai-systemic"),
        ({"art-51-1-b": True, "art-6-1": True}, "high"),
        ({"annex-iii-4": True}, "high"),
        ({"annex-iii-4": True, "art-6-3-derogation": True}, "minimal"),
        ({"annex-iii-4": True, "art-6-3-derogation": True, "art-50-1": True}, "limited"),
        ({"annex-iii-4": True, "art-6-3-derogation": True, "art-6-3-profiling": True}, "high"),
        ({"annex-iii-4": True, "art-6-3-derogation": True, "art-6-3-profiling": False}, "minimal"),
        ({"art-6-1": True, "art-6-3-derogation": True}, "high"),
        ({"art-5-1-f": True, "art-6-1": True, "art-51-2": True, "art-50-1": True}, "prohibited"),
    ],
)
def test_when_risk_tier_questions_are_answered_then_the_highest_tier_reached_is_suggested(
    answers: dict[str, bool], tier: str | None
) -> None:
    assert suggest_risk_tier(answers) == tier


def test_when_an_answer_names_no_risk_tier_question_then_the_error_suggests_one() -> None:
    with pytest.raises(InventoryError, match="art-5-1-z is not a risk-tier question") as raised:
        suggest_risk_tier({"art-5-1-z": True})

    assert "did you mean 'art-5-1-" in raised.value.problems["art-5-1-z"]


BREAKAGES: list[tuple[str, Callable[[str], str], str, str]] = [
    (
        "a duplicate id",
        lambda text: text.replace("{id: annex-iv-2,", "{id: annex-iv-1,"),
        "items[30].id",
        "'annex-iv-1' is already the id of items[29]",
    ),
    (
        "a parent listed later",
        lambda text: text.replace('parent: art-12-3, reference: "Article 12(3)(a)"', "parent: art-12-3-d"),
        "items[45].parent",
        "'art-12-3-d' is not the id of an earlier item",
    ),
    (
        "an item that is its own parent",
        lambda text: text.replace("parent: annex-iv, title: Post-market", "parent: annex-iv-9, title: Post-market"),
        "items[37].parent",
        "'annex-iv-9' is not the id of an earlier item",
    ),
    (
        "a tier on a heading",
        lambda text: text.replace("{id: annex-iv-1, kind: heading,", "{id: annex-iv-1, kind: heading, implies: high,"),
        "items[29].implies",
        "is only allowed on question items",
    ),
    (
        "a question without its tier",
        lambda text: text.replace('implies: limited, article: "Article 50(1)"', 'article: "Article 50(1)"'),
        "items[20]",
        "'implies' is required",
    ),
    (
        "an unknown tier",
        lambda text: text.replace("implies: prohibited", "implies: banned", 1),
        "items[1].implies",
        "'banned' is not one of",
    ),
    (
        "a plain-http source",
        lambda text: text.replace('url: "https://eur-lex.europa.eu/eli/reg', 'url: "http://eur-lex.europa.eu/eli/reg'),
        "sources[0].url",
        "does not match",
    ),
    (
        "an unless naming an earlier question",
        lambda text: text.replace("unless: [art-6-3-profiling]", "unless: [annex-iii-1]"),
        "items[18].unless",
        "'annex-iii-1' is not the id of a later question",
    ),
    (
        "a date where text belongs",
        lambda text: text.replace('published: "2024-07-12"', "published: 2024-07-12"),
        "published",
        "is not of type 'string'",
    ),
    ("text that is not YAML", lambda text: text.replace("items:\n", "items: [\n"), "file", "is not valid YAML"),
]


@pytest.mark.parametrize(("breakage", "spoil", "where", "problem"), BREAKAGES, ids=[row[0] for row in BREAKAGES])
def test_when_a_copy_of_a_catalogue_is_broken_then_loading_it_names_the_file_and_the_problem(
    tmp_path: Path, breakage: str, spoil: Callable[[str], str], where: str, problem: str
) -> None:
    original = file_text("eu-ai-act")
    path = tmp_path / "eu-ai-act-copy.yaml"
    path.write_text(spoil(original), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != original, f"the test did not manage to introduce {breakage}"

    with pytest.raises(InventoryError) as raised:
        parse_framework(path.read_text(encoding="utf-8"), path.name)

    assert "eu-ai-act-copy.yaml is broken" in str(raised.value)
    assert problem in raised.value.problems[where]
    assert f"{where} {raised.value.problems[where]}" in str(raised.value)


def test_when_an_intact_copy_is_parsed_then_it_equals_the_shipped_catalogue() -> None:
    assert parse_framework(file_text("iso-iec-42001"), "copy.yaml") == load_framework("iso42001")
