/**
 * Plain-text formatting of decisions, counts and times for the status bar and the panel.
 */
import type { IDecision, IModelRow } from './types';

/** The key of a decision: `seq` is unique only within its evidence log. */
export function decisionKey(decision: Pick<IDecision, 'log' | 'seq'>): string {
  return `${decision.log}#${decision.seq}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** A record's time in local time: `HH:MM:SS` on the day of `now`, else `YYYY-MM-DD HH:MM`; the raw text if unparsable. */
export function formatTime(ts: string | null | undefined, now: Date = new Date()): string {
  if (!ts) {
    return '—';
  }
  const when = new Date(ts);
  if (Number.isNaN(when.getTime())) {
    return ts;
  }
  const clock = `${pad(when.getHours())}:${pad(when.getMinutes())}`;
  const sameDay =
    when.getFullYear() === now.getFullYear() && when.getMonth() === now.getMonth() && when.getDate() === now.getDate();
  if (sameDay) {
    return `${clock}:${pad(when.getSeconds())}`;
  }
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${clock}`;
}

/** Entity counts as `EMAIL_ADDRESS 2, PERSON 1` (by name), or `—` when nothing was found. */
export function formatEntities(entities: Record<string, number> | null | undefined): string {
  const names = Object.keys(entities ?? {})
    .filter(name => (entities as Record<string, number>)[name] > 0)
    .sort();
  if (names.length === 0) {
    return '—';
  }
  return names.map(name => `${name} ${(entities as Record<string, number>)[name]}`).join(', ');
}

/** `1 call`, `2 calls`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** What a decision was about: the model, or the tool of a tool call. */
export function decisionSubject(decision: IDecision): string {
  if (decision.tool) {
    return decision.model ? `${decision.model} → tool ${decision.tool}` : `tool ${decision.tool}`;
  }
  return decision.model ?? decision.provider ?? '—';
}

/** The cells of one row of the decisions table. */
export interface IDecisionRow {
  key: string;
  seq: number;
  decision: string;
  time: string;
  model: string;
  rule: string;
  entities: string;
  /** The row's tooltip: the full time, event, rules and reason. */
  title: string;
}

/** One decision as a row of the decisions table. */
export function decisionRow(decision: IDecision, now: Date = new Date()): IDecisionRow {
  const details = [
    `${decision.ts} · ${decision.event}`,
    decision.rules.length > 0 ? `Rules: ${decision.rules.join(', ')}` : 'No rule matched',
    decision.reason ? `Reason: ${decision.reason}` : null,
    decision.use_case ? `Use case: ${decision.use_case}` : null
  ];
  return {
    key: decisionKey(decision),
    seq: decision.seq,
    decision: decision.decision,
    time: formatTime(decision.ts, now),
    model: decisionSubject(decision),
    rule: decision.rule ?? '—',
    entities: formatEntities(decision.entities),
    title: details.filter(line => line !== null).join('\n')
  };
}

/** One line about a decision: `12:03:04 · gpt-4o · block · rule no-pii · <reason>`. */
export function describeDecision(decision: IDecision, now: Date = new Date()): string {
  const parts = [formatTime(decision.ts, now), decisionSubject(decision), decision.decision];
  if (decision.rule) {
    parts.push(`rule ${decision.rule}`);
  }
  if (decision.reason) {
    parts.push(decision.reason);
  }
  return parts.join(' · ');
}

/** The cells of one row of the registered models table. */
export interface IModelCells {
  model: string;
  provider: string;
  risk: string;
  assessments: string;
  status: string;
  /** `approved`, `not-approved`: for styling. */
  approval: 'approved' | 'not-approved';
}

/** One registered model as a row: its name and version, provider, risk tier, assessments and approval. */
export function modelCells(row: IModelRow): IModelCells {
  const name = row.name || row.id || '—';
  const assessments = Object.entries(row.assessments ?? {})
    .map(([framework, status]) => `${framework}: ${status}`)
    .join(', ');
  const status = row.approved
    ? row.next_review
      ? `approved, review by ${row.next_review}`
      : 'approved'
    : 'not approved: no assessment in force';
  return {
    model: row.version ? `${name} ${row.version}` : String(name),
    provider: row.provider || '—',
    risk: row.risk_tier || '—',
    assessments: assessments || 'none',
    status,
    approval: row.approved ? 'approved' : 'not-approved'
  };
}
