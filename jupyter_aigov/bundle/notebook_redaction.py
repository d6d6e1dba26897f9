"""Redact a notebook for an evidence bundle: cell sources and text outputs get `<TYPE_N>` placeholders.

>>> redacted = redact_notebook(data, engine, ["PERSON", "EMAIL_ADDRESS"], name="churn.ipynb")  # doctest: +SKIP
>>> redacted.entities                                                                           # doctest: +SKIP
{'EMAIL_ADDRESS': 2, 'PERSON': 3}
"""

from __future__ import annotations

import html
import json
import re
import sys
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from aigov_core.errors import BundleError, DetectionFailed
from jupyter_aigov.redaction.findings import Finding
from jupyter_aigov.redaction.placeholders import PlaceholderVault, normalise
from jupyter_aigov.redaction.plan import entities_to_detect, merge_spans

if TYPE_CHECKING:
    from aigov_core.policy.document import RedactionSection
    from jupyter_aigov.redaction.engine import DetectionEngine

Style = Literal["plain", "markdown", "html"]

UNREDACTED = "export with redaction off (redact_notebooks=False, --no-redact-notebooks) to include it as it is"

DEADLINE_MS = 120_000  # per batch: an export can wait for the model and a long notebook, a prompt cannot
BATCH_CHARS = 200_000
# spaCy refuses texts over 1,000,000 characters, and Presidio's context step costs findings x tokens per text,
# so long outputs go in windows that overlap by more than any value worth finding is long (a 4096-bit PEM
# key is ~3,300 characters): none is cut in every window.
WINDOW_CHARS = 20_000
OVERLAP_CHARS = 4_000

# Terminal escapes (IPython colours every traceback) glue codes to words ("\x1b[0;31mMargaret"), so names
# and address boundaries are missed; detection sees the text without them.
_ANSI = r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])"
# Markup does the same ("<td>Margaret"); a second pass sees tags as spaces and character references decoded.
_TAG = r"<[A-Za-z/!?][^<>]*>"
_CHAR_REF = r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_ESCAPES = re.compile(_ANSI)
_MARKUP_ONLY = re.compile(f"{_TAG}|{_CHAR_REF}")
_MARKUP = re.compile(f"{_ANSI}|{_TAG}|{_CHAR_REF}")


@dataclass(frozen=True)
class RedactedNotebook:
    """A notebook's redacted bytes, how many values of each entity type were replaced, and what was dropped."""

    data: bytes
    entities: dict[str, int]
    removed: tuple[str, ...] = ()


def entities_to_redact(redaction: RedactionSection) -> list[str]:
    """The entity types a policy redacts or blocks, which the gateway detects in prompts, sorted."""
    return sorted(entities_to_detect(redaction.entities))


def redact_notebook(
    data: bytes,
    engine: DetectionEngine,
    entities: Collection[str],
    known_values: Mapping[str, str] | None = None,
    *,
    name: str = "The notebook",
    deadline_ms: int = DEADLINE_MS,
) -> RedactedNotebook:
    """The notebook `data` (nbformat 4 JSON) with every value of `entities`, and every `known_values` key, replaced.

    `known_values` maps values the kernel already redacted to their entity type; they are replaced wherever
    they occur, even where detection would miss them. Placeholders come from a vault of this notebook only,
    which is dropped afterwards. Raises BundleError rather than return a notebook redacted in part.
    """
    notebook = _parse(data, name)
    removed: list[str] = []
    metadata = notebook.get("metadata")
    if isinstance(metadata, dict) and "widgets" in metadata:
        # Saved widget state is any text a widget ever held (form fields, tables), and not shown without a kernel.
        del metadata["widgets"]
        removed.append("metadata.widgets")
    slots = _Collector(name).notebook(notebook)
    found = _find([slot.text for slot in slots], engine, entities, known_values or {}, name, deadline_ms)
    # Bounded by the notebook itself; a session's bounds would refuse a long customer table.
    vault = PlaceholderVault(max_entries=sys.maxsize, max_chars=sys.maxsize)
    counts: Counter[str] = Counter()
    renames: dict[int, tuple[dict[str, Any], dict[str, str]]] = {}
    for slot, spans in zip(slots, found, strict=True):
        if spans:
            slot.write(_replace(slot.text, spans, slot.style, vault, counts), renames)
    for container, keys in renames.values():
        items = [(keys.get(key, key), value) for key, value in container.items()]
        if len({key for key, _ in items}) < len(items):
            raise BundleError(
                f"{name} has an output whose JSON keys redact to the same placeholder, so it cannot be redacted; "
                f"{UNREDACTED}."
            )
        container.clear()
        container.update(items)
    try:
        text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape: keep it escaped
        encoded = (json.dumps(notebook, indent=1) + "\n").encode("ascii")
    return RedactedNotebook(encoded, dict(sorted(counts.items())), tuple(removed))


