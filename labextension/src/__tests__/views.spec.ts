import { Widget } from '@lumino/widgets';

import type { IGovernanceStatus } from '../model';
import { GovernancePanel, NO_EVIDENCE_TEXT, NO_NOTEBOOK_TEXT, NO_REGISTRY_TEXT } from '../panel';
import { GovernanceStatusItem, IIconLike } from '../statusbar';
import { summarize } from '../summary';
import type { IModelRow } from '../types';
import { block, decision, governedState, ungovernedState } from './fixtures';

/** An icon that renders as a span naming itself. */
function icon(name: string): IIconLike {
  return {
    element: options => {
      const node = document.createElement(options?.tag ?? 'div');
      node.className = options?.className ?? '';
      node.dataset.icon = name;
      return node;
    }
  };
}

function status(overrides: Partial<IGovernanceStatus>): IGovernanceStatus {
  return { path: 'work/churn.ipynb', phase: 'ready', state: null, error: null, ...overrides };
}

describe('GovernanceStatusItem', () => {
  function item(onClick = jest.fn()): GovernanceStatusItem {
    return new GovernanceStatusItem({ icons: { shield: icon('shield'), alert: icon('alert') }, onClick });
  }

  it('when created then has the id and class the page is tested by', () => {
    const widget = item();
    expect(widget.node.id).toBe('jp-aigov-status');
    expect(widget.node.classList.contains('jp-aigov-status')).toBe(true);
  });

  it('when showing a governed notebook then shows the shield, the text and the tooltip', () => {
    const widget = item();
    const summary = summarize(status({ state: governedState([decision()]) }));
    widget.render(summary);
    expect(widget.node.querySelector('.jp-aigov-status-text')?.textContent).toBe(summary.text);
    expect(widget.node.querySelector('.jp-aigov-status-icon')?.getAttribute('data-icon')).toBe('shield');
    expect(widget.node.title).toBe(summary.tooltip);
    expect(widget.node.dataset.state).toBe('governed');
    expect(widget.node.classList.contains('jp-aigov-status-blocked')).toBe(false);
    expect(widget.node.getAttribute('data-blocked')).toBe('false');
  });

  it('when a call was blocked then it is marked blocked with the warning icon, and unmarked after', () => {
    const widget = item();
    widget.render(summarize(status({ state: governedState([block(1)]) })));
    expect(widget.node.classList.contains('jp-aigov-status-blocked')).toBe(true);
    expect(widget.node.getAttribute('data-blocked')).toBe('true');
    expect(widget.node.querySelector('.jp-aigov-status-icon')?.getAttribute('data-icon')).toBe('alert');
    widget.render(summarize(status({ state: ungovernedState() })));
    expect(widget.node.classList.contains('jp-aigov-status-blocked')).toBe(false);
    expect(widget.node.querySelectorAll('.jp-aigov-status-icon')).toHaveLength(1);
  });

  it('when clicked or activated by keyboard then calls back (to open the panel)', () => {
    const onClick = jest.fn();
    const widget = item(onClick);
    widget.node.click();
    widget.node.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(onClick).toHaveBeenCalledTimes(2);
  });
});

