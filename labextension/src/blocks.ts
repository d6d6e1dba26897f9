/**
 * Which blocked decisions of a notebook are new, so each is announced once and old ones never.
 */
import { decisionKey } from './format';
import type { IDecision, INotebookState } from './types';

function timeOf(ts: string | null | undefined): number | null {
  const time = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(time) ? null : time;
}

/** The blocks of a state: its blocked decisions and its last block, once each, oldest first. */
export function blocksOf(state: INotebookState): IDecision[] {
  const blocks = new Map<string, IDecision>();
  for (const decision of [...state.decisions, state.last_block]) {
    if (decision && decision.decision === 'block') {
      blocks.set(decisionKey(decision), decision);
    }
  }
  return [...blocks.values()].sort((a, b) => (timeOf(a.ts) ?? 0) - (timeOf(b.ts) ?? 0) || a.seq - b.seq);
}

/**
 * Remembers the blocks seen in a notebook's states; `newBlocks` answers those not seen before.
 *
 * The first state is the baseline: its blocks are history, not news. Blocks no later than the newest
 * record of that baseline are history too, so a state that loses and regains old evidence (a rename the
 * server has not recorded yet) does not replay them.
 */
export class BlockWatch {
  private readonly seen = new Set<string>();
  private baseline: number | null = null;
  private loaded = false;

  /** Whether a first state was seen. */
  get isLoaded(): boolean {
    return this.loaded;
  }

  /** The blocks of `state` not seen in an earlier state and later than the first one; none for the first. */
  newBlocks(state: INotebookState): IDecision[] {
    const blocks = blocksOf(state);
    if (!this.loaded) {
      this.loaded = true;
      this.baseline = newestTime(state);
      blocks.forEach(block => this.seen.add(decisionKey(block)));
      return [];
    }
    const fresh = blocks.filter(block => {
      if (this.seen.has(decisionKey(block))) {
        return false;
      }
      const time = timeOf(block.ts);
      return this.baseline === null || time === null || time > this.baseline;
    });
    blocks.forEach(block => this.seen.add(decisionKey(block)));
    return fresh;
  }
}

/** The time of the newest record a state knows of, or null when it has none. */
function newestTime(state: INotebookState): number | null {
  const times = [state.evidence?.last_ts, state.last_decision?.ts, ...state.decisions.map(item => item.ts)]
    .map(timeOf)
    .filter((time): time is number => time !== null);
  return times.length > 0 ? Math.max(...times) : null;
}

/** The notification text of a new block: what was blocked, by which rule, and why. */
export function blockMessage(block: IDecision, notebookPath: string): string {
  const name = notebookPath.split('/').pop() || notebookPath;
  const what = block.tool ? `Tool call ${block.tool}` : block.event === 'gateway.error' ? 'AI call (gateway error)' : 'AI call';
  const model = block.model ? ` to ${block.model}` : '';
  const rule = block.rule ? ` by rule ${block.rule}` : '';
  const reason = block.reason ? `: ${block.reason}` : '.';
  return `${what}${model} blocked in ${name}${rule}${reason}`;
}