def _parse(data: bytes, name: str) -> dict[str, Any]:
    """The notebook as a dict in its own key order, or BundleError when it is not nbformat 4 JSON."""
    advice = f"Open and save it in Jupyter, or {UNREDACTED}."
    try:
        notebook = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise BundleError(f"{name} is not valid notebook JSON ({error}), so it cannot be redacted. {advice}") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise BundleError(f"{name} is not a notebook (no list of cells), so it cannot be redacted. {advice}")
    if notebook.get("nbformat") != 4:
        raise BundleError(
            f"{name} is in nbformat {notebook.get('nbformat')!r}, not 4, so it cannot be redacted. {advice}"
        )
    return notebook


@dataclass(frozen=True)
class _Slot:
    """One string of the notebook to redact: where it sits, whether it is stored as lines, how to escape."""

    container: Any  # the dict or list holding it
    key: Any  # its key or index there
    text: str
    style: Style
    lines: bool = False
    is_key: bool = False  # a JSON object's key rather than a value

    def write(self, new: str, renames: dict[int, tuple[dict[str, Any], dict[str, str]]]) -> None:
        """Put `new` where the string was; a key is renamed later, when every value below it is written."""
        if self.is_key:
            renames.setdefault(id(self.container), (self.container, {}))[1][self.key] = new
        else:
            self.container[self.key] = new.splitlines(keepends=True) if self.lines else new


class _Collector:
    """Finds every string of a notebook that may hold personal data: sources, text outputs, errors."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.slots: list[_Slot] = []

    def notebook(self, notebook: dict[str, Any]) -> list[_Slot]:
        for cell in notebook["cells"]:
            if not isinstance(cell, dict):
                raise self._invalid("a cell that is not a JSON object")
            if "source" in cell:
                self.text(cell, "source", "markdown" if cell.get("cell_type") == "markdown" else "plain")
            for attachment in _dict(cell.get("attachments")).values():
                self.bundle(attachment)
            for output in cell.get("outputs") or ():
                self.output(output)
        return self.slots

    def output(self, output: Any) -> None:
        if not isinstance(output, dict):
            raise self._invalid("an output that is not a JSON object")
        kind = output.get("output_type")
        if kind == "stream":
            self.text(output, "text", "plain")
        elif kind in ("execute_result", "display_data"):
            self.bundle(output.get("data"))
        elif kind == "error":
            self.text(output, "evalue", "plain")
            traceback = output.get("traceback", [])
            for index in range(len(traceback) if isinstance(traceback, list) else 0):
                self.text(traceback, index, "plain")
        else:  # not in nbformat 4: every string it holds is redacted rather than guessed harmless
            for key in output:
                if key != "output_type":
                    self.json(output, key)

    def bundle(self, bundle: Any) -> None:
        """A MIME bundle: text and JSON types are redacted; binary ones (images, PDF) are left as they are."""
        for mime in _dict(bundle):
            base = mime.split(";")[0].strip().lower()
            if base.endswith("json"):
                self.json(bundle, mime)
            elif base in ("text/html", "image/svg+xml") or base.endswith(("+xml", "/xml")):
                self.text(bundle, mime, "html")
            elif base.startswith("text/") or base in ("application/javascript", "application/x-latex"):
                self.text(bundle, mime, "markdown" if base == "text/markdown" else "plain")

    def text(self, container: Any, key: Any, style: Style) -> None:
        value = container[key]
        if isinstance(value, str):
            self.slots.append(_Slot(container, key, value, style))
        elif isinstance(value, list) and all(isinstance(line, str) for line in value):
            self.slots.append(_Slot(container, key, "".join(value), style, lines=True))
        else:
            raise self._invalid(f"a {key!r} that is neither a string nor a list of strings")

    def json(self, container: Any, key: Any) -> None:
        value = container[key]
        if isinstance(value, str):
            self.slots.append(_Slot(container, key, value, "plain"))
        elif isinstance(value, list):
            for index in range(len(value)):
                self.json(value, index)
        elif isinstance(value, dict):
            for inner in value:
                self.json(value, inner)
                self.slots.append(_Slot(value, inner, inner, "plain", is_key=True))

    def _invalid(self, what: str) -> BundleError:
        return BundleError(
            f"{self.name} has {what}, so it cannot be redacted. Open and save it in Jupyter, or {UNREDACTED}."
        )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class _View:
    """A text as detection sees it (escape codes, or markup too, taken out) and the way back to the original."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self._starts: list[int] = []  # where each segment begins in the view
        self._segments: list[tuple[int, int, bool]] = []  # (start, end) in the original, and whether kept as is
        self._parts: list[str] = []
        self._size = 0
        pos = 0
        for match in pattern.finditer(text):
            self._add(text[pos : match.start()], pos, match.start(), kept=True)
            self._add(_substitute(match), match.start(), match.end(), kept=False)
            pos = match.end()
        self.identity = pos == 0  # nothing matched (no pattern matches an empty string)
        self._add(text[pos:], pos, len(text), kept=True)
        self.text = text if self.identity else "".join(self._parts)
        del self._parts

    def _add(self, piece: str, start: int, end: int, *, kept: bool) -> None:
        if piece:
            self._starts.append(self._size)
            self._segments.append((start, end, kept))
            self._parts.append(piece)
            self._size += len(piece)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of view span [start, end); a span touching a substitute covers all it stands for."""
        if self.identity:
            return start, end
        first, last = bisect_right(self._starts, start) - 1, bisect_right(self._starts, end - 1) - 1
        begin, _, kept = self._segments[first]
        if kept:
            begin += start - self._starts[first]
        last_start, finish, kept = self._segments[last]
        if kept:
            finish = last_start + end - self._starts[last]
        return begin, finish


def _substitute(match: re.Match[str]) -> str:
    token = match.group()
    if token.startswith("\x1b"):
        return ""
    return " " if token.startswith("<") else html.unescape(token)


def _windows(text: str) -> list[tuple[int, str]]:
    """(offset, piece) covering `text`, ending at line breaks where there are some, overlapping by OVERLAP_CHARS."""
    if len(text) <= WINDOW_CHARS:
        return [(0, text)]
    pieces: list[tuple[int, str]] = []
    start = 0
    while True:
        end = min(start + WINDOW_CHARS, len(text))
        if end < len(text) and (cut := text.rfind("\n", start + WINDOW_CHARS // 2, end)) != -1:
            end = cut + 1
        pieces.append((start, text[start:end]))
        if end == len(text):
            return pieces
        start = end - OVERLAP_CHARS


def _known_pattern(known_values: Mapping[str, str]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One regex finding every known value, longest first, whitespace runs matching any whitespace."""
    types: dict[str, str] = {}
    for value, entity in known_values.items():
        if key := normalise(value):
            types.setdefault(key, entity)
    if not types:
        return None, types
    keys = sorted(types, key=len, reverse=True)
    return re.compile("|".join(r"\s+".join(map(re.escape, key.split(" "))) for key in keys)), types


