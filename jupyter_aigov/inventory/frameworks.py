"""Framework catalogues (NIST AI RMF, ISO/IEC 42001 Annex A, EU AI Act) read from the package's data files."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

from aigov_core.errors import InventoryError

TIERS: tuple[str, ...] = ("prohibited", "high", "gpai-systemic", "gpai", "limited", "minimal")  # highest first
RISK_TIER_FRAMEWORK = "eu-ai-act"
ALIASES: dict[str, str] = {
    "nist": "nist-ai-rmf",
    "nist-ai-rmf-1.0": "nist-ai-rmf",
    "iso-42001": "iso-iec-42001",
    "iso42001": "iso-iec-42001",
    "eu-ai-act-2024": "eu-ai-act",
    "euaiact": "eu-ai-act",
}
_DATA = "data"
_SCHEMA = "framework.schema.json"


@dataclass(frozen=True)
class Source:
    """Where a catalogue's content comes from."""

    title: str
    url: str
    locator: str = ""


@dataclass(frozen=True)
class FrameworkItem:
    """One entry of a catalogue: a function, category, control, question, heading or requirement."""

    id: str
    kind: str
    title: str
    text: str
    parent: str | None = None
    paraphrase: bool = False
    reference: str | None = None
    implies: str | None = None
    article: str | None = None
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class Framework:
    """A catalogue an assessment answers: its provenance and its items in document order."""

    id: str
    title: str
    version: str
    published: str
    sources: tuple[Source, ...]
    licence_note: str
    item_statuses: tuple[str, ...]
    items: tuple[FrameworkItem, ...]

    @property
    def answerable(self) -> tuple[FrameworkItem, ...]:
        """The leaves (items no other item names as parent), in document order."""
        parents = {item.parent for item in self.items}
        return tuple(item for item in self.items if item.id not in parents)

    def item(self, item_id: str) -> FrameworkItem:
        """The item with this id; InventoryError (suggesting the closest id) when there is none."""
        for item in self.items:
            if item.id == item_id:
                return item
        ids = [item.id for item in self.items]
        close = difflib.get_close_matches(item_id, ids, n=1)
        also = f" Did you mean '{close[0]}'?" if close else ""
        message = f"{self.id} has no item '{item_id}'.{also}"
        raise InventoryError(message, {"item": message})

    def children(self, item_id: str) -> tuple[FrameworkItem, ...]:
        """The items whose parent is this item, in document order."""
        self.item(item_id)
        return tuple(item for item in self.items if item.parent == item_id)

    def groups(self) -> tuple[FrameworkItem, ...]:
        """The top-level items: functions, control areas or groups."""
        return tuple(item for item in self.items if item.parent is None)


