"""Assessing a model against a framework catalogue: answers checked against the catalogue, status rules kept."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from aigov_core.errors import InventoryError
from aigov_core.inventory.records import Answer, Assessment, assessment_id_for
from jupyter_aigov.inventory.frameworks import Framework, load_framework
from jupyter_aigov.inventory.problems import field_problems, invalid
from jupyter_aigov.inventory.store import BOOKKEEPING, Inventory, changed_fields, now

FIELDS = frozenset(Assessment.model_fields) - BOOKKEEPING - {"schema_version", "kind", "id", "model_id", "decided_at"}
REVIEW_INTERVAL = timedelta(days=365)  # an approval without a next review date is due again after a year
DEFAULT_FRAMEWORK = "nist-ai-rmf"


def assess(
    inventory: Inventory, model_id: str, fields: Mapping[str, Any], user: str, today: date, **context: Any
) -> Assessment:
    """Create or update the assessment of a model against one framework; unchanged fields write nothing.

    Answers given replace those items' answers; other items keep theirs. Changing the answers of a decided
    (approved or rejected) assessment without deciding again puts it back to draft: a changed answer needs
    a new approval.
    """
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        listed = ", ".join(sorted(FIELDS))
        raise invalid("The assessment", {name: "is not an assessment field" for name in unknown}, f"Fields: {listed}.")
    framework = load_framework(str(fields.get("framework") or DEFAULT_FRAMEWORK))
    with inventory.locked():
        model = inventory.model(model_id)
        assessment_id = assessment_id_for(model.id, framework.id)
        earlier = inventory.find_assessment(assessment_id)
        merged: dict[str, Any] = earlier.model_dump() if earlier else {}
        for key in BOOKKEEPING | {"decided_at"}:
            merged.pop(key, None)
        given = {key: value for key, value in fields.items() if value is not None}
        answers = _merged_answers(merged.get("answers", {}), _answers(given.pop("answers", {}) or {}))
        merged.update(given)
        merged.update(
            id=assessment_id,
            model_id=model.id,
            framework=framework.id,
            framework_version=framework.version,
            answers=answers,
        )
        redecided = "status" in given
        if earlier and earlier.status in ("approved", "rejected") and not redecided and answers != _answers_of(earlier):
            merged["status"] = "draft"
        candidate = _validated(merged, framework, model.risk_tier, today)
        changes = changed_fields(earlier, candidate)
        if earlier is not None and not changes:
            return earlier
        stamp = now()
        decided = candidate.status in ("approved", "rejected")
        newly_decided = decided and (earlier is None or "status" in changes or "approver" in changes)
        stored = candidate.model_copy(
            update={
                "decided_at": (stamp if newly_decided else earlier.decided_at if earlier and decided else ""),
                "revision": (earlier.revision if earlier else 0) + 1,
                "created_by": earlier.created_by if earlier else user,
                "created_at": earlier.created_at if earlier else stamp,
                "updated_by": user,
                "updated_at": stamp,
            }
        )
        event = f"inventory.assessment.{candidate.status}" if "status" in changes else "inventory.assessment.updated"
        return inventory.write(stored, event, changes, user=user, model_id=model.id, status=stored.status, **context)


def _merged_answers(earlier: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Each answer given updates that item's answer field by field; answers are normalised for comparing."""
    merged = dict(earlier)
    for item_id, answer in given.items():
        base = merged.get(item_id)
        combined = {**base, **answer} if isinstance(base, Mapping) and isinstance(answer, Mapping) else answer
        try:
            merged[item_id] = Answer.model_validate(combined).model_dump()
        except ValidationError:
            merged[item_id] = combined  # reported with its field by the validation of the whole assessment
    return merged


def _answers_of(assessment: Assessment) -> dict[str, Any]:
    return {key: value.model_dump() for key, value in assessment.answers.items()}


def _answers(given: Any) -> dict[str, Any]:
    """Answers as {item id: answer}; a bare status string stands for {"status": ...}."""
    if not isinstance(given, Mapping):
        raise invalid("The assessment", {"answers": "must map catalogue item ids to answers"})
    out: dict[str, Any] = {}
    for item_id, answer in given.items():
        out[str(item_id)] = {"status": answer} if isinstance(answer, str) else answer
    return out


def _validated(merged: dict[str, Any], framework: Framework, risk_tier: str, today: date) -> Assessment:
    problems: dict[str, str] = {}
    answerable = {item.id for item in framework.answerable}
    for item_id, answer in merged["answers"].items():
        if item_id not in answerable:
            close = difflib.get_close_matches(item_id, sorted(answerable), n=1)
            also = f" (did you mean '{close[0]}'?)" if close else ""
            problems[f"answers.{item_id}"] = f"is not an item of {framework.id} to answer{also}"
        elif isinstance(answer, Mapping) and answer.get("status", "not-started") not in framework.item_statuses:
            problems[f"answers.{item_id}.status"] = "must be one of: " + ", ".join(framework.item_statuses)
    if merged.get("status") == "approved":
        if risk_tier == "prohibited":
            problems["status"] = "cannot be approved: the model's risk tier is prohibited (EU AI Act Art. 5)"
        review = merged.get("next_review")
        if review is None:
            merged["next_review"] = today + REVIEW_INTERVAL
        elif isinstance(review, date | str) and str(review) < today.isoformat():
            problems["next_review"] = f"is in the past ({review}); give a date after today to approve"
    try:
        candidate = Assessment.model_validate(merged)
    except ValidationError as exc:
        problems = {**field_problems(exc), **problems}
        candidate = None
    if problems or candidate is None:
        raise invalid(f"The assessment of '{merged['model_id']}' against {framework.id}", problems)
    return candidate


def assessment_summary(assessment: Assessment, today: date) -> str:
    """One line: framework, status, answered items, next review."""
    review = f", next review {assessment.next_review}" if assessment.next_review else ""
    overdue = " (overdue)" if assessment.next_review and assessment.next_review < today else ""
    try:
        total = len(load_framework(assessment.framework).answerable)
    except InventoryError:
        total = len(assessment.answers)
    return f"{assessment.framework}: {assessment.status}, {assessment.answered()}/{total} answered{review}{overdue}"
