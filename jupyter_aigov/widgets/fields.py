"""A labelled form field: its control, and the validation message shown beside it."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import ipywidgets as widgets

LABEL_WIDTH = "190px"
ERROR_STYLE = "color:#b3261e"


class FormField:
    """One labelled control with a message line; `.value` reads and writes the control in record form."""

    def __init__(
        self,
        name: str,
        label: str,
        control: widgets.ValueWidget,
        *,
        required: bool = False,
        help_text: str = "",
        to_record: Callable[[Any], Any] | None = None,
        from_record: Callable[[Any], Any] | None = None,
    ) -> None:
        self.name = name
        self.control = control
        self.required = required
        self._to_record = to_record or _blank_is_none
        self._from_record = from_record or (lambda value: value)
        marker = ' <span style="color:#b3261e" title="required">*</span>' if required else ""
        self.label = widgets.HTML(
            f"<b>{html.escape(label)}</b>{marker}", layout=widgets.Layout(width=LABEL_WIDTH, min_width=LABEL_WIDTH)
        )
        self.message = widgets.HTML("", layout=widgets.Layout(margin="0 0 0 8px"))
        self.help = widgets.HTML(f'<span style="color:#666">{html.escape(help_text)}</span>') if help_text else None
        column = [control, self.message] if self.help is None else [control, self.help, self.message]
        self.row = widgets.HBox([self.label, widgets.VBox(column, layout=widgets.Layout(flex="1"))])
        control.observe(lambda _change: self.clear(), names="value")  # an edited field's old message is stale

    @property
    def value(self) -> Any:
        """The control's value as the record wants it (None when left blank)."""
        return self._to_record(self.control.value)

    @value.setter
    def value(self, record_value: Any) -> None:
        self.control.value = self._from_record(record_value)

    def show_problem(self, message: str) -> None:
        """Show a validation message next to the control."""
        self.message.value = f'<span style="{ERROR_STYLE}">⚠ {html.escape(message, quote=False)}</span>'

    def clear(self) -> None:
        """Remove the validation message."""
        self.message.value = ""

    @property
    def problem(self) -> str:
        """The message shown, as plain text ("" when none)."""
        return (
            html.unescape(self.message.value.split("⚠ ", 1)[-1].removesuffix("</span>")) if self.message.value else ""
        )


def _blank_is_none(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def text(name: str, label: str, *, required: bool = False, placeholder: str = "", help_text: str = "") -> FormField:
    """A one-line text field."""
    control = widgets.Text(placeholder=placeholder, layout=widgets.Layout(width="100%"))
    return FormField(name, label, control, required=required, help_text=help_text, from_record=_none_is_blank)


def long_text(name: str, label: str, *, required: bool = False, placeholder: str = "", rows: int = 3) -> FormField:
    """A multi-line text field."""
    control = widgets.Textarea(placeholder=placeholder, rows=rows, layout=widgets.Layout(width="100%"))
    return FormField(name, label, control, required=required, from_record=_none_is_blank)


def choice(
    name: str, label: str, options: Sequence[tuple[str, str]], *, required: bool = False, blank: str | None = None
) -> FormField:
    """A dropdown of (label, value) options; `blank` adds a first option meaning "not chosen"."""
    choices: list[tuple[str, str | None]] = [(blank, None)] if blank is not None else []
    choices.extend(options)
    control = widgets.Dropdown(options=choices, layout=widgets.Layout(width="100%"))
    return FormField(name, label, control, required=required)


def suggestions(
    name: str, label: str, options: Sequence[str], *, required: bool = False, help_text: str = ""
) -> FormField:
    """A text field offering known values (a provider name) while accepting others."""
    control = widgets.Combobox(options=list(options), ensure_option=False, layout=widgets.Layout(width="100%"))
    return FormField(name, label, control, required=required, help_text=help_text, from_record=_none_is_blank)


def tags(name: str, label: str, *, help_text: str = "", allowed: Sequence[str] = ()) -> FormField:
    """A list of short values (aliases, use cases), typed one at a time."""
    control = widgets.TagsInput(value=[], allowed_tags=list(allowed), allow_duplicates=False)
    return FormField(
        name,
        label,
        control,
        help_text=help_text,
        to_record=lambda value: list(value),
        from_record=lambda v: list(v or []),
    )


def lines(name: str, label: str, *, placeholder: str = "", help_text: str = "") -> FormField:
    """A list typed one item per line (links as "Title https://...")."""
    control = widgets.Textarea(placeholder=placeholder, rows=2, layout=widgets.Layout(width="100%"))
    return FormField(
        name,
        label,
        control,
        help_text=help_text,
        to_record=lambda value: [line.strip() for line in value.splitlines() if line.strip()],
        from_record=_lines_from_links,
    )


def day(name: str, label: str, *, help_text: str = "") -> FormField:
    """A date picker."""
    control = widgets.DatePicker(value=None)
    return FormField(name, label, control, help_text=help_text, from_record=_date_or_none)


def _none_is_blank(value: Any) -> str:
    return "" if value is None else str(value)


def _date_or_none(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _lines_from_links(value: Any) -> str:
    """Links as stored ({url, title}) back to one "Title url" per line."""
    rendered = []
    for item in value or []:
        if isinstance(item, dict):
            rendered.append(f"{item.get('title', '')} {item['url']}".strip())
        else:
            title, url = getattr(item, "title", ""), getattr(item, "url", str(item))
            rendered.append(f"{title} {url}".strip())
    return "\n".join(rendered)


def field_for_problem(fields: dict[str, FormField], problem_key: str) -> FormField | None:
    """The field a validation problem belongs to: "links.0.url" -> links, "model_card.overview" -> overview."""
    parts = problem_key.split(".")
    for depth in range(len(parts), 0, -1):
        for candidate in (".".join(parts[:depth]), parts[depth - 1]):
            if candidate in fields:
                return fields[candidate]
    return None


def place_problems(problems: dict[str, str], locate: Callable[[str], FormField | None], refused: str) -> str:
    """Show each problem beside its field; the summary line names those that belong to no field."""
    unplaced = []
    for key, message in problems.items():
        field = locate(key)
        if field is None:
            unplaced.append(f"{key} {message}")
        else:
            field.show_problem(message)
    return " ".join([f"{refused}: fix the fields marked below.", *(["; ".join(unplaced)] if unplaced else [])])
