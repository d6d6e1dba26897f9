"""Restore placeholders in a stream's decoded events, one by one, joining placeholders split across deltas.

A placeholder may be split across events ("Hello <PER" then "SON_1>, welcome"). For each stream of deltas
(an event type, the event's block/output index, and the JSON path of the string, list items keyed by their
`index` field) the joiner holds back the shortest suffix that could still begin a placeholder of the vault,
and prepends it to the next delta on that stream; when that stream ends (another event type, a finish reason,
the end of the stream) it releases the suffix in an event of its own, shaped like the last one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jupyter_aigov.providers.base import JsonPath, set_at
from jupyter_aigov.redaction.placeholders import PlaceholderVault
from jupyter_aigov.redaction.restore import restore_json_text, restore_string, restore_text

IDENT_KEYS = ("index", "output_index", "content_index", "item_id")  # which block/item of a typed event
_FINISH_KEYS = ("finish_reason", "finishReason")
KEEP_ALIVE_TYPES = frozenset({"ping", "keepalive"})
# Strings under a "delta" that are whole names or identifiers, never pieces of text.
_NOT_FRAGMENT = frozenset({"type", "id", "role", "name", "stop_reason", "stop_sequence", "item_id", "call_id"})
_OLLAMA_FRAGMENTS = frozenset({("message", "content"), ("message", "thinking"), ("response",), ("thinking",)})
JSON_FRAGMENT_KEYS = frozenset({"arguments", "partial_json"})  # pieces of JSON text: values go in escaped

Key = tuple[str | None, tuple[tuple[str, Any], ...], JsonPath]


@dataclass
class _Held:
    """A held suffix, and the minimal event that carries it if its stream ends before another delta comes."""

    text: str
    skeleton: Any
    path: JsonPath
    frame: Any


def is_fragment(event_type: str | None, path: JsonPath) -> bool:
    """Whether the string at this (logical) path is one delta of a longer text."""
    if not path or path[-1] in _NOT_FRAGMENT:
        return False
    if "delta" in path:  # OpenAI chat and Responses, Anthropic
        return True
    if len(path) >= 3 and path[-1] == "text" and path[-3] == "parts":  # Gemini
        return True
    return event_type is None and path in _OLLAMA_FRAGMENTS


def finish_paths(node: Any, path: JsonPath = ()) -> Iterator[JsonPath]:
    """Logical paths of the parts of an event that say their text is complete (finish reasons, Ollama's done)."""
    if isinstance(node, dict):
        if not path and node.get("done") is True:
            yield ()
        if any(node.get(key) for key in _FINISH_KEYS):
            yield path
        for key, value in node.items():
            yield from finish_paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from finish_paths(value, (*path, list_key(value, i)))


def list_key(item: Any, position: int) -> int:
    """A list item's key in a logical path: its `index` field (choices, tool calls) or else its position."""
    index = item.get("index") if isinstance(item, dict) else None
    return index if isinstance(index, int) and not isinstance(index, bool) else position


def skeleton_of(node: Any, path: JsonPath, parent: str | int | None = None) -> tuple[Any, JsonPath]:
    """A copy of an event with only the path to one string and the fields that identify it.

    Nested objects keep only `type` and `index` (and a message's `role`): SDKs concatenate other string fields
    of deltas (OpenAI's accumulator would turn a repeated "name" into "get_weatherget_weather").
    """
    if not path:
        return None, ()
    key = path[0]
    child, child_path = skeleton_of(node[key], path[1:], key)
    if isinstance(node, list):
        return [child], (0, *child_path)
    kept: dict[str, Any] = {}
    for name, value in node.items():
        if name == key:
            kept[name] = child
        elif (
            (parent is None and not isinstance(value, dict | list))
            or name in ("type", "index")
            or (name == "role" and parent in ("message", "content"))
        ):
            kept[name] = value
    return kept, (key, *child_path)


class DeltaJoiner:
    """Restores decoded events one by one, holding split placeholders per stream of deltas."""

    def __init__(self, vault: PlaceholderVault) -> None:
        self.vault = vault
        self.held: dict[Key, _Held] = {}

    def event(self, event: Any, frame: Any) -> tuple[list[tuple[Any, Any]], Any]:
        """(held suffixes this event releases, as (event, frame) to send before it; the event restored)."""
        event_type = event.get("type") if isinstance(event, dict) else None
        event_type = event_type if isinstance(event_type, str) else None
        ident: tuple[tuple[str, Any], ...] = ()
        if isinstance(event, dict):
            ident = tuple((k, event[k]) for k in IDENT_KEYS if isinstance(event.get(k), str | int))
        finishes = list(finish_paths(event))
        touched: set[Key] = set()
        context = (event_type, ident, finishes, touched, event, frame)
        restored = self._rewrite(event, (), (), context)
        ended = [key for key in self.held if key not in touched and self._ends(key, event_type, finishes)]
        return [self._release(key) for key in ended], restored

    def idle(self, data: bytes) -> bool:
        """Whether an event's raw JSON can pass unparsed: nothing held, and no `<` in it, raw or escaped."""
        return not self.held and b"<" not in data and b"\\u003" not in data

    def release_all(self) -> list[tuple[Any, Any]]:
        """Every held suffix, each in an event of its own: the stream is over."""
        return [self._release(key) for key in list(self.held)]

    def _ends(self, key: Key, event_type: str | None, finishes: list[JsonPath]) -> bool:
        held_type, _, path = key
        if held_type is not None and event_type != held_type and event_type not in KEEP_ALIVE_TYPES:
            return True
        return any(path[: len(p)] == p for p in finishes)

    def _release(self, key: Key) -> tuple[Any, Any]:
        held = self.held.pop(key)
        set_at(held.skeleton, held.path, held.text)
        return held.skeleton, held.frame

    def _rewrite(self, node: Any, actual: JsonPath, logical: JsonPath, context: tuple[Any, ...]) -> Any:
        if isinstance(node, str):
            return self._string(node, actual, logical, context)
        if isinstance(node, dict):
            items = [
                (restore_text(k, self.vault), self._rewrite(v, (*actual, k), (*logical, k), context))
                for k, v in node.items()
            ]
            if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, node.items(), strict=True)):
                return node
            return dict(items)
        if isinstance(node, list):
            restored = [self._rewrite(v, (*actual, i), (*logical, list_key(v, i)), context) for i, v in enumerate(node)]
            return node if all(a is b for a, b in zip(restored, node, strict=True)) else restored
        return node

    def _string(self, value: str, actual: JsonPath, logical: JsonPath, context: tuple[Any, ...]) -> str:
        event_type, ident, finishes, touched, event, frame = context
        if not is_fragment(event_type, logical):
            return restore_string(value, self.vault)
        key: Key = (event_type, ident, logical)
        touched.add(key)
        held = self.held.pop(key, None)
        text = held.text + value if held is not None else value
        cut = len(text)
        if not any(logical[: len(p)] == p for p in finishes):
            start = text.rfind("<")
            if start >= 0 and self.vault.could_start(text[start:]):
                cut = start
        if cut < len(text):
            skeleton, path = skeleton_of(event, actual)
            self.held[key] = _Held(text[cut:], skeleton, path, frame)
        json_text = logical[-1] in JSON_FRAGMENT_KEYS or (event_type is not None and "arguments" in event_type)
        restored = (restore_json_text if json_text else restore_text)(text[:cut], self.vault)
        return value if restored == value else restored
