"""`require_registered_model`: is the model of a call registered, and approved by an assessment in force?

Read on every AI call when the policy asks for it, so the inventory is indexed once and read again only
when it changed (its change log grew or a document was renamed into place).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date

from aigov_core.inventory.records import Assessment, ModelRegistration
from jupyter_aigov.inventory.store import Inventory
from jupyter_aigov.verdict import Verdict


@dataclass(frozen=True)
class _Index:
    by_name: dict[tuple[str, str], ModelRegistration]  # (provider, name casefolded) -> registration
    assessments: dict[str, list[Assessment]]  # model id -> its assessments


class RegistrationCheck:
    """Answers "may this model be called?" from the inventory at `inventory.root`."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self._lock = threading.Lock()
        self._key: tuple[int, int, int] | None = None
        self._index = _Index({}, {})

    def verdict(self, provider: str, model: str | None, use_case: str | None, today: date) -> Verdict:
        """Registered under this provider and name, for this use case, with an approved assessment in force."""
        root = self.inventory.root
        if model is None:
            return Verdict.block(
                "inventory.unregistered",
                f"The model of this call could not be read, so it cannot be matched to a registration in {root}.",
                "name the model explicitly in the request.",
            )
        index = self._current()
        registration = index.by_name.get((provider, model.casefold())) or index.by_name.get(
            ("*", f"{provider}/{model}".casefold())
        )
        if registration is None:
            return Verdict.block(
                "inventory.unregistered",
                f"Model '{model}' ({provider}) is not registered in the inventory ({root}).",
                f"register it with the form aigov.register_model(), or aigov.register_model(name='{model}', "
                f"provider='{provider}', owner=..., intended_purpose=..., risk_tier=...); then assess it "
                "with aigov.assess(model_id) and have it approved.",
            )
        named = f"Model '{model}' ({provider}), registered as '{registration.id}',"
        if registration.risk_tier == "prohibited":
            return Verdict.block(
                "inventory.prohibited",
                f"{named} is in the prohibited risk tier (EU AI Act Article 5) and may not be used.",
                "use another model; a prohibited practice cannot be approved.",
            )
        if use_case and registration.use_cases and use_case not in registration.use_cases:
            listed = ", ".join(registration.use_cases)
            return Verdict.block(
                "inventory.use_case",
                f"{named} is registered for the use cases {listed}, not '{use_case}'.",
                f"add '{use_case}' to its use_cases with aigov.register_model(id='{registration.id}', "
                f"use_cases=[...]) and have the change assessed, or declare one of: {listed}.",
            )
        assessments = index.assessments.get(registration.id, [])
        in_force = [item for item in assessments if item.in_force(today)]
        if in_force:
            frameworks = ", ".join(sorted(item.framework for item in in_force))
            return Verdict.allow("inventory.approved", f"{named} has an approved assessment in force ({frameworks}).")
        overdue = [item for item in assessments if item.status == "approved"]
        if overdue:
            item = overdue[0]
            return Verdict.block(
                "inventory.review_overdue",
                f"{named} was approved under {item.framework}, but its review was due on {item.next_review}.",
                f"review it: aigov.assess('{registration.id}', framework='{item.framework}') with a new "
                "next_review, approved again by an approver.",
            )
        states = ", ".join(f"{item.framework}: {item.status}" for item in assessments) or "none yet"
        return Verdict.block(
            "inventory.unapproved",
            f"{named} has no approved assessment (assessments: {states}).",
            f"fill in the assessment form aigov.assess('{registration.id}') and have an approver set its "
            "status to approved.",
        )

    def _current(self) -> _Index:
        key = self.inventory.version_key()
        if key == self._key:
            return self._index
        with self._lock:
            key = self.inventory.version_key()  # read before the documents: a later change re-indexes
            if key != self._key:
                self._index = _build(self.inventory)
                self._key = key
        return self._index


def _build(inventory: Inventory) -> _Index:
    by_name: dict[tuple[str, str], ModelRegistration] = {}
    for registration in inventory.models():
        for name in registration.names():
            by_name[(registration.provider, name.casefold())] = registration
            if "/" in name:  # "azure-openai/prod-mini": the provider named in the alias itself
                by_name.setdefault(("*", name.casefold()), registration)
    assessments: dict[str, list[Assessment]] = {}
    for assessment in inventory.assessments():
        assessments.setdefault(assessment.model_id, []).append(assessment)
    return _Index(by_name, assessments)
