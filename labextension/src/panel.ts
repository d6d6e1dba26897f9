/**
 * The "AI governance" side panel: the active notebook's summary, decisions, models, export and push.
 */
import { Widget } from '@lumino/widgets';

import { ENABLE_COMMAND } from './api';
import { decisionRow, modelCells } from './format';
import type { IGovernanceStatus } from './model';
import { LOAD_MAGIC, policyLabel } from './summary';
import type { INotebookState } from './types';

/** The panel's empty state for a notebook without evidence. */
export const NO_EVIDENCE_TEXT = `No AI calls recorded for this notebook yet. Run ${LOAD_MAGIC} in it.`;
/** The panel's empty state when no notebook is active. */
export const NO_NOTEBOOK_TEXT = 'Open a notebook to see its AI governance.';
/** Why the push button is disabled without a registry. */
export const NO_REGISTRY_TEXT =
  'No registry configured: set AIGOV_REGISTRY_URL (and AIGOV_REGISTRY_TOKEN) in the environment of jupyter lab.';

type Action = 'export' | 'push';

export namespace GovernancePanel {
  export interface IOptions {
    /** Export a bundle of the notebook at `path` and download it; resolves to a sentence saying what was done. */
    exportBundle: (path: string) => Promise<string>;
    /** Push a bundle of the notebook at `path` to the registry; resolves to a sentence saying what was done. */
    push: (path: string) => Promise<string>;
    /** Tells the user an action failed (a notification). */
    reportError: (message: string) => void;
  }
}

/** The side panel; `render` shows the active notebook's status (null: none is active). */
export class GovernancePanel extends Widget {
  constructor(private readonly options: GovernancePanel.IOptions) {
    super();
    this.id = 'jp-aigov-panel';
    this.addClass('jp-aigov-panel');
    this.title.label = '';
    this.title.caption = 'AI governance';
    this.render(null);
  }

  /** The status shown. */
  get status(): IGovernanceStatus | null {
    return this._status;
  }

  /** Shows the status of the active notebook, or the no-notebook state. */
  render(status: IGovernanceStatus | null): void {
    this._status = status;
    const node = this.node;
    node.dataset.state = status === null ? 'no-notebook' : status.state ? (status.state.governed ? 'governed' : 'empty') : status.phase;
    const children: HTMLElement[] = [element('h2', 'jp-aigov-title', 'AI governance')];
    if (status === null) {
      children.push(element('p', 'jp-aigov-empty', NO_NOTEBOOK_TEXT));
      node.replaceChildren(...children);
      return;
    }
    children.push(element('div', 'jp-aigov-path', status.path));
    const state = status.state;
    if (state === null) {
      children.push(this.placeholder(status));
    } else if (!state.governed) {
      children.push(element('p', 'jp-aigov-empty', NO_EVIDENCE_TEXT), this.summary(state), ...this.models(state));
    } else {
      children.push(this.summary(state), this.actions(state), ...this.decisions(state), ...this.models(state));
    }
    if (status.phase === 'error' && status.error && state !== null) {
      children.push(element('p', 'jp-aigov-error', `Last refresh failed: ${status.error}`));
    }
    node.replaceChildren(...children);
  }

  private placeholder(status: IGovernanceStatus): HTMLElement {
    if (status.phase === 'not-enabled') {
      const text = element('p', 'jp-aigov-empty jp-aigov-not-enabled', 'The jupyter_aigov server extension is not enabled. Run ');
      text.append(element('code', '', ENABLE_COMMAND), ' and restart jupyter lab.');
      return text;
    }
    if (status.phase === 'error') {
      return element('p', 'jp-aigov-empty jp-aigov-error', status.error ?? 'The AI governance of this notebook could not be read.');
    }
    return element('p', 'jp-aigov-empty jp-aigov-loading', 'Loading…');
  }

  private summary(state: INotebookState): HTMLElement {
    const { counts } = state;
    const rows: [string, string][] = [
      ['Policy', policyLabel(state)],
      ['Use case', state.policy.use_case ?? '—']
    ];
    if (state.policy.error) {
      rows.push(['Policy error', state.policy.error]);
    }
    if (state.governed) {
      rows.push(
        ['AI calls', `${counts.calls}: ${counts.allowed} allowed, ${counts.redacted} redacted, ${counts.blocked} blocked`],
        ['Redactions', String(counts.redactions)],
        ['Tool calls', `${counts.tool_calls}: ${counts.tool_blocks} blocked`],
        ['Kernel extension', state.kernel_extension ? 'loaded' : `not loaded (run ${LOAD_MAGIC})`]
      );
    }
    rows.push(['Registry', state.registry.configured ? `configured: ${state.registry.url ?? ''}`.trim() : 'not configured']);
    const list = element('dl', 'jp-aigov-summary');
    for (const [name, value] of rows) {
      list.append(element('dt', '', name), element('dd', `jp-aigov-summary-${slug(name)}`, value));
    }
    list.dataset.blocked = String(counts.blocked + counts.tool_blocks > 0);
    return list;
  }

