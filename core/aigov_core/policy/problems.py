"""Mistakes in a policy file, each with its line, and the sentences that explain them."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

    from aigov_core.policy.yaml_source import YamlDocument

# Sentences for the name patterns of document.py, which pydantic would only quote as regexes.
_PATTERNS = {
    r"^[A-Z][A-Z0-9_]*$": "must be upper case letters, digits and _ (a presidio entity type, e.g. PERSON)",
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$": "must start with a letter or digit, then letters, digits, '.', '_', '-'",
    r"^[A-Za-z_][A-Za-z0-9_]*$": "must be an environment variable name (letters, digits and _)",
    r"^\S+$": "must be one word without spaces (context words are compared with the text one word at a time)",
}


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One mistake in a policy file: 1-based line and column (0 when it concerns the whole file)."""

    line: int
    column: int
    path: str  # dotted key path, e.g. "tools.arguments[0].deny_pattern"; "" for the file itself
    message: str

    def as_text(self, source: str) -> str:
        """The problem as `FILE:LINE: path: message`, the form editors and CI logs link."""
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def dotted_path(path: tuple[Any, ...]) -> str:
    """("tools", "arguments", 0, "path") -> "tools.arguments[0].path"."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe(problems: list[PolicyProblem], source: str) -> str:
    """The PolicyError message: every problem on its own line, then how to check again."""
    count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
    lines = "\n".join(p.as_text(source) for p in problems)
    return (
        f"The policy {source} is not valid ({count}); aigov will not run with it:\n{lines}\n"
        f"Fix the policy and check it with `aigov policy check {source}`."
    )


def _shown(value: Any) -> str:
    """How a YAML value is named in a sentence."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_at(schema: Mapping[str, Any], path: tuple[Any, ...]) -> Mapping[str, Any] | None:
    """The JSON Schema of the value at `path`, following $ref, nullable anyOf, properties and items."""
    defs = schema.get("$defs", {})
    node: Mapping[str, Any] | None = schema
    for part in (*path, None):
        while node is not None:
            if "$ref" in node:
                node = defs.get(node["$ref"].rsplit("/", 1)[-1])
            elif "anyOf" in node:
                node = next((s for s in node["anyOf"] if s.get("type") != "null"), None)
            else:
                break
        if node is None or part is None:
            return node
        if isinstance(part, int):
            node = node.get("items")
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        elif node.get("patternProperties"):
            node = next(iter(node["patternProperties"].values()))
        else:
            node = node.get("additionalProperties") if isinstance(node.get("additionalProperties"), dict) else None
    return node


def _keys(schema: Mapping[str, Any], path: tuple[Any, ...]) -> list[str]:
    at = _schema_at(schema, path)
    return list(at.get("properties", {})) if at else []


def _message(error: ErrorDetails, path: tuple[Any, ...], on_key: bool, schema: Mapping[str, Any]) -> str:
    """One sentence: what is wrong, and what is allowed."""
    text = _what_is_wrong(error, path, on_key, schema)
    if isinstance(error.get("input"), bool) and error["type"] != "bool_type":
        text += " (YAML reads yes/no/on/off as true/false; put the word in quotes)"
    return text


def _what_is_wrong(error: ErrorDetails, path: tuple[Any, ...], on_key: bool, schema: Mapping[str, Any]) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx", {})
    if kind == "extra_forbidden":
        allowed = _keys(schema, path[:-1])
        text = f"unknown key; allowed keys are {', '.join(allowed)}"
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1)
        return text + (f" (did you mean '{close[0]}'?)" if close else "")
    if kind == "missing":
        at = _schema_at(schema, path)
        about = f"; {at['description'].rstrip('.')}" if at and at.get("description") else ""
        return f"required key missing{about}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        return f"{_shown(value)} is not allowed; use one of {expected}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        keys = _keys(schema, path)
        return f"must be a mapping{' of ' + ', '.join(keys) if keys else ''}, got {_shown(value)}"
    if kind == "list_type":
        return f"must be a list (e.g. [a, b] or one '- item' per line), got {_shown(value)}"
    if kind == "string_pattern_mismatch":
        rule = _PATTERNS.get(str(ctx.get("pattern")), f"must match {ctx.get('pattern')}")
        return f"{'name ' if on_key else ''}{rule}, got {_shown(value)}"
    if kind == "too_short" and isinstance(value, list):
        return f"must have at least {ctx.get('min_length', 1)} item, got an empty list"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    text = str(error["msg"])
    for prefix, replacement in (
        ("Input should be", "must be"),
        ("String should", "must"),
        ("List should", "must"),
    ):
        text = text.replace(prefix, replacement)
    text = text.replace("have at least 1 character", "not be empty")
    return f"{text}, got {_shown(value)}"


def _holds(node: Any, part: str | int) -> bool:
    if isinstance(node, Mapping):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _data_path(error: ErrorDetails, data: Any) -> tuple[tuple[Any, ...], bool]:
    """The key path of the error in the data, dropping pydantic's own loc tags; and whether a key is wrong."""
    path: list[Any] = []
    node, on_key = data, False
    loc = error["loc"]
    for index, part in enumerate(loc):
        if part == "[key]":
            on_key = True
        elif _holds(node, part):
            path.append(part)
            node = node[part]
        elif error["type"] == "missing" and index == len(loc) - 1:
            path.append(part)
    return tuple(path), on_key


def from_validation(exc: ValidationError, doc: YamlDocument) -> list[PolicyProblem]:
    """Every pydantic error as a PolicyProblem at the line of the key (or item) it concerns."""
    from aigov_core.policy.schema import policy_schema

    schema = policy_schema()
    problems: dict[tuple[str, str], PolicyProblem] = {}
    for error in exc.errors(include_url=False):
        path, on_key = _data_path(error, doc.data)
        line, column = doc.position(path)
        problem = PolicyProblem(line, column, dotted_path(path), _message(error, path, on_key, schema))
        problems.setdefault((problem.path, problem.message), problem)
    return list(problems.values())