def _find(
    texts: list[str],
    engine: DetectionEngine,
    entities: Collection[str],
    known_values: Mapping[str, str],
    name: str,
    deadline_ms: int,
) -> list[list[Finding]]:
    """Non-overlapping spans to replace in each text: the known values, and what detection finds."""
    known, known_types = _known_pattern(known_values)
    found: list[list[Finding]] = [[] for _ in texts]
    pieces: list[tuple[int, _View, int, str]] = []  # (text index, view, offset in the view, piece)
    for index, text in enumerate(texts):
        views = [_View(text, _ESCAPES)]
        if _MARKUP_ONLY.search(text):
            views.append(_View(text, _MARKUP))
        for view in views:
            for match in known.finditer(view.text) if known is not None else ():
                start, end = view.to_original(match.start(), match.end())
                found[index].append(Finding(known_types[normalise(match.group())], start, end, 1.0))
            if entities:
                pieces += [(index, view, offset, piece) for offset, piece in _windows(view.text) if piece.strip()]
    batch: list[tuple[int, _View, int, str]] = []
    size = 0
    for position, piece in enumerate(pieces):
        batch.append(piece)
        size += len(piece[3])
        if position == len(pieces) - 1 or size >= BATCH_CHARS:
            try:
                results = engine.analyze_many([p[3] for p in batch], entities, deadline_ms=deadline_ms)
            except DetectionFailed as error:
                raise BundleError(
                    f"{name} could not be redacted, so no bundle was written: {error}. Retry the export "
                    f"(`%aigov status` says whether detection is working), or {UNREDACTED}."
                ) from error
            for (index, view, offset, _), findings in zip(batch, results, strict=True):
                for f in findings:
                    start, end = view.to_original(offset + f.start, offset + f.end)
                    found[index].append(Finding(f.entity, start, end, f.score))
            batch, size = [], 0
    return [merge_spans(spans, {f.entity: "redact" for f in spans}) for spans in found]


def _replace(text: str, spans: list[Finding], style: Style, vault: PlaceholderVault, counts: Counter[str]) -> str:
    """`text` with each span replaced by its placeholder, escaped so the place it sits in shows it."""
    out: list[str] = []
    pos = 0
    for span in spans:
        value = text[span.start : span.end]
        if not normalise(value):
            continue
        # the same value gets the same placeholder whether it sat in a traceback, a table or plain text
        key = _MARKUP.sub(_substitute, value)
        placeholder = vault.placeholder_for(span.entity, key if normalise(key) else value)
        if style == "html":  # a bare <PERSON_1> would be read as an element, and not shown
            placeholder = html.escape(placeholder)
        elif style == "markdown":  # Jupyter's renderer also takes it for raw HTML
            placeholder = "\\" + placeholder
        out += (text[pos : span.start], placeholder)
        pos = span.end
        counts[span.entity] += 1
    out.append(text[pos:])
    return "".join(out)