  private actions(state: INotebookState): HTMLElement {
    const box = element('div', 'jp-aigov-actions');
    const busy = this.busy !== null && this.busy.path === state.path ? this.busy.action : null;
    const exportButton = button('jp-aigov-export', busy === 'export' ? 'Exporting…' : 'Export evidence bundle');
    exportButton.title = 'Write a signed evidence bundle of this notebook on the server and download it.';
    exportButton.disabled = busy !== null;
    exportButton.addEventListener('click', () => void this.run('export', state.path));
    const pushButton = button('jp-aigov-push', busy === 'push' ? 'Pushing…' : 'Push to registry');
    pushButton.disabled = busy !== null || !state.registry.configured;
    pushButton.title = state.registry.configured
      ? `Export a bundle and push it to ${state.registry.url ?? 'the registry'}.`
      : NO_REGISTRY_TEXT;
    pushButton.addEventListener('click', () => void this.run('push', state.path));
    box.append(exportButton, pushButton);
    const result = this.results.get(state.path);
    if (result) {
      const line = element('p', 'jp-aigov-result', result.text);
      line.dataset.kind = result.kind;
      box.append(line);
    }
    return box;
  }

  private decisions(state: INotebookState): HTMLElement[] {
    const shown = state.decisions.length;
    const heading = element(
      'h3',
      'jp-aigov-heading',
      shown < state.decisions_total ? `Decisions (newest ${shown} of ${state.decisions_total})` : `Decisions (${shown})`
    );
    const table = element('table', 'jp-aigov-decisions');
    table.append(header(['Time', 'Model', 'Decision', 'Rule', 'Entities']));
    const body = document.createElement('tbody');
    const now = new Date();
    for (const decision of [...state.decisions].reverse()) {
      const cells = decisionRow(decision, now);
      const row = document.createElement('tr');
      row.dataset.decision = cells.decision;
      row.dataset.seq = String(cells.seq);
      row.dataset.log = decision.log;
      row.title = cells.title;
      row.append(
        element('td', 'jp-aigov-time', cells.time),
        element('td', 'jp-aigov-model', cells.model),
        element('td', `jp-aigov-decision jp-aigov-decision-${slug(cells.decision)}`, cells.decision),
        element('td', 'jp-aigov-rule', cells.rule),
        element('td', 'jp-aigov-entities', cells.entities)
      );
      body.append(row);
    }
    table.append(body);
    return [heading, scrolling(table)];
  }

  private models(state: INotebookState): HTMLElement[] {
    const heading = element('h3', 'jp-aigov-heading', `Registered models (${state.models.length})`);
    if (state.models.length === 0) {
      return [heading, element('p', 'jp-aigov-models-empty', "No models registered in this notebook's inventory.")];
    }
    const table = element('table', 'jp-aigov-models');
    table.append(header(['Model', 'Provider', 'Risk', 'Assessments', 'Status']));
    const body = document.createElement('tbody');
    for (const model of state.models) {
      const cells = modelCells(model);
      const row = document.createElement('tr');
      row.dataset.approval = cells.approval;
      row.append(
        element('td', 'jp-aigov-model', cells.model),
        element('td', '', cells.provider),
        element('td', '', cells.risk),
        element('td', '', cells.assessments),
        element('td', `jp-aigov-approval jp-aigov-${cells.approval}`, cells.status)
      );
      body.append(row);
    }
    table.append(body);
    return [heading, scrolling(table)];
  }

  /** Runs an action of a button: disabled while it runs; its result or error shown, errors notified. */
  private async run(action: Action, path: string): Promise<void> {
    if (this.busy !== null) {
      return;
    }
    this.busy = { action, path };
    this.render(this._status);
    try {
      const text = await (action === 'export' ? this.options.exportBundle(path) : this.options.push(path));
      this.results.set(path, { kind: 'success', text });
    } catch (error) {
      const verb = action === 'export' ? 'Export' : 'Push';
      const text = `${verb} failed: ${error instanceof Error ? error.message : String(error)}`;
      this.results.set(path, { kind: 'error', text });
      this.options.reportError(text);
    } finally {
      this.busy = null;
      if (!this.isDisposed) {
        this.render(this._status);
      }
    }
  }

  private _status: IGovernanceStatus | null = null;
  private busy: { action: Action; path: string } | null = null;
  private readonly results = new Map<string, { kind: 'success' | 'error'; text: string }>();
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function button(className: string, label: string): HTMLButtonElement {
  const node = element('button', `jp-mod-styled jp-aigov-button ${className}`, label);
  node.type = 'button';
  return node;
}

function header(names: string[]): HTMLTableSectionElement {
  const head = document.createElement('thead');
  const row = document.createElement('tr');
  row.append(...names.map(name => element('th', '', name)));
  head.append(row);
  return head;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** A table in a box that scrolls sideways when the sidebar is narrower than the table. */
function scrolling(table: HTMLTableElement): HTMLElement {
  const box = element('div', 'jp-aigov-table-scroll');
  box.append(table);
  return box;
}
