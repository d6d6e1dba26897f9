"""`aigov.assess(model_id)` with no fields: the assessment form, one section per group of catalogue items.

A catalogue has up to a hundred items; a section's widgets are built when it is first opened, and only the
answers that differ from the stored ones are sent, so an untouched item never changes the assessment.
"""

from __future__ import annotations

import html
import os
from typing import Any

import ipywidgets as widgets

from aigov_core.errors import InventoryError
from aigov_core.inventory.records import ASSESSMENT_STATUSES, Answer, Assessment, assessment_id_for
from jupyter_aigov.context import acting_user
from jupyter_aigov.inventory.assessment import DEFAULT_FRAMEWORK
from jupyter_aigov.inventory.frameworks import Framework, FrameworkItem, framework_ids, load_framework
from jupyter_aigov.inventory.store import Inventory
from jupyter_aigov.widgets.fields import FormField, choice, day, lines, long_text, place_problems, text
from jupyter_aigov.widgets.messages import error_html, success_html

BLANK = Answer().model_dump(mode="json")


class ItemAnswer:
    """The controls answering one catalogue item."""

    def __init__(self, item: FrameworkItem, statuses: tuple[str, ...]) -> None:
        self.item = item
        heading = f"<b>{html.escape(item.id)}</b> {html.escape(item.title or '')}"
        detail = f'<div style="color:#444">{html.escape(item.text)}</div>' if item.text else ""
        self.status = choice(f"{item.id}.status", "Status", [(s.replace("-", " "), s) for s in statuses])
        self.answer = long_text(f"{item.id}.answer", "Answer", rows=2)
        self.remarks = text(f"{item.id}.remarks", "Remarks")
        self.evidence = lines(f"{item.id}.evidence", "Evidence links", placeholder="Test report https://...")
        self.parts = {"status": self.status, "answer": self.answer, "remarks": self.remarks, "evidence": self.evidence}
        self.widget = widgets.VBox(
            [widgets.HTML(heading + detail), *(part.row for part in self.parts.values())],
            layout=widgets.Layout(border="1px solid #ddd", padding="6px", margin="4px 0"),
        )

    def load(self, stored: dict[str, Any]) -> None:
        """Show a stored answer."""
        for name, field in self.parts.items():
            field.value = stored.get(name, BLANK[name])

    def value(self) -> dict[str, Any]:
        """The answer as the record holds it."""
        answer = {name: field.value for name, field in self.parts.items()}
        return {name: BLANK[name] if answer[name] is None else answer[name] for name in BLANK}


