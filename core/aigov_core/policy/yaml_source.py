"""Read YAML keeping the line and column of every mapping key and sequence item, for error messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from aigov_core.policy.problems import PolicyProblem, dotted_path

KeyPath = tuple[Any, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Aliases stay allowed, since a merge key (`<<: *base`) is how use cases share a block. But every use of an
# alias writes its node out again, so nine nested lines of aliases can stand for 387 million values (the YAML
# "billion laughs"). So the node graph is measured as if written out, once and memoized (the bomb costs its
# written size to measure), before anything is built: aliases may add at most this many values. A policy
# written without aliases is never refused by it; its size alone is bounded (load.py).
MAX_ALIAS_EXPANSION = 10_000


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


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


class _Extent:
    """How many values a node graph holds as composed (each node once) and written out (each alias again)."""

    def __init__(self) -> None:
        self.written: dict[int, int] = {}
        self.uses: dict[int, int] = {}
        self.order: list[Node] = []  # nodes in document order, to name the first one aliased
        self.open: set[int] = set()

    def measure(self, node: Node) -> int:
        """Values under `node` with every alias written out; an alias of its own container counts nothing."""
        key = id(node)
        self.uses[key] = self.uses.get(key, 0) + 1
        if key in self.written:
            return self.written[key]
        if key in self.open:  # a recursive alias: the walker reports it
            return 0
        self.open.add(key)
        self.order.append(node)
        total = 1 + sum(self.measure(child) for child in _children(node))
        self.open.discard(key)
        self.written[key] = total
        return total

    def first_aliased(self) -> Node | None:
        """The first node (in document order) used more than once: where the aliasing starts."""
        return next((node for node in self.order if self.uses[id(node)] > 1), None)


def _alias_problem(root: Node) -> PolicyProblem | None:
    """A problem when the aliases in the document would add more than MAX_ALIAS_EXPANSION values."""
    extent = _Extent()
    added = extent.measure(root) - len(extent.written)
    if added <= MAX_ALIAS_EXPANSION:
        return None
    anchor = extent.first_aliased()
    line, column = _mark(anchor) if anchor is not None else (1, 1)
    message = (
        f"the policy uses YAML aliases (&x / *x) that would add {added:,} values when written out, more than "
        f"the {MAX_ALIAS_EXPANSION:,} allowed; write the values out instead of aliasing them"
    )
    return PolicyProblem(line, column, "", message)


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
        except RecursionError:
            return _too_deep(doc)
        if node is None:
            doc.empty = True
            return doc
        try:
            bomb = _alias_problem(node)
            if bomb is not None:
                doc.problems.append(bomb)
                doc.fatal = True
                return doc
            doc.positions[()] = _mark(node)
            doc.data = _Walker(loader, doc).build(node, ())
        except RecursionError:
            return _too_deep(doc)
        doc.empty = doc.data is None
        return doc
    finally:
        loader.dispose()


def _too_deep(doc: YamlDocument) -> YamlDocument:
    """The document nests lists or mappings deeper than Python's stack: a fatal problem, not a crash."""
    message = "the YAML nests lists or mappings too deeply to be read; a policy is only a few levels deep"
    doc.problems.append(PolicyProblem(1, 1, "", message))
    doc.fatal = True
    return doc
