"""Scan a model's answer for personal data and secrets, frame by frame, before the caller reads it.

Each frame (SSE event, NDJSON line, event-stream message, whole JSON body) is walked for the strings that are
the model's text and tool arguments: not ids, roles, model names or finish reasons. A whole string is scanned
at once (a JSON document of tool arguments value by value). A delta of a longer text joins what its stream
holds, and only the part up to the last line or sentence end (answer_text.release_point) is scanned and sent
on; the rest waits for the next delta of that stream, or goes out when that stream ends (another event type,
a finish reason, the end of the answer), in an event of its own shaped like the last one.

The judge says what is sensitive and new to the caller, and raises when the answer is refused; what it
finds is replaced by a marker (`<SECRET>`), counted per entity type in `entities`.

>>> scanner = AnswerScanner(judge)        # doctest: +SKIP
>>> released = scanner.frame(frame)       # each frame; raises when the answer is refused  # doctest: +SKIP
>>> released += scanner.close()           # doctest: +SKIP
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

from jupyter_aigov.providers.base import JsonPath, set_at
from jupyter_aigov.providers.framing import NOT_JSON, Body, EventStreamMessage, Frame, SSEEvent, Unframed
from jupyter_aigov.redaction.answer_text import mask, release_point
from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.redaction.restore_deltas import (
    IDENT_KEYS,
    JSON_FRAGMENT_KEYS,
    KEEP_ALIVE_TYPES,
    Key,
    finish_paths,
    is_fragment,
    list_key,
    skeleton_of,
)
from jupyter_aigov.redaction.restore_stream import compact_json, frames_like, message_like

# The keys whose string is the model's text (OpenAI, Anthropic, Gemini, Bedrock, Ollama, the Responses API),
# code it wrote or ran (Gemini's executableCode and codeExecutionResult) and text it cites (Anthropic's citations).
TEXT_KEYS = frozenset(
    {
        "content",
        "text",
        "delta",
        "thinking",
        "response",
        "refusal",
        "reasoning_content",
        "partial_json",
        "code",
        "output",
        "cited_text",
    }
)
# Token by token log probabilities spell the text out again, in pieces no marker can stand in for: while
# answers are scanned they are emptied (OpenAI chat and Responses, Gemini).
LOGPROB_KEYS = frozenset({"logprobs", "logprobsResult"})
# The keys of a tool call's arguments: every string below them is the model's (JSON text when a string).
ARGUMENT_KEYS = frozenset({"arguments", "input", "args"})
_SURROGATE = re.compile("[\ud800-\udfff]")


class AnswerJudge(Protocol):
    """Decides what in an answer is sensitive and new to the caller; refuses the answer by raising."""

    def find(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Spans to mask in each text (non-overlapping); raises when the answer is refused."""
        ...

    def unreadable(self, why: str) -> NoReturn:
        """The answer cannot be scanned (a framing error): refuse it."""
        ...


@dataclass
class _Held:
    """A delta stream's text not yet released, and the minimal event that carries it if that stream ends."""

    text: str
    json_text: bool
    skeleton: Any
    path: JsonPath
    shape: Any  # the frame it came in (or an event-stream message's parts)


@dataclass
class _Job:
    """One string to scan: where it goes back, the text scanned, and what to put before it (released text)."""

    path: JsonPath
    text: str
    json_text: bool
    original: str | None  # the string as it came: unchanged, the event is sent on as it was
    doc: Any = None  # its JSON arguments, parsed, when the string is a JSON document
    leaves: list[tuple[JsonPath, str]] = field(default_factory=list)


@dataclass
class _Event:
    """What the walk of one event needs to know of it."""

    type: str | None
    ident: tuple[tuple[str, Any], ...]
    finishes: list[JsonPath]
    touched: set[Key]
    event: Any
    shape: Any
    streamed: bool
    emptied: list[tuple[JsonPath, Any]] = field(default_factory=list)  # log probabilities taken out


