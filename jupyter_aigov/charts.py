"""Decision plots for the dashboard and the bundle report: rows tallied, then drawn with matplotlib into PNG bytes.

Only `matplotlib.figure.Figure` is used, never pyplot: no global figure registry, no GUI backend, safe in
any thread.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from aigov_core.evidence.timestamps import parse_ts

BucketSize = Literal["minute", "hour", "day"]
DECISIONS = ("allow", "redact", "block")
COLOURS = {"allow": "#2e7d32", "redact": "#f0a000", "block": "#c62828"}
BUCKET_LENGTHS: dict[BucketSize, timedelta] = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
}
# each size keeps a chart at no more than ~120 bars: minutes up to two hours, hours up to five days
MINUTES_UP_TO = timedelta(hours=2)
HOURS_UP_TO = timedelta(days=5)
MAX_BARS = 10  # (model, use case) pairs drawn; the rest are summed up in the title
DPI = 80  # small and fixed: a redraw costs tens of milliseconds
TIMELINE_SIZE = (6.4, 2.4)
BREAKDOWN_WIDTH = 6.4
NO_MODEL = "(no model)"
NO_USE_CASE = "(no use case)"


@dataclass(frozen=True)
class Timeline:
    """Decisions counted per time bucket: `counts` holds (bucket start, {decision: count}) for every bucket from
    the first call's to the last's, empty ones included, oldest first."""

    size: BucketSize = "minute"
    counts: list[tuple[datetime, dict[str, int]]] = field(default_factory=list)


def bucket_size(span: timedelta) -> BucketSize:
    """The bucket that shows calls spread over `span` with enough, but not too many, bars."""
    if span <= MINUTES_UP_TO:
        return "minute"
    if span <= HOURS_UP_TO:
        return "hour"
    return "day"


def bucket_start(moment: datetime, size: BucketSize) -> datetime:
    """The start of the bucket `moment` falls in."""
    if size == "minute":
        return moment.replace(second=0, microsecond=0)
    if size == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def decisions_over_time(rows: Iterable[Mapping[str, Any]]) -> Timeline:
    """Count allow / redact / block per bucket, the bucket size chosen from the span the rows cover."""
    timed: list[tuple[datetime, str]] = []
    for row in rows:
        moment, decision = parse_ts(row.get("ts")), row.get("decision")
        if moment is not None and decision in DECISIONS:
            timed.append((moment, str(decision)))
    if not timed:
        return Timeline()
    moments = [moment for moment, _ in timed]
    size = bucket_size(max(moments) - min(moments))
    step = BUCKET_LENGTHS[size]
    first, last = bucket_start(min(moments), size), bucket_start(max(moments), size)
    buckets = {first + step * index: dict.fromkeys(DECISIONS, 0) for index in range((last - first) // step + 1)}
    for moment, decision in timed:
        buckets[bucket_start(moment, size)][decision] += 1
    return Timeline(size, list(buckets.items()))


def tally_by_model_use_case(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (model, use case) with its allow / redact / block counts; most blocks and redactions first."""
    tally: dict[tuple[str, str], Counter[str]] = {}
    for row in rows:
        decision = row.get("decision")
        if decision not in DECISIONS:
            continue
        key = (str(row.get("model") or NO_MODEL), str(row.get("use_case") or NO_USE_CASE))
        tally.setdefault(key, Counter())[decision] += 1
    entries = [
        {"model": model, "use_case": use_case, **{decision: counts[decision] for decision in DECISIONS}}
        for (model, use_case), counts in tally.items()
    ]
    return sorted(entries, key=lambda e: (-(e["block"] + e["redact"]), -e["block"], e["model"], e["use_case"]))


def timeline_png(timeline: Timeline) -> bytes:
    """Stacked bars of decisions per bucket, coloured by decision."""
    figure = Figure(figsize=TIMELINE_SIZE, dpi=DPI, layout="tight")
    axes = figure.subplots()
    axes.set_title(f"Decisions per {timeline.size}", fontsize=10)
    axes.set_xlabel("Time (UTC)", fontsize=9)
    axes.set_ylabel("Decisions", fontsize=9)
    axes.tick_params(labelsize=8)
    if not timeline.counts:
        _note(axes, "No AI calls yet.")
        return _png(figure)
    width = BUCKET_LENGTHS[timeline.size] / timedelta(days=1)  # date numbers count days
    first = float(date2num(timeline.counts[0][0]))
    edges = [first + width * index for index in range(len(timeline.counts) + 1)]
    # one filled step outline per decision, stacked: a bar per bucket would cost a patch each, and a redraw ten times
    # as long
    bottoms = [0] * len(timeline.counts)
    for decision in DECISIONS:
        tops = [bottom + counts[decision] for bottom, (_, counts) in zip(bottoms, timeline.counts, strict=True)]
        axes.stairs(tops, edges, baseline=bottoms, fill=True, color=COLOURS[decision], label=decision)
        bottoms = tops
    axes.set_xlim(edges[0] - width, edges[-1] + width)  # one bucket alone still gets room either side
    axes.set_ylim(0, max(max(bottoms), 1) * 1.1)
    locator = AutoDateLocator(tz=UTC)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=UTC))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_beside(axes)
    return _png(figure)


def breakdown_png(entries: list[dict[str, Any]]) -> bytes:
    """Horizontal bars of block and redact counts, one per (model, use case) that had any."""
    shown = [entry for entry in entries if entry["block"] or entry["redact"]]
    drawn = shown[:MAX_BARS]
    figure = Figure(figsize=(BREAKDOWN_WIDTH, 1.2 + 0.3 * max(len(drawn), 2)), dpi=DPI, layout="tight")
    axes = figure.subplots()
    more = f" (top {MAX_BARS} of {len(shown)})" if len(shown) > MAX_BARS else ""
    axes.set_title(f"Blocks and redactions by model and use case{more}", fontsize=10)
    axes.set_xlabel("Calls", fontsize=9)
    axes.tick_params(labelsize=8)
    if not drawn:
        _note(axes, "No blocks or redactions yet.")
        return _png(figure)
    labels = [f"{entry['model']} · {entry['use_case']}" for entry in drawn]
    blocks = [entry["block"] for entry in drawn]
    redactions = [entry["redact"] for entry in drawn]
    positions = list(range(len(drawn)))
    axes.barh(positions, blocks, color=COLOURS["block"], label="block")
    axes.barh(positions, redactions, left=blocks, color=COLOURS["redact"], label="redact")
    axes.set_yticks(positions, labels, parse_math=False)  # a model named a$b$c is a name, not mathtext
    axes.invert_yaxis()  # the most blocked on top
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _legend_beside(axes)
    return _png(figure)


def _note(axes: Any, text: str) -> None:
    """An empty chart that says why it is empty."""
    axes.text(0.5, 0.5, text, ha="center", va="center", fontsize=9, color="#666666", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def _legend_beside(axes: Any) -> None:
    """The legend right of the plot, where it hides no bar."""
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
