"""Every string of a request body that goes to the provider, except where the wire format keeps its own words.

A wire format declares its structure as data (a `Structure`): the fields holding model ids, roles, enum
values, ids and tool names, where JSON schemas sit, and where base64 payloads are. Every other string is
text to analyse, so a field a provider adds tomorrow is analysed by default: the walk fails closed.

>>> shape = Structure(fields=("model", "messages.*.role"))
>>> body = {"model": "m", "user": "ann@example.com", "messages": [{"role": "user", "content": "hi"}]}
>>> [(part.path, part.text) for part in request_strings(body, shape)]
[(('user',), 'ann@example.com'), (('messages', 0, 'content'), 'hi')]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jupyter_aigov.providers.base import JsonPath, TextPart

# Keywords whose values are the schema's own vocabulary (types, formats, references, property names).
SCHEMA_WORDS = frozenset(
    {
        "type",
        "format",
        "$ref",
        "$schema",
        "$id",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "required",
        "dependentRequired",
        "propertyOrdering",
        "contentEncoding",
        "contentMediaType",
    }
)
# Keywords holding a map of names (structure) to subschemas.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
# Keywords holding one subschema, or a list of them.
SCHEMA_NESTED = frozenset(
    {
        "items",
        "prefixItems",
        "additionalItems",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
        "contains",
        "not",
        "if",
        "then",
        "else",
        "anyOf",
        "oneOf",
        "allOf",
    }
)
# Everything else in a schema (description, title, enum, const, default, examples, pattern...) is text.


@dataclass(frozen=True)
class Structure:
    """Where a wire format keeps its own words in a request body; paths are dotted, `*` is any key or index.

    `base64` patterns may end in " if data:" (only a data: URL is a payload; a web address is text) or
    " if type=base64" (only when the object holding the string says so).
    """

    fields: tuple[str, ...] = ()  # ids, roles, enum values, tool names: never analysed
    schemas: tuple[str, ...] = ()  # JSON schemas: their keywords and property names are structure
    base64: tuple[str, ...] = ()  # payloads (images, audio, documents, signatures): not text
    camel_case: bool = False  # snake_case keys match as their camelCase twins (Gemini's REST takes both)

    def __add__(self, other: Structure) -> Structure:
        return Structure(
            self.fields + other.fields,
            self.schemas + other.schemas,
            self.base64 + other.base64,
            self.camel_case or other.camel_case,
        )

    @functools.cached_property
    def start(self) -> _State:
        """Where a walk of a whole body begins: the patterns compiled into a trie of path segments."""
        root = _Node()
        for kind, patterns in (("field", self.fields), ("schema", self.schemas), ("base64", self.base64)):
            for pattern in patterns:
                path, _, condition = pattern.partition(" if ")
                node = root
                for segment in path.split("."):
                    node = node.children.setdefault(segment, _Node())
                node.kind = (kind, condition)
        return _State((root,), self.camel_case)


def under(roots: Iterable[str], fields: Iterable[str]) -> tuple[str, ...]:
    """Every field pattern below every root: under(["system.*"], ["type"]) == ("system.*.type",)."""
    fields = tuple(fields)
    return tuple(f"{root}.{field}" if root else field for root in roots for field in fields)


class _Node:
    __slots__ = ("children", "kind")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.kind: tuple[str, str] | None = None  # (field | schema | base64, condition)


_MAX_MOVES = 256  # moves remembered per state: free-form keys (metadata, tool data) must not grow it unbounded


class _State:
    """The trie nodes a walk is at for one value (wildcards overlap exact keys), with its moves remembered."""

    __slots__ = ("camel_case", "kinds", "moves", "nodes")

    def __init__(self, nodes: tuple[_Node, ...], camel_case: bool) -> None:
        self.nodes = nodes
        self.camel_case = camel_case
        self.kinds = tuple(node.kind for node in nodes if node.kind is not None)
        self.moves: dict[str | None, _State | None] = {}

    def move(self, key: str | None) -> _State | None:
        """The state for a member (by key) or an item (None) of this value; None when no pattern goes on."""
        try:
            return self.moves[key]
        except KeyError:
            pass
        word = _camel(key) if self.camel_case and key is not None else key
        found: list[_Node] = []
        for node in self.nodes:
            if word is not None and (exact := node.children.get(word)) is not None:
                found.append(exact)
            if (wild := node.children.get("*")) is not None:
                found.append(wild)
        state = _State(tuple(found), self.camel_case) if found else None
        if len(self.moves) < _MAX_MOVES:
            self.moves[key] = state
        return state


@functools.lru_cache(maxsize=1024)
def _camel(key: str) -> str:
    return re.sub(r"_([a-z])", lambda match: match.group(1).upper(), key) if "_" in key else key


def request_strings(body: Any, structure: Structure) -> list[TextPart]:
    """Every non-empty string of `body` that is not the wire format's structure, with its path and role."""
    out: list[TextPart] = []
    _visit(body, (), structure.start, None, out, None)
    return out


def _visit(
    value: Any, path: JsonPath, state: _State | None, role: str | None, out: list[TextPart], holder: Any
) -> None:
    if state is None:
        _leaves(value, path, role, out)
        return
    for kind, condition in state.kinds:
        if kind == "schema":
            _schema(value, path, role, out, state.camel_case)
            return
        if isinstance(value, str) and _applies(condition, value, holder):
            return  # the format's own word, or a payload: not text
    if isinstance(value, dict):
        if isinstance(value.get("role"), str):
            role = value["role"]
        for key, item in value.items():
            child = state.move(key)
            if child is not None:
                _visit(item, (*path, key), child, role, out, value)
            elif type(item) is str:  # the common case, inline: a text no pattern reaches
                if item:
                    out.append(TextPart((*path, key), item, role))
            elif isinstance(item, dict | list):
                _leaves(item, (*path, key), role, out)
    elif isinstance(value, list):
        items = state.move(None)
        for index, item in enumerate(value):
            _visit(item, (*path, index), items, role, out, value)
    elif isinstance(value, str) and value:
        out.append(TextPart(path, value, role))


def _applies(condition: str, text: str, holder: Any) -> bool:
    """Whether a pattern's condition holds for this string: none, " if data:", or " if key=value"."""
    if not condition:
        return True
    if condition == "data:":
        return text.startswith("data:")
    name, _, wanted = condition.partition("=")
    return isinstance(holder, dict) and holder.get(name) == wanted


def _schema(value: Any, path: JsonPath, role: str | None, out: list[TextPart], camel_case: bool) -> None:
    """A JSON schema: descriptions, titles, enums, defaults and examples are text; keywords and names are not."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            _schema(item, (*path, index), role, out, camel_case)
        return
    if not isinstance(value, dict):
        return  # a bare word where a schema goes ("json" in Ollama's `format`) is the format's own
    for key, item in value.items():
        word = _camel(key) if camel_case else key
        if word in SCHEMA_WORDS:
            continue
        if word in SCHEMA_MAPS and isinstance(item, dict):
            for name, subschema in item.items():
                _schema(subschema, (*path, key, name), role, out, camel_case)
        elif word in SCHEMA_NESTED:
            _schema(item, (*path, key), role, out, camel_case)
        else:
            _leaves(item, (*path, key), role, out)


def _leaves(value: Any, path: JsonPath, role: str | None, out: list[TextPart]) -> None:
    """Every non-empty string inside a value: data, where nothing is structure."""
    if isinstance(value, str):
        if value:
            out.append(TextPart(path, value, role))
    elif isinstance(value, dict):
        for key, item in value.items():
            _leaves(item, (*path, key), role, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _leaves(item, (*path, index), role, out)
