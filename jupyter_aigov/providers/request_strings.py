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
from collections.abc import Callable, Iterable
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
    def trie(self) -> _Node:
        """The patterns compiled into one trie of path segments."""
        root = _Node()
        for kind, patterns in (("field", self.fields), ("schema", self.schemas), ("base64", self.base64)):
            for pattern in patterns:
                path, _, condition = pattern.partition(" if ")
                node = root
                for segment in path.split("."):
                    node = node.child(segment)
                node.kind = f"{kind} if {condition}" if condition else kind
        return root


def under(roots: Iterable[str], fields: Iterable[str]) -> tuple[str, ...]:
    """Every field pattern below every root: under(["system.*"], ["type"]) == ("system.*.type",)."""
    fields = tuple(fields)
    return tuple(f"{root}.{field}" if root else field for root in roots for field in fields)


class _Node:
    __slots__ = ("children", "kind")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.kind: str | None = None

    def child(self, segment: str) -> _Node:
        return self.children.setdefault(segment, _Node())


@functools.lru_cache(maxsize=2048)
def _camel(key: str) -> str:
    return re.sub(r"_([a-z])", lambda match: match.group(1).upper(), key) if "_" in key else key


def _same(key: str) -> str:
    return key


def request_strings(body: Any, structure: Structure) -> list[TextPart]:
    """Every non-empty string of `body` that is not the wire format's structure, with its path and role."""
    out: list[TextPart] = []
    _walk(body, (), (structure.trie,), None, out, _camel if structure.camel_case else _same)
    return out


def _walk(
    value: Any,
    path: JsonPath,
    nodes: tuple[_Node, ...],
    role: str | None,
    out: list[TextPart],
    key_of: Callable[[str], str],
) -> None:
    if not nodes:
        _leaves(value, path, role, out)
        return
    if isinstance(value, dict):
        if isinstance(value.get("role"), str):
            role = value["role"]
        for key, item in value.items():
            _step(item, (*path, key), _next(nodes, key_of(key)), role, out, key_of, value)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _step(item, (*path, index), _next(nodes, None), role, out, key_of, None)
    elif isinstance(value, str) and value:
        out.append(TextPart(path, value, role))


def _next(nodes: tuple[_Node, ...], key: str | None) -> tuple[_Node, ...]:
    found = []
    for node in nodes:
        if key is not None and (exact := node.children.get(key)) is not None:
            found.append(exact)
        if (wild := node.children.get("*")) is not None:
            found.append(wild)
    return tuple(found)


def _step(
    item: Any,
    path: JsonPath,
    nodes: tuple[_Node, ...],
    role: str | None,
    out: list[TextPart],
    key_of: Callable[[str], str],
    holder: dict[str, Any] | None,
) -> None:
    for node in nodes:
        kind = node.kind
        if kind is None:
            continue
        if kind == "schema":
            _schema(item, path, role, out, key_of)
            return
        if isinstance(item, str) and _applies(kind, item, holder):
            return  # the format's own word, or a payload: not text
    _walk(item, path, nodes, role, out, key_of)


def _applies(kind: str, text: str, holder: dict[str, Any] | None) -> bool:
    """Whether a field or base64 pattern's condition holds for this string."""
    condition = kind.partition(" if ")[2]
    if not condition:
        return True
    if condition == "data:":
        return text.startswith("data:")
    name, _, wanted = condition.partition("=")
    return holder is not None and holder.get(name) == wanted


def _schema(value: Any, path: JsonPath, role: str | None, out: list[TextPart], key_of: Callable[[str], str]) -> None:
    """A JSON schema: descriptions, titles, enums, defaults and examples are text; keywords and names are not."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            _schema(item, (*path, index), role, out, key_of)
        return
    if not isinstance(value, dict):
        return  # a bare word where a schema goes ("json" in Ollama's `format`) is the format's own
    for key, item in value.items():
        word = key_of(key)
        if word in SCHEMA_WORDS:
            continue
        if word in SCHEMA_MAPS and isinstance(item, dict):
            for name, subschema in item.items():
                _schema(subschema, (*path, key, name), role, out, key_of)
        elif word in SCHEMA_NESTED:
            _schema(item, (*path, key), role, out, key_of)
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
