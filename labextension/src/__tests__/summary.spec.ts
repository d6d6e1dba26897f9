import type { IGovernanceStatus } from '../model';
import { summarize } from '../summary';
import { block, decision, governedState, ungovernedState } from './fixtures';

const NOON = new Date('2024-05-01T12:30:00Z');

function status(overrides: Partial<IGovernanceStatus>): IGovernanceStatus {
  return { path: 'work/churn.ipynb', phase: 'ready', state: null, error: null, ...overrides };
}

describe('summarize', () => {
  it('when no notebook is active then says so, without attention', () => {
    expect(summarize(null)).toMatchObject({ state: 'no-notebook', text: 'AI governance', blocked: false });
  });

  it('when the first answer is pending then says it is loading', () => {
    const summary = summarize(status({ phase: 'loading' }));
    expect(summary).toMatchObject({ state: 'loading', text: 'AI governance: loading…', blocked: false });
  });

  it('when the server extension is not enabled then says so and the tooltip gives the command', () => {
    const summary = summarize(status({ phase: 'not-enabled' }));
    expect(summary.text).toBe('AI governance: server extension not enabled');
    expect(summary.tooltip).toContain('jupyter server extension enable jupyter_aigov');
    expect(summary.state).toBe('not-enabled');
  });

  it('when the first poll failed then says it is unavailable and the tooltip gives the reason', () => {
    const summary = summarize(status({ phase: 'error', error: 'The Jupyter server could not be reached: offline' }));
    expect(summary).toMatchObject({ state: 'error', text: 'AI governance: unavailable' });
    expect(summary.tooltip).toContain('offline');
  });

  it('when the notebook has no evidence then says not loaded and the tooltip says to run %load_ext aigov', () => {
    const summary = summarize(status({ state: ungovernedState() }));
    expect(summary).toMatchObject({ state: 'not-loaded', text: 'AI governance: not loaded', blocked: false });
    expect(summary.tooltip).toContain('%load_ext aigov');
    expect(summary.tooltip).toContain('aigov.yaml (work/aigov.yaml), discovered');
  });

  it('when calls were governed then the text has the policy, calls, redactions and blocks', () => {
    const decisions = [
      decision({ seq: 1 }),
      decision({ seq: 2, decision: 'redact', rule: 'pii', rules: ['pii'], entities: { PERSON: 2, EMAIL_ADDRESS: 1 } }),
      decision({ seq: 3 })
    ];
    const summary = summarize(status({ state: governedState(decisions) }), NOON);
    expect(summary).toMatchObject({
      state: 'governed',
      text: 'aigov.yaml · 3 calls · 3 redactions · 0 blocked',
      blocked: false
    });
    expect(summary.tooltip).toContain('3 AI calls: 2 allowed, 1 redacted (3 redactions), 0 blocked');
    expect(summary.tooltip).toContain('Last decision: 12:00:03 · gpt-4o-mini · allow');
    expect(summary.tooltip).toContain('use case churn-analysis');
  });

  it('when a call was blocked then it draws attention and the tooltip gives the last decision with rule and reason', () => {
    const summary = summarize(status({ state: governedState([decision({ seq: 1 }), block(2)]) }), NOON);
    expect(summary.blocked).toBe(true);
    expect(summary.text).toBe('aigov.yaml · 2 calls · 0 redactions · 1 blocked');
    expect(summary.tooltip).toContain(
      'Last decision: 12:00:02 · gpt-4o-mini · block · rule no-secrets · An API key was found in the prompt.'
    );
    expect(summary.tooltip).not.toContain('Last block:');
  });

  it('when the block is older than the last decision then the tooltip gives both', () => {
    const summary = summarize(status({ state: governedState([block(1), decision({ seq: 2 })]) }), NOON);
    expect(summary.blocked).toBe(true);
    expect(summary.tooltip).toContain('Last decision: 12:00:02');
    expect(summary.tooltip).toContain('Last block: 12:00:01 · gpt-4o-mini · block · rule no-secrets');
  });

  it('when only a tool call was blocked then it draws attention and counts it', () => {
    const state = governedState([decision({ seq: 1 })]);
    state.counts.tool_calls = 2;
    state.counts.tool_blocks = 1;
    const summary = summarize(status({ state }), NOON);
    expect(summary.blocked).toBe(true);
    expect(summary.text).toBe('aigov.yaml · 1 call · 0 redactions · 1 blocked');
    expect(summary.tooltip).toContain('2 tool calls: 1 blocked');
  });

  it('when the kernel has not loaded the extension then the text says not loaded and the tooltip how to load it', () => {
    const summary = summarize(status({ state: governedState([decision()], { kernel_extension: false }) }), NOON);
    expect(summary.text).toBe('aigov.yaml · 1 call · 0 redactions · 0 blocked · not loaded');
    expect(summary.tooltip).toContain('run %load_ext aigov in it');
  });

  it('when a later poll failed then the last state stays and the tooltip says the refresh failed', () => {
    const summary = summarize(status({ phase: 'error', error: 'HTTP 500', state: governedState([decision()]) }), NOON);
    expect(summary.state).toBe('governed');
    expect(summary.tooltip).toContain('Last refresh failed: HTTP 500');
  });
});

describe('summarize with a broken policy file', () => {
  it('when the policy file could not be read then the tooltip says why', () => {
    const state = governedState([decision()]);
    state.policy.error = 'aigov.yaml line 3: models.allow must be a list';
    const summary = summarize({ path: 'a.ipynb', phase: 'ready', state, error: null }, new Date('2024-05-01T12:30:00Z'));
    expect(summary.tooltip).toContain('Policy error: aigov.yaml line 3: models.allow must be a list');
  });
});
