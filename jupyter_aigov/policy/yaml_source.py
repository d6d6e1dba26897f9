"""Read YAML keeping the line and column of every mapping key and sequence item, for error messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from jupyter_aigov.policy.problems import PolicyProblem, dotted_path

KeyPath = tuple[Any, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass
class YamlDocument:
    """Plain data read from YAML, where each key path sits (1-based line, column), and what went wrong."""

    data: Any = None
    empty: bool = False
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    problems: list[PolicyProblem] = field(default_factory=list)
    fatal: bool = False  # the text could not be read at all, so `data` means nothing

    def position(self, path: KeyPath) -> tuple[int, int]:
        """The position of the longest prefix of `path` that exists in the document."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return found
        return (1, 1)


def _mark(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Walker:
    """Builds plain data from a composed node tree, recording positions on the way."""

    def __init__(self, loader: yaml.SafeLoader, doc: YamlDocument) -> None:
        self.loader = loader
        self.doc = doc
        self.open: set[int] = set()  # nodes being built, to catch a recursive alias

    def build(self, node: Node, path: KeyPath) -> Any:
        if id(node) in self.open:
            self._problem(node, path, "a YAML alias refers to the node that contains it (recursive alias)")
            return None
        self.open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                items = []
                for index, item in enumerate(node.value):
                    self.doc.positions[(*path, index)] = _mark(item)
                    items.append(self.build(item, (*path, index)))
                return items
            return self._scalar(node, path)
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[Any, Any]:
        seen: set[Any] = set()
        # Duplicates are checked before merge keys (<<) are flattened in, since keys written beside a
        # merge legitimately override the merged ones.
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                continue
            key = self._scalar(key_node, path)
            if key in seen:
                self._problem(key_node, (*path, key), "duplicate key; YAML would silently keep only the last one")
            seen.add(key)
        self.loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, path)
            try:
                hash(key)
            except TypeError:
                self._problem(key_node, path, "a mapping key must be a plain value, not a list or mapping")
                continue
            self.doc.positions[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _scalar(self, node: Node, path: KeyPath) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self._problem(node, path, f"cannot read this value ({getattr(exc, 'problem', None) or exc})")
            return None

    def _problem(self, node: Node, path: KeyPath, message: str) -> None:
        line, column = _mark(node)
        self.doc.problems.append(PolicyProblem(line, column, dotted_path(path), message))


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document into plain data with positions; syntax errors become fatal problems."""
    doc = YamlDocument()
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = " ".join(p for p in (exc.context, exc.problem) if p)
            doc.problems.append(PolicyProblem(line, column, "", f"YAML syntax error: {what}"))
            doc.fatal = True
            return doc
        except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
            doc.problems.append(PolicyProblem(1, 1, "", f"YAML cannot be read: {exc}"))
            doc.fatal = True
            return doc
        if node is None:
            doc.empty = True
            return doc
        doc.positions[()] = _mark(node)
        doc.data = _Walker(loader, doc).build(node, ())
        doc.empty = doc.data is None
        return doc
    finally:
        loader.dispose()