@cache
def framework_ids() -> tuple[str, ...]:
    """The ids of the shipped catalogues, sorted."""
    folder = resources.files(__package__).joinpath(_DATA)
    return tuple(sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml")))


def load_framework(framework_id: str) -> Framework:
    """The catalogue with this id or alias (case-insensitive); InventoryError naming the known ids otherwise."""
    key = framework_id.strip().lower()
    known = framework_ids()
    canonical = ALIASES.get(key, key)
    if canonical not in known:
        close = difflib.get_close_matches(key, [*known, *ALIASES], n=1)
        also = f" Did you mean '{ALIASES.get(close[0], close[0])}'?" if close else ""
        message = f"Unknown framework '{framework_id}'. Known frameworks: {', '.join(known)}.{also}"
        raise InventoryError(message, {"framework": message})
    return _load(canonical)


def suggest_risk_tier(answers: Mapping[str, bool]) -> str | None:
    """The EU AI Act tier the yes/no answers to its risk-tier questions suggest; None when none is answered.

    The highest tier a counting yes implies wins (prohibited > high > gpai-systemic > gpai > limited > minimal),
    minimal when no yes counts. A yes does not count when a yes to a question in its `unless` list counts.
    """
    framework = load_framework(RISK_TIER_FRAMEWORK)
    questions = [item for item in framework.items if item.kind == "question"]
    ids = [question.id for question in questions]
    unknown = [key for key in answers if key not in ids]
    if unknown:
        problems = {}
        for key in unknown:
            close = difflib.get_close_matches(key, ids, n=1)
            problems[key] = "is not a risk-tier question" + (f" (did you mean '{close[0]}'?)" if close else "")
        listed = "; ".join(f"{key} {message}" for key, message in problems.items())
        raise InventoryError(f"Cannot suggest a risk tier: {listed}.", problems)
    if not answers:
        return None
    counts: dict[str, bool] = {}
    for question in reversed(questions):  # `unless` names later questions, so theirs are already known
        counts[question.id] = bool(answers.get(question.id)) and not any(counts[other] for other in question.unless)
    reached = {question.implies for question in questions if counts[question.id]}
    return next((tier for tier in TIERS if tier in reached), "minimal")


def parse_framework(text: str, name: str) -> Framework:
    """A catalogue from YAML text; InventoryError naming the file (`name`) and every problem when it is broken."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise _broken(name, {"file": f"is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}"}) from exc
    validator = jsonschema.Draft202012Validator(_schema())
    problems: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda error: list(map(str, error.absolute_path))):
        problems.setdefault(_location(error.absolute_path), _describe(error))
    if problems:
        raise _broken(name, problems)
    problems = _structure_problems(data["items"])
    if problems:
        raise _broken(name, problems)
    return Framework(
        id=data["id"],
        title=data["title"],
        version=data["version"],
        published=data["published"],
        sources=tuple(Source(**source) for source in data["sources"]),
        licence_note=data["licence_note"],
        item_statuses=tuple(data["item_statuses"]),
        items=tuple(_item(raw) for raw in data["items"]),
    )


@cache
def _load(framework_id: str) -> Framework:
    name = f"{framework_id}.yaml"
    text = resources.files(__package__).joinpath(_DATA, name).read_text(encoding="utf-8")
    framework = parse_framework(text, name)
    if framework.id != framework_id:
        raise _broken(name, {"id": f"is '{framework.id}' but must match the file name, '{framework_id}'"})
    return framework


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(resources.files(__package__).joinpath(_DATA, _SCHEMA).read_text("utf-8"))
    return schema


def _item(raw: Mapping[str, Any]) -> FrameworkItem:
    return FrameworkItem(
        id=raw["id"],
        kind=raw["kind"],
        title=raw.get("title", ""),
        text=raw["text"],
        parent=raw.get("parent"),
        paraphrase=raw.get("paraphrase", False),
        reference=raw.get("reference"),
        implies=raw.get("implies"),
        article=raw.get("article"),
        unless=tuple(raw.get("unless", ())),
    )


def _structure_problems(items: list[dict[str, Any]]) -> dict[str, str]:
    """What the schema cannot say: unique ids, parents listed earlier, `unless` naming later questions."""
    problems: dict[str, str] = {}
    position: dict[str, int] = {}
    for index, item in enumerate(items):
        where = f"items[{index}]"
        parent = item.get("parent")
        if parent is not None and parent not in position:
            problems[f"{where}.parent"] = f"'{parent}' is not the id of an earlier item"
        if item["id"] in position:
            problems[f"{where}.id"] = f"'{item['id']}' is already the id of items[{position[item['id']]}]"
        position.setdefault(item["id"], index)
    for index, item in enumerate(items):
        for other in item.get("unless", ()):
            later = position.get(other, -1) > index
            if not later or items[position[other]]["kind"] != "question":
                problems[f"items[{index}].unless"] = f"'{other}' is not the id of a later question"
    return problems


def _location(path: Any) -> str:
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")
    return text or "file"


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return error.message.replace(" is a required property", " is required")
    if error.validator == "not":  # the schema's only `not`: a question-only field on another kind of item
        return "is only allowed on question items"
    return error.message


def _broken(name: str, problems: dict[str, str]) -> InventoryError:
    listed = "; ".join(f"{where} {message}" for where, message in problems.items())
    return InventoryError(f"The framework catalogue {name} is broken: {listed}.", problems)