class AssessmentForm:
    """Model, framework, assessor, approver, status, next review, and an answer per catalogue item."""

    def __init__(self, inventory: Inventory, model_id: str | None = None, framework: str | None = None) -> None:
        self.inventory = inventory
        self.last_record: Assessment | None = None
        models = inventory.models()
        if model_id is not None:
            inventory.model(model_id)  # an unknown id is an error now, naming the close ones
        self.model = widgets.Dropdown(
            options=[(f"{m.id} — {m.name} ({m.provider}, {m.risk_tier})", m.id) for m in models],
            value=model_id or (models[0].id if models else None),
            description="Model",
            layout=widgets.Layout(width="70%"),
        )
        catalogues = [load_framework(name) for name in framework_ids()]
        self.framework = widgets.Dropdown(
            options=[(f"{c.title} {c.version}", c.id) for c in catalogues],
            value=load_framework(framework or DEFAULT_FRAMEWORK).id,
            description="Framework",
            layout=widgets.Layout(width="70%"),
        )
        self.fields: dict[str, FormField] = {
            "assessor": text("assessor", "Assessor", required=True),
            "approver": text("approver", "Approver", help_text="Needed to approve or reject; not the assessor."),
            "status": choice("status", "Status", [(s, s) for s in ASSESSMENT_STATUSES]),
            "next_review": day("next_review", "Next review", help_text="Default on approval: in a year."),
            "summary": long_text("summary", "Summary"),
        }
        self.items: dict[str, ItemAnswer] = {}
        self.sections = widgets.Accordion()
        self.sections.observe(lambda change: self.open_section(change["new"]), names="selected_index")
        self.progress = widgets.HTML("")
        self.submit_button = widgets.Button(description="Save assessment", button_style="primary", icon="check")
        self.submit_button.on_click(lambda _button: self.submit())
        self.status = widgets.HTML("" if models else error_html("No models registered yet: aigov.register_model()."))
        self._stored: dict[str, Any] = {}
        self._groups: list[tuple[FrameworkItem, list[FrameworkItem]]] = []
        self.model.observe(lambda _change: self.reload(), names="value")
        self.framework.observe(lambda _change: self.reload(), names="value")
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<h3>Assess an AI model</h3><p>Answer the catalogue's items; an approver other than the "
                    "assessor approves. Saved answers can be completed later.</p>"
                ),
                self.model,
                self.framework,
                *(field.row for field in self.fields.values()),
                self.progress,
                self.sections,
                widgets.HBox([self.submit_button]),
                self.status,
            ],
            layout=widgets.Layout(max_width="960px"),
        )
        self.reload()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    @property
    def catalogue(self) -> Framework:
        return load_framework(self.framework.value)

    def reload(self) -> None:
        """Show the stored assessment of the chosen model and framework (or a fresh one)."""
        catalogue = self.catalogue
        stored = None
        if self.model.value:
            stored = self.inventory.find_assessment(assessment_id_for(self.model.value, catalogue.id))
        self._stored = stored.model_dump(mode="json") if stored else {}
        self.fields["assessor"].value = stored.assessor if stored else acting_user_name()
        self.fields["approver"].value = stored.approver if stored else None
        self.fields["status"].value = stored.status if stored else "draft"
        self.fields["next_review"].value = stored.next_review if stored else None
        self.fields["summary"].value = stored.summary if stored else None
        self.items = {}
        self._groups = _grouped(catalogue)
        self.sections.selected_index = None
        self.sections.children = [widgets.VBox([]) for _ in self._groups]
        for index, (group, members) in enumerate(self._groups):
            self.sections.set_title(index, f"{group.id} {group.title or ''} ({len(members)})".strip())
        self._show_progress()

    def open_section(self, index: int | None) -> None:
        """Build a section's answer controls the first time it is opened."""
        if index is None or index >= len(self._groups):
            return
        box = self.sections.children[index]
        if box.children:
            return
        answers = self._stored.get("answers", {})
        built = []
        for item in self._groups[index][1]:
            control = ItemAnswer(item, self.catalogue.item_statuses)
            control.load(answers.get(item.id, BLANK))
            self.items[item.id] = control
            built.append(control.widget)
        box.children = built

    def answer(self, item_id: str) -> ItemAnswer:
        """The controls of one item, building its section if needed."""
        for index, (_group, members) in enumerate(self._groups):
            if any(item.id == item_id for item in members):
                self.open_section(index)
                return self.items[item_id]
        raise InventoryError(f"{item_id!r} is not an item of {self.catalogue.id} to answer.")

    def changed_answers(self) -> dict[str, Any]:
        """Answers that differ from the stored ones."""
        stored = self._stored.get("answers", {})
        return {
            item_id: control.value()
            for item_id, control in self.items.items()
            if control.value() != stored.get(item_id, BLANK)
        }

    def submit(self) -> Assessment | None:
        """Write the assessment; on invalid input show each problem beside its field and write nothing."""
        from jupyter_aigov.inventory.api import store_assessment

        for field in self.fields.values():
            field.clear()
        for control in self.items.values():
            for part in control.parts.values():
                part.clear()
        if not self.model.value:
            self.status.value = error_html("No models registered yet: aigov.register_model().")
            return None
        fields: dict[str, Any] = {"framework": self.framework.value, "answers": self.changed_answers()}
        for name, field in self.fields.items():
            fields[name] = field.value
        fields["approver"] = fields["approver"] or ""
        fields["summary"] = fields["summary"] or ""
        if self._stored and fields["status"] == self._stored.get("status"):
            del fields["status"]  # not decided again here: changed answers put a decided assessment back to draft
        try:
            record = store_assessment(self.inventory, self.model.value, fields)
        except InventoryError as problem:
            self._show_problems(problem)
            return None
        self.last_record = record
        self._stored = record.model_dump(mode="json")
        self.fields["status"].value = record.status
        self.fields["next_review"].value = record.next_review
        self.status.value = success_html(
            f"Saved the {record.framework} assessment of '{record.model_id}': {record.status} "
            f"(revision {record.revision})" + (f", next review {record.next_review}." if record.next_review else ".")
        )
        self._show_progress()
        return record

    def _show_progress(self) -> None:
        total = len(self.catalogue.answerable)
        answered = sum(1 for a in self._stored.get("answers", {}).values() if a.get("status") != "not-started")
        state = self._stored.get("status", "not started")
        self.progress.value = f"<p><b>{answered}/{total}</b> items answered · status <b>{html.escape(state)}</b></p>"

    def _show_problems(self, problem: InventoryError) -> None:
        summary = place_problems(problem.problems, self._field_for, "Not saved") if problem.problems else str(problem)
        self.status.value = error_html(summary)

    def _field_for(self, key: str) -> FormField | None:
        if key in self.fields:
            return self.fields[key]
        if key.startswith("answers."):
            rest = key.removeprefix("answers.")
            for item_id, control in self.items.items():  # item ids contain dots: match the longest prefix
                if rest == item_id:
                    return control.status
                if rest.startswith(item_id + "."):
                    part = rest.removeprefix(item_id + ".").split(".")[0]
                    return control.parts.get(part, control.status)
        return None


def acting_user_name() -> str:
    """Who fills in the form, as the evidence names them."""
    return acting_user(os.environ)


def _grouped(catalogue: Framework) -> list[tuple[FrameworkItem, list[FrameworkItem]]]:
    """Answerable items under their top-level group (a NIST function, an ISO area, an EU AI Act part)."""
    groups = {group.id: (group, list[FrameworkItem]()) for group in catalogue.groups()}
    parents = {item.id: item.parent for item in catalogue.items}
    for item in catalogue.answerable:
        top = item.id
        while parents.get(top):
            top = parents[top] or top
        groups.setdefault(top, (item, []))[1].append(item)
    return [entry for entry in groups.values() if entry[1]]
