/**
 * What the status bar says about the active notebook: its text, its tooltip, and whether it needs attention.
 */
import { ENABLE_COMMAND } from './api';
import { decisionKey, describeDecision, plural } from './format';
import type { IGovernanceStatus } from './model';
import type { INotebookState } from './types';

/** The kinds of thing the status bar can say; also its `data-state` attribute. */
export type SummaryState = 'no-notebook' | 'loading' | 'not-enabled' | 'error' | 'not-loaded' | 'governed';

/** The status bar's content for one status. */
export interface ISummary {
  state: SummaryState;
  text: string;
  tooltip: string;
  /** A call of this notebook was blocked: draw attention. */
  blocked: boolean;
}

/** The magic that governs a notebook's AI calls. */
export const LOAD_MAGIC = '%load_ext aigov';

/** Whether any AI or tool call of the notebook was blocked. */
export function hasBlocks(state: INotebookState): boolean {
  return state.counts.blocked + state.counts.tool_blocks > 0 || state.last_block !== null;
}

/** The policy as shown: its name, and where it came from unless that is the evidence. */
export function policyLabel(state: INotebookState): string {
  const where = state.policy.path && state.policy.path !== state.policy.name ? ` (${state.policy.path})` : '';
  const origin = state.policy.origin === 'evidence' ? '' : `, ${state.policy.origin}`;
  return `${state.policy.name}${where}${origin}`;
}

/** The status bar's text, tooltip and attention for the active notebook's status (null: no notebook). */
export function summarize(status: IGovernanceStatus | null, now: Date = new Date()): ISummary {
  if (status === null) {
    return { state: 'no-notebook', text: 'AI governance', tooltip: 'AI governance: no notebook is active.', blocked: false };
  }
  if (status.phase === 'not-enabled') {
    return {
      state: 'not-enabled',
      text: 'AI governance: server extension not enabled',
      tooltip: `The jupyter_aigov server extension is not enabled. Run\n  ${ENABLE_COMMAND}\nthen restart jupyter lab.`,
      blocked: false
    };
  }
  const state = status.state;
  if (state === null) {
    if (status.phase === 'error') {
      return {
        state: 'error',
        text: 'AI governance: unavailable',
        tooltip: `AI governance of ${status.path} could not be read: ${status.error ?? 'unknown error'}`,
        blocked: false
      };
    }
    return { state: 'loading', text: 'AI governance: loading…', tooltip: `Reading the evidence of ${status.path}…`, blocked: false };
  }
  const stale = status.phase === 'error' && status.error ? [`Last refresh failed: ${status.error}`] : [];
  if (!state.governed) {
    return {
      state: 'not-loaded',
      text: 'AI governance: not loaded',
      tooltip: [
        `No AI calls recorded for ${status.path} yet.`,
        `Run ${LOAD_MAGIC} in the notebook to govern its AI calls.`,
        `Policy that would apply: ${policyLabel(state)}`,
        ...stale
      ].join('\n'),
      blocked: false
    };
  }
  const { counts } = state;
  const blocked = counts.blocked + counts.tool_blocks;
  const parts = [
    state.policy.name,
    plural(counts.calls, 'call'),
    plural(counts.redactions, 'redaction'),
    `${blocked} blocked`
  ];
  if (!state.kernel_extension) {
    parts.push('not loaded');
  }
  const tooltip = [
    `AI governance of ${status.path}`,
    `Policy: ${policyLabel(state)}${state.policy.use_case ? `; use case ${state.policy.use_case}` : ''}`,
    `${plural(counts.calls, 'AI call')}: ${counts.allowed} allowed, ${counts.redacted} redacted ` +
      `(${plural(counts.redactions, 'redaction')}), ${counts.blocked} blocked`,
    counts.tool_calls > 0 ? `${plural(counts.tool_calls, 'tool call')}: ${counts.tool_blocks} blocked` : null,
    state.last_decision ? `Last decision: ${describeDecision(state.last_decision, now)}` : 'No decision yet',
    state.last_block && (!state.last_decision || decisionKey(state.last_block) !== decisionKey(state.last_decision))
      ? `Last block: ${describeDecision(state.last_block, now)}`
      : null,
    state.kernel_extension ? null : `The running kernel has not loaded the extension: run ${LOAD_MAGIC} in it.`,
    state.policy.error ? `Policy error: ${state.policy.error}` : null,
    ...stale
  ];
  return {
    state: 'governed',
    text: parts.join(' · '),
    tooltip: tooltip.filter(line => line !== null).join('\n'),
    blocked: hasBlocks(state)
  };
}
