"""Whether a regular expression could backtrack catastrophically, found statically from Python's parse of it.

>>> backtracking_risk(r"EMP-\\d{6}") is None
True
>>> backtracking_risk(r"(\\w+\\s?)*$")  # doctest: +ELLIPSIS
'it can match the same text in more than one way inside a repeat...'

The parse (`re._parser`) becomes a Glushkov automaton whose positions read character sets, kept as a
multigraph so that the two loops of `(a+)+` are two edges. A backtracking matcher takes exponential time when
two different paths of that automaton read the same text and meet again: exponential degree of ambiguity, as
in Weideman, van der Merwe, Berglund and Watson, "Analyzing matching time behavior of backtracking regular
expression matchers by using ambiguity of NFA" (2016). Character sets are compared on probe characters (ASCII,
a few others, and every character the pattern names). Lookarounds are checked on their own; atomic groups and
possessive repeats are checked as if they backtracked (a safe pattern may be refused, never the reverse). A
counted repeat of more than MAX_COUNT_OVER_A_LOOP over a part that loops (`(.*a){20}`) is checked as unbounded.
Polynomial forms such as `\\d+\\d+\\d+x` pass: the detection deadline bounds them at run time.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterator
from typing import Any

MAX_COUNT_OVER_A_LOOP = 3
MAX_POSITIONS = 2000  # character positions of the expanded pattern; more is refused as too large to check

_PROBES = "".join(chr(c) for c in range(128)) + "\u00a0\u00e9\u00c9\u00df\u0416\u0436\u0663\u4e2d\u2028\U0001f600"
_CATEGORIES = {
    name: re.compile(regex)
    for name, regex in {
        "DIGIT": r"\d",
        "NOT_DIGIT": r"\D",
        "SPACE": r"\s",
        "NOT_SPACE": r"\S",
        "WORD": r"\w",
        "NOT_WORD": r"\W",
        "LINEBREAK": r"\n",
        "NOT_LINEBREAK": r"[^\n]",
    }.items()
}
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class _TooLarge(Exception):
    pass


def _parts(op: Any, av: Any) -> list[Any]:
    """The sub-sequences of one parsed node."""
    if op is sre.SUBPATTERN:
        return [av[3]]
    if op is sre.ATOMIC_GROUP:
        return [av]
    if op is sre.BRANCH:
        return list(av[1])
    if op in _REPEATS:
        return [av[2]]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    if op is sre.GROUPREF_EXISTS:
        return [av[1], av[2] or []]
    return []


def _literals(items: Any) -> Iterator[int]:
    """Every code point a parsed pattern names (literals and range ends), to probe character sets with."""
    for op, av in items:
        if op in (sre.LITERAL, sre.NOT_LITERAL):
            yield av
        elif op is sre.RANGE:
            yield from av
        elif op is sre.IN:
            yield from _literals(av)
        for part in _parts(op, av):
            yield from _literals(part)


def _has_loop(items: Any) -> bool:
    """Whether a sequence holds an unbounded repeat (outside lookarounds)."""
    for op, av in items:
        if op in _REPEATS and av[1] is sre.MAXREPEAT:
            return True
        if op not in (sre.ASSERT, sre.ASSERT_NOT) and any(_has_loop(part) for part in _parts(op, av)):
            return True
    return False


def _lookarounds(items: Any) -> Iterator[Any]:
    """The bodies of every lookaround in a sequence, nested ones too."""
    for op, av in items:
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            yield av[1]
        for part in _parts(op, av):
            yield from _lookarounds(part)


def _test(op: Any, av: Any, dotall: bool) -> Any:
    """A predicate on one character for a parsed character set (or an item of one)."""
    if op is sre.LITERAL:
        return lambda c: ord(c) == av
    if op is sre.NOT_LITERAL:
        return lambda c: ord(c) != av
    if op is sre.ANY:
        return lambda c: dotall or c != "\n"
    if op is sre.RANGE:
        low, high = av
        return lambda c: low <= ord(c) <= high
    if op is sre.CATEGORY:
        category = _CATEGORIES[str(av).removeprefix("CATEGORY_").removeprefix("UNI_").removeprefix("LOC_")]
        return lambda c: category.match(c) is not None
    negate = bool(av) and av[0][0] is sre.NEGATE
    tests = [_test(o, a, dotall) for o, a in av if o is not sre.NEGATE]
    return lambda c: negate != any(t(c) for t in tests)


class _Automaton:
    """A Glushkov automaton: position 0 starts; every other position reads one character set (a bit mask)."""

    def __init__(self, probes: str) -> None:
        self.probes = probes
        self.chars: list[int] = [0]
        self.edges: list[list[tuple[int, int]]] = [[]]
        self._edge_ids = 0
        self._masks: dict[str, int] = {}

    def _position(self, mask: int) -> int:
        if len(self.chars) > MAX_POSITIONS:
            raise _TooLarge
        self.chars.append(mask)
        self.edges.append([])
        return len(self.chars) - 1

    def link(self, sources: set[int], targets: set[int]) -> None:
        """An edge from each source to each target; linking a pair twice makes two edges (two ways round)."""
        for source in sources:
            for target in targets:
                self._edge_ids += 1
                self.edges[source].append((target, self._edge_ids))

    def _mask(self, op: Any, av: Any, flags: int) -> int:
        key = f"{op} {av!r} {flags & (re.DOTALL | re.IGNORECASE)}"
        mask = self._masks.get(key)
        if mask is None:
            test, mask = _test(op, av, bool(flags & re.DOTALL)), 0
            for index, char in enumerate(self.probes):
                forms = {char, char.lower(), char.upper()} if flags & re.IGNORECASE else {char}
                if any(test(form) for form in forms if len(form) == 1):
                    mask |= 1 << index
            self._masks[key] = mask
        return mask

    def build(self, items: Any, flags: int) -> tuple[set[int], set[int], bool]:
        """(first positions, last positions, matches the empty text) of a sequence, linking it on the way."""
        first: set[int] = set()
        last: set[int] = set()
        nullable = True
        for op, av in items:
            head, tail_of, empty = self._node(op, av, flags)
            self.link(last, head)
            if nullable:
                first |= head
            last = (last | tail_of) if empty else tail_of
            nullable = nullable and empty
        return first, last, nullable

    def _node(self, op: Any, av: Any, flags: int) -> tuple[set[int], set[int], bool]:
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
            position = self._position(self._mask(op, av, flags))
            return {position}, {position}, False
        if op is sre.SUBPATTERN:
            return self.build(av[3], (flags | av[1]) & ~av[2])
        if op in (sre.ATOMIC_GROUP, sre.BRANCH, sre.GROUPREF_EXISTS):
            options = [self.build(part, flags) for part in _parts(op, av)]
            first = set().union(*(o[0] for o in options))
            last = set().union(*(o[1] for o in options))
            return first, last, any(o[2] for o in options)
        if op in _REPEATS:
            return self._repeat(av, flags)
        return set(), set(), True  # anchors, lookarounds (checked apart), back references

    def _repeat(self, av: Any, flags: int) -> tuple[set[int], set[int], bool]:
        low, high, body = av
        if high is not sre.MAXREPEAT and high > MAX_COUNT_OVER_A_LOOP and _has_loop(body):
            high = sre.MAXREPEAT
        if high is sre.MAXREPEAT:
            head, tail_of, empty = self.build(body, flags)
            self.link(tail_of, head)  # the loop
            return head, tail_of, empty or low == 0
        if high > MAX_POSITIONS:
            raise _TooLarge
        # nested optionals: x{1,3} is x(x(x)?)?, not the ambiguous xx?x?
        first: set[int] = set()
        last: set[int] = set()
        tail: set[int] = set()
        nullable = True
        for index in range(high):
            head, tail_of, empty = self.build(body, flags)
            self.link(tail, head)
            if nullable:
                first |= head
            tail = (tail | tail_of) if empty else tail_of
            nullable = nullable and empty
            if index + 1 >= low:
                last |= tail
        return first, last, low == 0 or nullable


def _components(nodes: list[Any], successors: Any) -> list[list[Any]]:
    """Strongly connected components (Tarjan's algorithm, without recursion)."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    stack: list[Any] = []
    on_stack: set[Any] = set()
    found: list[list[Any]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(successors(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
    return found


def _exponentially_ambiguous(automaton: _Automaton) -> bool:
    """Whether two different paths read the same text from one position back to it (within one loop)."""
    edges, chars = automaton.edges, automaton.chars
    for loop in _components(list(range(len(chars))), lambda p: [t for t, _ in edges[p]]):
        inside = set(loop)
        if len(loop) == 1 and not any(t == loop[0] for t, _ in edges[loop[0]]):
            continue

        def pairs(pair: tuple[int, int], inside: set[int] = inside) -> list[tuple[int, int]]:
            x, y = pair
            return [
                (tx, ty)
                for tx, _ in edges[x]
                if tx in inside
                for ty, _ in edges[y]
                if ty in inside and chars[tx] & chars[ty]
            ]

        for component in _components([(p, p) for p in loop], pairs):
            members = set(component)
            if all(x == y for x, y in component):
                # one component of diagonal pairs: ambiguous when two distinct edges join two of its pairs
                for x, _ in component:
                    targets = [t for t, _ in edges[x] if (t, t) in members]
                    if len(targets) != len(set(targets)):
                        return True
            elif any(x == y for x, y in component):
                return True
    return False


def _unmerged(pattern: str) -> str:
    """`pattern` with an empty lookahead opening every alternative but the first.

    Python's parser factors out what alternatives share and merges one-character alternatives into a set, so
    `(a|a)` parses as `a`, though the `regex` module that Presidio matches with tries both; an empty lookahead
    (which matches what nothing does) keeps the alternatives apart.
    """
    out: list[str] = []
    index, in_set = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_set:
            in_set = char != "]" or pattern[index - 1] == "[" or pattern[index - 2 : index] == "[^"
        elif char == "[":
            in_set = True
        out.append(char)
        if char == "|" and not in_set:
            out.append("(?=)")
        index += 1
    return "".join(out)


def backtracking_risk(pattern: str) -> str | None:
    """Why `pattern` (which compiles) could backtrack catastrophically, in a sentence; None when it cannot."""
    try:
        parsed = sre_parse.parse(_unmerged(pattern))
    except re.error:  # the rewrite can upset a back reference into an alternative; the plain parse still helps
        parsed = sre_parse.parse(pattern)
    names = {chr(c) for c in _literals(parsed.data) if c < 0x110000}
    probes = _PROBES + "".join(sorted({f for c in names for f in (c, c.lower(), c.upper())} - set(_PROBES)))
    for part in (parsed.data, *_lookarounds(parsed.data)):
        automaton = _Automaton(probes)
        try:
            first, _, _ = automaton.build(part, parsed.state.flags)
        except _TooLarge:
            return (
                f"it expands to more than {MAX_POSITIONS} character positions (counted repeats such as {{1000}} "
                "multiply), too many to check for catastrophic backtracking; use smaller repeat counts"
            )
        automaton.link({0}, first)
        if _exponentially_ambiguous(automaton):
            return (
                "it can match the same text in more than one way inside a repeat (as `(a+)+`, `(\\w+\\s?)*`, "
                "`(a|a)*` or `(.*a){20}` can), so a text that almost matches makes it backtrack for minutes; "
                "rewrite the repeated part so that each character can be matched one way only, e.g. "
                "`(\\w+\\s)*` instead of `(\\w+\\s?)*`, or `\\d{1,2}` instead of `(\\d|\\d\\d)+`"
            )
    return None