describe('GovernancePanel', () => {
  function panel(overrides: Partial<GovernancePanel.IOptions> = {}): GovernancePanel {
    const widget = new GovernancePanel({
      exportBundle: jest.fn(async () => 'Exported x.zip.'),
      push: jest.fn(async () => 'Pushed x.zip.'),
      reportError: jest.fn(),
      ...overrides
    });
    Widget.attach(widget, document.body);
    return widget;
  }

  afterEach(() => {
    document.body.replaceChildren();
  });

  const text = (widget: Widget, selector: string): string | null | undefined =>
    widget.node.querySelector(selector)?.textContent;

  it('when created then has the id, caption and the no-notebook state', () => {
    const widget = panel();
    expect(widget.id).toBe('jp-aigov-panel');
    expect(widget.title.caption).toBe('AI governance');
    expect(text(widget, '.jp-aigov-empty')).toBe(NO_NOTEBOOK_TEXT);
    expect(widget.node.dataset.state).toBe('no-notebook');
  });

  it('when the first answer is pending then says it is loading', () => {
    const widget = panel();
    widget.render(status({ phase: 'loading' }));
    expect(text(widget, '.jp-aigov-loading')).toBe('Loading…');
    expect(text(widget, '.jp-aigov-path')).toBe('work/churn.ipynb');
  });

  it('when the server extension is not enabled then gives the command to enable it', () => {
    const widget = panel();
    widget.render(status({ phase: 'not-enabled' }));
    expect(text(widget, '.jp-aigov-not-enabled code')).toBe('jupyter server extension enable jupyter_aigov');
    expect(widget.node.querySelector('button')).toBeNull();
  });

  it('when the notebook has no evidence then shows the empty state, the policy that would apply, and no buttons', () => {
    const widget = panel();
    widget.render(status({ state: ungovernedState() }));
    expect(text(widget, '.jp-aigov-empty')).toBe(NO_EVIDENCE_TEXT);
    expect(text(widget, '.jp-aigov-summary-policy')).toBe('aigov.yaml (work/aigov.yaml), discovered');
    expect(widget.node.querySelector('.jp-aigov-export')).toBeNull();
    expect(widget.node.dataset.state).toBe('empty');
  });

  it('when calls were governed then lists one row per decision, newest first, with decision and seq', () => {
    const widget = panel();
    const redacted = decision({ seq: 2, decision: 'redact', rule: 'pii', rules: ['pii'], entities: { PERSON: 2 } });
    widget.render(status({ state: governedState([decision({ seq: 1 }), redacted, block(3)]) }));
    const rows = [...widget.node.querySelectorAll<HTMLTableRowElement>('table.jp-aigov-decisions tbody tr')];
    expect(rows.map(row => [row.dataset.decision, row.dataset.seq])).toEqual([
      ['block', '3'],
      ['redact', '2'],
      ['allow', '1']
    ]);
    expect([...rows[1].cells].map(cell => cell.textContent)).toEqual(['2024-05-01 12:00', 'gpt-4o-mini', 'redact', 'pii', 'PERSON 2']);
    expect(rows[0].title).toContain('An API key was found in the prompt.');
    expect(text(widget, '.jp-aigov-summary-ai-calls')).toBe('3: 1 allowed, 1 redacted, 1 blocked');
    expect(text(widget, '.jp-aigov-summary-kernel-extension')).toBe('loaded');
    expect(widget.node.dataset.state).toBe('governed');
  });

  it('when only the newest decisions are sent then the heading says how many of all', () => {
    const widget = panel();
    widget.render(status({ state: governedState([decision()], { decisions_total: 900 }) }));
    expect(text(widget, '.jp-aigov-heading')).toBe('Decisions (newest 1 of 900)');
  });

  it('when models are registered then lists one row each with its assessment status', () => {
    const widget = panel();
    const models: IModelRow[] = [
      { id: 'm1', name: 'GPT-4o mini', assessments: { nist_ai_rmf: 'approved' }, approved: true, next_review: null },
      { id: 'm2', name: 'Claude', assessments: {}, approved: false }
    ];
    widget.render(status({ state: governedState([decision()], { models }) }));
    const rows = [...widget.node.querySelectorAll<HTMLTableRowElement>('table.jp-aigov-models tbody tr')];
    expect(rows.map(row => row.dataset.approval)).toEqual(['approved', 'not-approved']);
    expect(rows[0].cells[3].textContent).toBe('nist_ai_rmf: approved');
  });

  it('when no models are registered then says so', () => {
    const widget = panel();
    widget.render(status({ state: governedState([decision()]) }));
    expect(widget.node.querySelector('.jp-aigov-models')).toBeNull();
    expect(text(widget, '.jp-aigov-models-empty')).toContain('No models registered');
  });

  it('when no registry is configured then the push button is disabled and says how to configure one', () => {
    const widget = panel();
    widget.render(status({ state: governedState([decision()]) }));
    const push = widget.node.querySelector<HTMLButtonElement>('button.jp-aigov-push');
    expect(push?.disabled).toBe(true);
    expect(push?.title).toBe(NO_REGISTRY_TEXT);
    expect(text(widget, '.jp-aigov-summary-registry')).toBe('not configured');
  });

  it('when exporting then the buttons are disabled while it runs and the result is shown after', async () => {
    let finish: (text: string) => void = () => undefined;
    const exportBundle = jest.fn(() => new Promise<string>(resolve => (finish = resolve)));
    const widget = panel({ exportBundle });
    const registry = { configured: true, url: 'http://registry' };
    widget.render(status({ state: governedState([decision()], { registry }) }));
    widget.node.querySelector<HTMLButtonElement>('button.jp-aigov-export')?.click();
    const running = widget.node.querySelector<HTMLButtonElement>('button.jp-aigov-export');
    expect(running?.disabled).toBe(true);
    expect(running?.textContent).toBe('Exporting…');
    expect(widget.node.querySelector<HTMLButtonElement>('button.jp-aigov-push')?.disabled).toBe(true);
    expect(exportBundle).toHaveBeenCalledWith('work/churn.ipynb');
    finish('Exported churn.zip (3 records).');
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(widget.node.querySelector<HTMLButtonElement>('button.jp-aigov-export')?.disabled).toBe(false);
    expect(widget.node.querySelector<HTMLButtonElement>('button.jp-aigov-push')?.disabled).toBe(false);
    const result = widget.node.querySelector<HTMLElement>('.jp-aigov-result');
    expect(result?.textContent).toBe('Exported churn.zip (3 records).');
    expect(result?.dataset.kind).toBe('success');
  });

  it('when a push fails then the error is reported and shown, and the button works again', async () => {
    const reportError = jest.fn();
    const push = jest.fn(async () => {
      throw new Error('The registry did not take the bundle: 401');
    });
    const widget = panel({ push, reportError });
    widget.render(status({ state: governedState([decision()], { registry: { configured: true, url: 'http://r' } }) }));
    widget.node.querySelector<HTMLButtonElement>('button.jp-aigov-push')?.click();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(reportError).toHaveBeenCalledWith('Push failed: The registry did not take the bundle: 401');
    expect(widget.node.querySelector<HTMLElement>('.jp-aigov-result')?.dataset.kind).toBe('error');
    expect(widget.node.querySelector<HTMLButtonElement>('button.jp-aigov-push')?.disabled).toBe(false);
  });

  it('when a later poll failed then the last state stays and the failure is shown', () => {
    const widget = panel();
    widget.render(status({ phase: 'error', error: 'HTTP 500', state: governedState([decision()]) }));
    expect(widget.node.querySelectorAll('table.jp-aigov-decisions tbody tr')).toHaveLength(1);
    expect(text(widget, '.jp-aigov-error')).toBe('Last refresh failed: HTTP 500');
  });
});

describe('GovernancePanel with a broken policy file', () => {
  it('when the policy file could not be read then the summary shows the error', () => {
    const widget = new GovernancePanel({ exportBundle: jest.fn(), push: jest.fn(), reportError: jest.fn() });
    const state = governedState([decision()]);
    state.policy.error = 'aigov.yaml line 3: models.allow must be a list';
    widget.render(status({ state }));
    expect(widget.node.querySelector('.jp-aigov-summary-policy-error')?.textContent).toBe(state.policy.error);
  });
});