class AnswerScanner:
    """frame() each frame of an answer and send on what it returns; close() at its end for what is held."""

    def __init__(self, judge: AnswerJudge) -> None:
        self._judge = judge
        self._held: dict[Key, _Held] = {}
        self._last: Frame | None = None
        self._cut: list[Frame] = []  # a message cut off by the end of the stream: sent after held text
        self.entities: Counter[str] = Counter()  # what was masked, per entity type

    @property
    def changed(self) -> bool:
        """Whether anything in the answer was masked."""
        return bool(self.entities)

    @property
    def held_chars(self) -> int:
        """How many characters of the answer's text are held back now, waiting for their sentence to end."""
        return sum(len(held.text) for held in self._held.values())

    def frame(self, frame: Frame) -> list[Frame]:
        """The frames to send on now: held text this one releases, then it, scanned."""
        if isinstance(frame, Unframed):
            if frame.problem is not None:
                self._judge.unreadable(frame.problem)
            self._cut.append(frame)
            return []
        self._last = frame
        if isinstance(frame, Body):
            if frame.payload is NOT_JSON:  # an error page, or JSON cut short: what a client may read is scanned
                return [self._plain(frame)]
            scanned = self.scan_value(frame.payload)
            return [frame if scanned is frame.payload else frame.with_data(compact_json(scanned))]
        if isinstance(frame, EventStreamMessage):
            return self._message(frame)
        if isinstance(frame, SSEEvent) and frame.data.strip() == b"[DONE]":
            return [*self._releases(self._release_all()), frame]
        event = frame.payload
        if not isinstance(event, dict | list):
            return [frame]
        releases, scanned = self._event(event, frame, streamed=True)
        return [*self._releases(releases), frame if scanned is event else frame.with_data(compact_json(scanned))]

    def close(self) -> list[Frame]:
        """Every text still held, each in a frame of its own (the unterminated last frame ended first)."""
        releases = self._releases(self._release_all())
        end = self._last.terminator() if releases and self._last is not None else b""
        cut, self._cut = self._cut, []
        return [*([Unframed(end)] if end else []), *releases, *cut]

    def refuse(self, why: str) -> NoReturn:
        """The answer cannot be scanned (compressed, so it cannot be rewritten): refuse it."""
        self._judge.unreadable(why)

    def scan_value(self, value: Any) -> Any:
        """A whole parsed answer scanned; the same object when nothing was masked."""
        return self._event(value, None, streamed=False)[1]

    def scan_parsed(self, answer: MutableMapping[str, Any]) -> None:
        """An answer the SDK already parsed (botocore's Converse): its `output` scanned in place."""
        if "output" in answer:
            answer["output"] = self.scan_value(answer["output"])

    # -- events ---------------------------------------------------------------------------------
    def _event(self, event: Any, shape: Any, *, streamed: bool) -> tuple[list[tuple[Any, Any]], Any]:
        """(held text this event releases, as (event, shape) to send before it; the event scanned)."""
        event_type = event.get("type") if isinstance(event, dict) else None
        event_type = event_type if isinstance(event_type, str) else None
        ident: tuple[tuple[str, Any], ...] = ()
        if isinstance(event, dict):
            ident = tuple((k, event[k]) for k in IDENT_KEYS if isinstance(event.get(k), str | int))
        finishes = list(finish_paths(event)) if streamed else []
        context = _Event(event_type, ident, finishes, set(), event, shape, streamed)
        jobs: list[_Job] = []
        self._collect(event, (), (), False, context, jobs)
        ended = [key for key in self._held if key not in context.touched and self._ends(key, context)]
        releases = [self._release(key) for key in ended]
        return releases, self._apply(event, jobs, context.emptied)

    def _collect(
        self, node: Any, actual: JsonPath, logical: JsonPath, argument: bool, context: _Event, jobs: list[_Job]
    ) -> None:
        """The strings of an event that are the model's text, as jobs (deltas joined with what is held)."""
        if isinstance(node, dict):
            for key, value in node.items():
                if key in LOGPROB_KEYS and not argument:
                    if value:
                        context.emptied.append(((*actual, key), [] if isinstance(value, list) else None))
                    continue
                below = argument or (key in ARGUMENT_KEYS and isinstance(value, dict | list))
                self._collect(value, (*actual, key), (*logical, key), below, context, jobs)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self._collect(value, (*actual, i), (*logical, list_key(value, i)), argument, context, jobs)
        elif isinstance(node, str) and logical:
            last = logical[-1]
            if argument or last in TEXT_KEYS or last in ARGUMENT_KEYS:
                json_text = (
                    last in JSON_FRAGMENT_KEYS
                    or (last in ARGUMENT_KEYS and not argument)
                    or (context.type is not None and "arguments" in context.type)
                )
                jobs.append(self._job(node, actual, logical, json_text, context))

    def _job(self, value: str, actual: JsonPath, logical: JsonPath, json_text: bool, context: _Event) -> _Job:
        if not context.streamed or not is_fragment(context.type, logical):
            return _parsed(_Job(actual, value, json_text, value))
        key: Key = (context.type, context.ident, logical)
        context.touched.add(key)
        held = self._held.pop(key, None)
        text = held.text + value if held is not None else value
        finished = any(logical[: len(p)] == p for p in context.finishes)
        cut = len(text) if finished else release_point(text, json_text)
        if cut < len(text):
            skeleton, path = skeleton_of(context.event, actual)
            self._held[key] = _Held(text[cut:], json_text, skeleton, path, context.shape)
        return _parsed(_Job(actual, text[:cut], json_text, value))

    def _apply(self, event: Any, jobs: list[_Job], emptied: list[tuple[JsonPath, Any]]) -> Any:
        """Scan the jobs' texts in one batch; the event with what changed written back (itself if nothing)."""
        self._scan(jobs)
        for job in jobs:
            if job.text != job.original:
                event = _replaced(event, job.path, job.text)
        for path, empty in emptied:
            event = _replaced(event, path, empty)
        return event

    def _scan(self, jobs: list[_Job]) -> None:
        """Each job's text with what the judge finds masked (a JSON document's values one by one)."""
        texts = [(job, path, text) for job in jobs for path, text in _texts_of(job) if text.strip()]
        if not texts:
            return
        found = self._judge.find([_analysable(text) for _, _, text in texts])
        touched: dict[int, _Job] = {}
        for (job, path, text), spans in zip(texts, found, strict=True):
            if not spans:
                continue
            self.entities.update(span.entity for span in spans)
            if job.doc is None:
                job.text = mask(text, spans, job.json_text)
            else:
                set_at(job.doc, path, mask(text, spans))
                touched[id(job)] = job
        for job in touched.values():
            job.text = compact_json(job.doc).decode("utf-8")

    def _ends(self, key: Key, context: _Event) -> bool:
        held_type, _, path = key
        if held_type is not None and context.type != held_type and context.type not in KEEP_ALIVE_TYPES:
            return True
        return any(path[: len(p)] == p for p in context.finishes)

    def _release(self, key: Key) -> tuple[Any, Any]:
        held = self._held.pop(key)
        job = _parsed(_Job((), held.text, held.json_text, None))
        self._scan([job])
        set_at(held.skeleton, held.path, job.text)
        return held.skeleton, held.shape

    def _release_all(self) -> list[tuple[Any, Any]]:
        return [self._release(key) for key in list(self._held)]

    # -- frames ---------------------------------------------------------------------------------
    def _plain(self, frame: Body) -> Frame:
        """A body that is not JSON, scanned as text (bytes that are not UTF-8 read as U+FFFD)."""
        job = _Job((), frame.raw.decode("utf-8", "replace"), False, None)
        original = job.text
        self._scan([job])
        return frame if job.text == original else frame.with_data(job.text.encode("utf-8"))

    def _message(self, frame: EventStreamMessage) -> list[Frame]:
        body = frame.payload
        if not isinstance(body, dict):
            return [frame]
        wrapped = isinstance(body.get("bytes"), str)
        try:
            event = json.loads(base64.b64decode(body["bytes"])) if wrapped else body
        except ValueError:
            return [frame]  # the SDK cannot read it either
        if not isinstance(event, dict):
            return [frame]
        typed = "type" not in event
        if typed:  # Bedrock names a converse-stream event in a header
            event = {"type": frame.event_type, **event}
        releases, scanned = self._event(event, (frame, body, wrapped, typed), streamed=True)
        if scanned is event:
            return [*self._releases(releases), frame]
        return [*self._releases(releases), message_like(frame, scanned, body, wrapped, typed)]

    def _releases(self, releases: list[tuple[Any, Any]]) -> list[Frame]:
        """Held text, each in a frame shaped like the one it came from."""
        return frames_like(releases)


def _replaced(node: Any, path: JsonPath, value: Any) -> Any:
    """A copy of `node` with `value` at `path`: only the containers on the way are copied, `node` is untouched."""
    if not path:
        return value
    head = path[0]
    copied: Any = list(node) if isinstance(node, list) else dict(node)
    copied[head] = _replaced(node[head], path[1:], value)
    return copied


def _analysable(text: str) -> str:
    """The text with lone surrogates (a JSON \\ud800 escape) as U+FFFD: same length, and UTF-8 can encode it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def _parsed(job: _Job) -> _Job:
    """A job whose text is a JSON document of arguments gets it parsed: its values are scanned one by one."""
    if job.json_text and job.text.lstrip()[:1] in ("{", "["):
        try:
            doc = json.loads(job.text)
        except ValueError:
            return job
        if isinstance(doc, dict | list):
            job.doc, job.leaves = doc, list(_leaves(doc, ()))
    return job


def _texts_of(job: _Job) -> list[tuple[JsonPath, str]]:
    return job.leaves if job.doc is not None else [((), job.text)]


def _leaves(node: Any, path: JsonPath) -> Any:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
