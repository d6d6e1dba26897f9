"""The bundle's report for an auditor: one self-contained HTML page built from an `EvidenceSummary`.

Self-contained so it reads the same offline and years later: inline CSS, plots as PNG data URIs, no
JavaScript, nothing fetched. Everything that comes from users, logs or the inventory is escaped, and the page's
Content-Security-Policy would keep a script from running even if something were not.
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from aigov_core.evidence.timestamps import parse_ts
from aigov_core.inventory.records import RISK_TIER_LABELS
from jupyter_aigov.bundle.summary import EvidenceSummary
from jupyter_aigov.charts import COLOURS, breakdown_png, timeline_png

MAX_NAMES = 20  # users, sessions, use cases listed by name; past that, counted
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
STYLE = f"""
body {{ font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 2em auto;
  max-width: 72em; padding: 0 1em; }}
h1 {{ font-size: 1.6em; margin-bottom: .2em; }}
h2 {{ font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }}
table {{ border-collapse: collapse; margin: .5em 0; }}
th, td {{ padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }}
th {{ background: #f4f4f4; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
code {{ font-size: .9em; word-break: break-all; }}
pre {{ background: #f4f4f4; padding: .6em 1em; }}
.meta {{ color: #555; }}
.empty {{ color: #666; font-style: italic; }}
.figures {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(11em, 1fr)); gap: .5em; }}
.figures div {{ border: 1px solid #ddd; border-radius: 4px; padding: .4em .8em; }}
.figures b {{ display: block; font-size: 1.4em; }}
.allow {{ color: {COLOURS["allow"]}; }}
.redact {{ color: {COLOURS["redact"]}; }}
.block, .overdue, .missing {{ color: {COLOURS["block"]}; font-weight: bold; }}
img {{ max-width: 100%; display: block; margin: .5em 0; }}
@media print {{ h2 {{ break-after: avoid; }} tr {{ break-inside: avoid; }} }}
"""


def render_report(
    summary: EvidenceSummary,
    *,
    title: str,
    exported_at: str,
    exported_by: str,
    filters: Mapping[str, Any],
    logs: Sequence[Mapping[str, Any]],
    registrations: Sequence[Mapping[str, Any]],
    assessments: Sequence[Mapping[str, Any]],
    policies: Sequence[Mapping[str, Any]],
    notebooks: Sequence[Mapping[str, Any]],
) -> str:
    """The report as an HTML5 document."""
    exported = parse_ts(exported_at)
    sections = [
        _header(title, exported_at, exported_by, filters),
        _figures(summary),
        _charts(summary),
        _blocks(summary),
        _entities(summary),
        _models_used(summary),
        _inventory(registrations, assessments, exported.date() if exported else None),
        _policies(policies, summary),
        _logs(logs),
        _notebooks(notebooks),
        _how_to_verify(),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def _header(title: str, exported_at: str, exported_by: str, filters: Mapping[str, Any]) -> str:
    if filters:
        rows = [[_text(key), _text(_joined(value))] for key, value in filters.items()]
        scope = "<p>Only the records that match these filters are included:</p>" + _table(["Filter", "Value"], rows)
    else:
        scope = "<p>No filters: every record of the logs is included.</p>"
    return (
        f"<header><h1>{_text(title)}</h1>"
        f'<p class="meta">Exported {_text(exported_at)} by {_text(exported_by)}.</p>{scope}</header>'
    )


def _figures(summary: EvidenceSummary) -> str:
    calls = summary.ai_calls
    input_tokens, output_tokens = summary.tokens()
    tools = summary.tool_calls
    figures = [
        ("AI calls", f"{sum(calls.values()):,}", ""),
        ("allowed", f"{calls['allow']:,}", "allow"),
        ("redacted", f"{calls['redact']:,}", "redact"),
        ("blocked", f"{calls['block']:,}", "block"),
        ("tool calls blocked", f"{tools['block']:,} of {sum(tools.values()):,}", "block" if tools["block"] else ""),
        ("tokens in / out", f"{input_tokens:,} / {output_tokens:,}", ""),
        ("spend", _usd(summary.spend_usd()), ""),
        ("gateway errors", f"{summary.gateway_errors:,}", "block" if summary.gateway_errors else ""),
    ]
    cells = "".join(f"<div><b{_class(style)}>{value}</b>{label}</div>" for label, value, style in figures)
    records = sum(summary.records_by_log.values())
    period = f"from {_when(summary.first)} to {_when(summary.last)}" if summary.first and summary.last else "no times"
    recovered = summary.records_by_event["evidence.recovered"]
    details = [
        f"{records:,} evidence records in {len(summary.records_by_log)} log(s), {period}.",
        f"Users: {_names(summary.users)}. Use cases: {_names(summary.use_cases)}. "
        f"Kernel sessions: {len(summary.sessions):,}.",
    ]
    unpriced = sum(usage.responses - usage.priced for usage in summary.models.values())
    if unpriced:
        details.append(f"Spend leaves out {unpriced:,} response(s) of models with no known price.")
    if recovered:
        details.append(
            f'<span class="block">{recovered} record(s) cut short by a crash</span> are accounted for by '
            "recovery records in the logs."
        )
    if not sum(calls.values()):
        details.append('<span class="empty">No AI calls are recorded in these logs.</span>')
    return (
        f'<section id="summary"><h2>Summary</h2><div class="figures">{cells}</div>'
        + "".join(f"<p>{detail}</p>" for detail in details)
        + "</section>"
    )


def _charts(summary: EvidenceSummary) -> str:
    timeline = _image(timeline_png(summary.timeline()), "AI call decisions over time, stacked by decision")
    breakdown = _image(breakdown_png(summary.tally()), "Blocks and redactions by model and use case")
    return f'<section id="charts"><h2>Decisions over time</h2>{timeline}{breakdown}</section>'


def _blocks(summary: EvidenceSummary) -> str:
    rules = sorted(
        set(summary.blocks_by_rule) | set(summary.tool_blocks_by_rule),
        key=lambda rule: (-(summary.blocks_by_rule[rule] + summary.tool_blocks_by_rule[rule]), rule),
    )
    rows = [
        [f"<code>{_text(rule)}</code>", _num(summary.blocks_by_rule[rule]), _num(summary.tool_blocks_by_rule[rule])]
        for rule in rules
    ]
    table = _table(["Rule", "AI calls blocked", "Tool calls blocked"], rows, "Nothing was blocked.")
    note = "<p>A decision that names several rules is counted under each.</p>" if rows else ""
    return f'<section id="blocks"><h2>Blocks by rule</h2>{table}{note}</section>'


def _entities(summary: EvidenceSummary) -> str:
    redacted = summary.entities_by_decision.get("redact", Counter())
    blocked = summary.entities_by_decision.get("block", Counter())
    rows = [
        [_text(kind), _num(count), _num(redacted[kind]), _num(blocked[kind])]
        for kind, count in sorted(summary.entities.items(), key=lambda item: (-item[1], item[0]))
    ]
    headers = ["Entity type", "Found", "Replaced by placeholders (call sent)", "In blocked calls (not sent)"]
    table = _table(headers, rows, "No sensitive entities were found in AI calls.")
    return f'<section id="entities"><h2>Sensitive entities in AI calls</h2>{table}</section>'


def _models_used(summary: EvidenceSummary) -> str:
    headers = ["Provider", "Model", "Calls", "Allowed", "Redacted", "Blocked", "Tokens in", "Tokens out", "Cost"]
    rows = [
        [
            _text(usage.provider),
            _text(usage.model),
            *(_num(n) for n in (usage.calls, usage.allowed, usage.redacted, usage.blocked)),
            *(_num(n) for n in (usage.input_tokens, usage.output_tokens)),
            f'<td class="num">{_usd(usage.cost_usd)}</td>' if usage.priced else '<td class="empty">not priced</td>',
            _text(_when(usage.last_used)),
        ]
        for usage in summary.model_usage()
    ]
    table = _table([*headers, "Last used"], rows, "No models were called.")
    return f'<section id="models-used"><h2>Models used</h2>{table}</section>'


def _inventory(
    registrations: Sequence[Mapping[str, Any]], assessments: Sequence[Mapping[str, Any]], today: date | None
) -> str:
    by_model: dict[str, list[Mapping[str, Any]]] = {}
    for assessment in assessments:
        by_model.setdefault(str(assessment.get("model_id")), []).append(assessment)
    rows = []
    for registration in registrations:
        model_id = str(registration.get("id"))
        names = [*(registration.get("model_ids") or []), *(registration.get("aliases") or [])]
        tier = registration.get("risk_tier")
        rows.append(
            [
                f"<code>{_text(model_id)}</code>",
                _text(registration.get("name")) + (f" {_text(v)}" if (v := registration.get("version")) else ""),
                _text(registration.get("provider")),
                _text(", ".join(map(str, names))),
                _text(registration.get("owner")),
                _text(RISK_TIER_LABELS.get(str(tier), tier)),
                *_assessment_cells(by_model.pop(model_id, []), today),
            ]
        )
    for model_id, unregistered in sorted(by_model.items()):  # assessments of a model no registration names
        rows.append([f"<code>{_text(model_id)}</code>", '<span class="missing">not registered</span>', "", "", "", ""])
        rows[-1].extend(_assessment_cells(unregistered, today))
    headers = ["Model id", "Name", "Provider", "Called as", "Owner", "Risk tier", "Assessments", "In force"]
    table = _table(headers, rows, "No models are registered in the inventory.")
    when = f"as of {today.isoformat()}, the export date" if today else "the export date could not be read"
    return f'<section id="inventory"><h2>Registered models</h2><p class="meta">Reviews {when}.</p>{table}</section>'


def _assessment_cells(assessments: Sequence[Mapping[str, Any]], today: date | None) -> list[str]:
    """The assessments listed (framework, status, next review with overdue marked) and whether one is in force."""
    lines, in_force = [], False
    for item in sorted(assessments, key=lambda a: str(a.get("framework"))):
        status, review = str(item.get("status") or "draft"), _date(item.get("next_review"))
        line = f"{_text(item.get('framework'))}: <b>{_text(status)}</b>"
        if item.get("next_review"):
            line += f", next review {_text(item.get('next_review'))}"
        if status == "approved" and review is not None and today is not None and review < today:
            line += ' <span class="overdue">overdue</span>'
        elif status == "approved":
            in_force = True
        lines.append(line)
    listed = "<br>".join(lines) or '<span class="empty">none</span>'
    return [listed, '<span class="allow">yes</span>' if in_force else '<span class="block">no</span>']


def _policies(policies: Sequence[Mapping[str, Any]], summary: EvidenceSummary) -> str:
    included = {str(policy.get("sha256")) for policy in policies}
    rows = []
    for policy in policies:
        note = ""
        if policy.get("changed_since_loaded"):  # the file was edited after the kernel loaded it
            then = _code(policy.get("in_force_sha256"))
            note = f'<br><span class="missing">edited since loaded; in force then:</span> {then}'
        seen = "yes" if str(policy.get("sha256")) in summary.policies else "no"
        rows.append([_code(policy.get("path")), _text(policy.get("source")), _code(policy.get("sha256")) + note, seen])
    bundled = _table(["In bundle", "Source", "SHA-256", "Seen in logs"], rows, "No policy file is included.")
    seen_rows = [
        [
            _code(sha),
            _text(", ".join(sorted(sources))),
            '<span class="allow">yes</span>' if sha in included else '<span class="missing">no</span>',
        ]
        for sha, sources in sorted(summary.policies.items())
    ]
    seen = _table(["SHA-256", "Loaded from", "Included"], seen_rows, "The logs record no policy loads.")
    return (
        f'<section id="policies"><h2>Policies</h2><h3>Policies in force (included)</h3>{bundled}'
        f"<h3>Policies the evidence was decided under</h3>{seen}</section>"
    )


def _logs(logs: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for log in logs:
        counts = f"{_count(log.get('included'))} of {_count(log.get('records'))}"
        tail = log.get("unfinished_tail_bytes")
        if tail:
            counts += f"<br>({_count(tail)} bytes of an unfinished last line left out)"
        rows.append(
            [
                _code(log.get("path")),
                _text(log.get("source")),
                _text(log.get("kind")),
                counts,
                _code(log.get("head_hash")),
            ]
        )
    headers = ["In bundle", "Source", "Kind", "Records included", "Head hash"]
    table = _table(headers, rows, "No evidence logs are included.")
    note = "<p>An excerpt keeps the chain: each run of records left out is one line with the hash of its last.</p>"
    excerpts = any(log.get("kind") == "excerpt" for log in logs)
    return f'<section id="logs"><h2>Evidence logs</h2>{table}{note if excerpts else ""}</section>'


def _notebooks(notebooks: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for notebook in notebooks:
        entities = notebook.get("entities") or {}
        found = ", ".join(f"{kind} {count}" for kind, count in sorted(entities.items()))
        redacted = "yes" if notebook.get("redacted") else '<span class="block">no</span>'
        rows.append([_code(notebook.get("path")), _text(notebook.get("source")), redacted, _text(found)])
    table = _table(["In bundle", "Source", "Redacted", "Entities replaced"], rows, "No notebooks are included.")
    return f'<section id="notebooks"><h2>Notebooks</h2>{table}</section>'


def _how_to_verify() -> str:
    command = _text("aigov verify <bundle.zip> [--signer FINGERPRINT]")
    return (
        f'<section id="verify"><h2>How to verify</h2><pre>{command}</pre>'
        "<p>It checks every file against the bundle's SHA-256 manifests, the signature over them, and the hash "
        "chain of every evidence log; it exits 0 when the bundle is intact and 1 when not, naming the first fault. "
        "With <code>--signer</code> it also checks that the bundle was signed by the key with that fingerprint: "
        "take the fingerprint from the person who exported the bundle, not from the bundle itself.</p></section>"
    )


def _table(headers: list[str], rows: Iterable[list[str]], empty: str = "None.") -> str:
    """Rows of HTML cells (a bare value becomes a <td>); `empty` in their place when there are none."""
    body = "".join(
        "<tr>" + "".join(cell if cell.startswith("<td") else f"<td>{cell}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    if not body:
        return f'<p class="empty">{_text(empty)}</p>'
    head = "".join(f"<th>{_text(header)}</th>" for header in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(png: bytes, alt: str) -> str:
    return f'<img alt="{_text(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def _class(name: str) -> str:
    return f' class="{name}"' if name else ""


def _text(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _code(value: Any) -> str:
    return f"<code>{_text(value)}</code>" if value not in (None, "") else ""


def _num(value: int) -> str:
    return f'<td class="num">{value:,}</td>'


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else _text(value)


def _joined(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple | set) else str(value)


def _names(values: set[str]) -> str:
    if not values:
        return "none"
    shown = ", ".join(_text(value) for value in sorted(values)[:MAX_NAMES])
    return shown + (f" and {len(values) - MAX_NAMES:,} more" if len(values) > MAX_NAMES else "")


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else ""


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _usd(amount: float) -> str:
    if amount >= 1:
        return f"${amount:,.2f}"
    return f"${amount:.4f}" if amount >= 0.0001 or not amount else f"${amount:.6f}"  # cents hide what small calls cost
