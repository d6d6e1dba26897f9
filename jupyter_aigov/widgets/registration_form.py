"""`aigov.register_model()` with no arguments: the registration form."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from aigov_core.errors import InventoryError
from aigov_core.inventory.records import (
    DATA_CATEGORIES,
    OPERATOR_ROLES,
    RISK_TIER_LABELS,
    RISK_TIERS,
    ModelCard,
    ModelRegistration,
)
from jupyter_aigov.inventory.store import Inventory
from jupyter_aigov.providers import get_catalogue
from jupyter_aigov.widgets.fields import (
    FormField,
    choice,
    field_for_problem,
    lines,
    long_text,
    place_problems,
    suggestions,
    tags,
    text,
)
from jupyter_aigov.widgets.messages import error_html, success_html

CARD_LABELS = {
    "overview": "Overview",
    "developed_by": "Developed by",
    "model_type": "Model type",
    "languages": "Languages",
    "license": "Licence",
    "base_model": "Base model",
    "training_data": "Training data",
    "evaluation_data": "Evaluation data",
    "performance_metrics": "Performance metrics",
    "out_of_scope_uses": "Out-of-scope uses",
    "ethical_considerations": "Ethical considerations",
    "tradeoffs": "Trade-offs",
    "recommendations": "Recommendations",
}


def provider_names() -> list[str]:
    """Provider names calls are recorded under: the catalogue's, and "<api>-compatible" for other hosts."""
    catalogue = get_catalogue()
    return [*catalogue.providers, *(f"{api}-compatible" for api in catalogue.apis)]


class RegistrationForm:
    """Labelled fields, a submit button that writes the registration, messages beside wrong fields.

    `fields` maps registration field names to `FormField`s; `submit()` (or a click) stores and returns the record.
    """

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.last_record: ModelRegistration | None = None
        self.fields: dict[str, FormField] = {
            "name": text("name", "Name", required=True, placeholder="gpt-4o-mini"),
            "version": text("version", "Version", placeholder="2024-07-18"),
            "provider": suggestions(
                "provider", "Provider", provider_names(), required=True, help_text="As calls are recorded: openai, ..."
            ),
            "model_ids": tags("model_ids", "Model ids", help_text="What calls name it; the name when left empty."),
            "aliases": tags("aliases", "Aliases", help_text="Other names, e.g. a deployment: azure-openai/prod-mini"),
            "id": text("id", "Registration id", placeholder="made from provider, name and version"),
            "owner": text("owner", "Owner", required=True, placeholder="team or person accountable"),
            "intended_purpose": long_text("intended_purpose", "Intended purpose", required=True),
            "use_cases": tags("use_cases", "Use cases", help_text="Empty: any use case."),
            "risk_tier": choice(
                "risk_tier",
                "EU AI Act risk tier",
                [(RISK_TIER_LABELS[tier], tier) for tier in RISK_TIERS],
                required=True,
                blank="— choose —",
            ),
            "operator_role": choice(
                "operator_role", "Operator role", [(role.replace("-", " "), role) for role in OPERATOR_ROLES]
            ),
            "data_categories": tags(
                "data_categories", "Data categories", help_text="e.g. " + ", ".join(DATA_CATEGORIES[:6])
            ),
            "limitations": long_text("limitations", "Limitations"),
            "links": lines("links", "Links", placeholder="Model card https://...", help_text="One per line."),
        }
        self.card_fields: dict[str, FormField] = {
            name: (
                tags(name, label)
                if name == "languages"
                else long_text(name, label, rows=2)
                if name != "license"
                else text(name, label)
            )
            for name, label in CARD_LABELS.items()
        }
        existing = [(f"{m.id} — {m.name} ({m.provider})", m.id) for m in inventory.models()]
        self.start_from = widgets.Dropdown(
            options=[("— a new model —", None), *existing], description="Edit", layout=widgets.Layout(width="60%")
        )
        self.start_from.observe(lambda change: self.load(change["new"]), names="value")
        self.submit_button = widgets.Button(description="Register model", button_style="primary", icon="check")
        self.submit_button.on_click(lambda _button: self.submit())
        self.status = widgets.HTML("")
        card = widgets.Accordion(children=[widgets.VBox([f.row for f in self.card_fields.values()])])
        card.set_title(0, "Model card")
        card.selected_index = None
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    f"<h3>Register an AI model</h3><p>Stored in <code>{html.escape(str(inventory.root))}</code>; "
                    "every change is recorded with who made it.</p>"
                ),
                self.start_from,
                *(f.row for f in self.fields.values()),
                card,
                widgets.HBox([self.submit_button]),
                self.status,
            ],
            layout=widgets.Layout(max_width="900px"),
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def values(self) -> dict[str, Any]:
        """The fields as `register_model` takes them: the whole record, so a field emptied here is emptied."""
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            value = field.value
            if value is None and name in ("id", "risk_tier", "operator_role"):
                continue  # made from other fields, or reported as missing
            values[name] = "" if value is None else value
        values["model_card"] = {
            name: "" if field.value is None else field.value for name, field in self.card_fields.items()
        }
        return values

    def load(self, model_id: str | None) -> None:
        """Fill the form from a registration (None: empty it)."""
        document = self.inventory.model(model_id) if model_id else None
        for name, field in self.fields.items():
            field.value = getattr(document, name) if document else None
        card = document.model_card if document else ModelCard()
        for name, field in self.card_fields.items():
            field.value = getattr(card, name)
        self.status.value = ""

    def submit(self) -> ModelRegistration | None:
        """Write the registration; on invalid input show each problem beside its field and write nothing."""
        from jupyter_aigov.inventory.api import store_registration

        for field in (*self.fields.values(), *self.card_fields.values()):
            field.clear()
        try:
            record = store_registration(self.inventory, self.values())
        except InventoryError as problem:
            self._show_problems(problem)
            return None
        self.last_record = record
        self.status.value = success_html(
            f"Registered '{record.id}' (revision {record.revision}) in {self.inventory.root}. "
            f"Next: assess it with aigov.assess('{record.id}')."
        )
        if record.id not in {value for _, value in self.start_from.options}:
            self.start_from.options = [*self.start_from.options, (f"{record.id} — {record.name}", record.id)]
        return record

    def _show_problems(self, problem: InventoryError) -> None:
        everything = {**self.fields, **self.card_fields}
        if problem.problems:
            summary = place_problems(problem.problems, lambda key: field_for_problem(everything, key), "Not registered")
        else:
            summary = str(problem)
        self.status.value = error_html(summary)
