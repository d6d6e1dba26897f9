import { decisionKey, decisionRow, describeDecision, formatEntities, formatTime, modelCells, plural } from '../format';
import { block, decision } from './fixtures';

const NOON = new Date('2024-05-01T12:30:00Z'); // the tests run in UTC (jest.config.js)

describe('formatTime', () => {
  it.each([
    ['a time of the same day shows the clock with seconds', '2024-05-01T09:05:07+00:00', '09:05:07'],
    ['a time of another day shows the date and minutes', '2024-04-30T23:59:59+00:00', '2024-04-30 23:59'],
    ['an offset is converted to local time', '2024-05-01T14:00:00+02:00', '12:00:00'],
    ['an unparsable time is shown as it is', 'yesterday', 'yesterday'],
    ['no time is a dash', null, '—']
  ])('when %s', (_, ts, expected) => {
    expect(formatTime(ts, NOON)).toBe(expected);
  });
});

describe('formatEntities', () => {
  it('when entities were found then lists them by name with counts', () => {
    expect(formatEntities({ PERSON: 1, EMAIL_ADDRESS: 2 })).toBe('EMAIL_ADDRESS 2, PERSON 1');
  });

  it.each([[{}], [null], [{ PERSON: 0 }]])('when there are none (%p) then shows a dash', entities => {
    expect(formatEntities(entities)).toBe('—');
  });
});

describe('plural', () => {
  it.each([
    [0, '0 calls'],
    [1, '1 call'],
    [12, '12 calls']
  ])('when counting %i then says %s', (count, expected) => {
    expect(plural(count, 'call')).toBe(expected);
  });
});

describe('decisionRow', () => {
  it('when a call was allowed then the row has its time, model, decision and dashes for rule and entities', () => {
    const row = decisionRow(decision({ seq: 7 }), NOON);
    expect(row).toMatchObject({
      key: 'churn.jsonl#7',
      seq: 7,
      decision: 'allow',
      time: '12:00:07',
      model: 'gpt-4o-mini',
      rule: '—',
      entities: '—'
    });
    expect(row.title).toContain('No rule matched');
  });

  it('when a call was redacted then the row shows the rule and the entity counts', () => {
    const redacted = decision({ seq: 3, decision: 'redact', rules: ['pii', 'emails'], rule: 'pii', entities: { PERSON: 2 } });
    const row = decisionRow(redacted, NOON);
    expect(row).toMatchObject({ decision: 'redact', rule: 'pii', entities: 'PERSON 2' });
    expect(row.title).toContain('Rules: pii, emails');
  });

  it('when a call was blocked then the tooltip gives the reason', () => {
    const row = decisionRow(block(9), NOON);
    expect(row).toMatchObject({ decision: 'block', rule: 'no-secrets' });
    expect(row.title).toContain('Reason: An API key was found in the prompt.');
  });

  it('when the decision is about a tool call then the model cell names the tool', () => {
    const toolCall = decision({ event: 'tool.call', model: null, tool: 'run_sql' });
    expect(decisionRow(toolCall, NOON).model).toBe('tool run_sql');
    expect(decisionRow({ ...toolCall, model: 'gpt-4o' }, NOON).model).toBe('gpt-4o → tool run_sql');
  });

  it('when two logs have the same seq then their keys differ', () => {
    expect(decisionKey(decision({ seq: 1, log: 'a.jsonl' }))).not.toBe(decisionKey(decision({ seq: 1, log: 'b.jsonl' })));
  });
});

describe('describeDecision', () => {
  it('when a call was blocked then the line has time, model, decision, rule and reason', () => {
    expect(describeDecision(block(5), NOON)).toBe(
      '12:00:05 · gpt-4o-mini · block · rule no-secrets · An API key was found in the prompt.'
    );
  });

  it('when no rule matched then the line has no rule part', () => {
    expect(describeDecision(decision({ seq: 5 }), NOON)).toBe('12:00:05 · gpt-4o-mini · allow');
  });
});

describe('modelCells', () => {
  it('when a model has an assessment in force then it is approved with its review date', () => {
    const cells = modelCells({
      id: 'm1',
      name: 'GPT-4o mini',
      version: '2024-07-18',
      provider: 'openai',
      risk_tier: 'limited',
      assessments: { nist_ai_rmf: 'approved', iso_42001: 'draft' },
      approved: true,
      next_review: '2025-01-01'
    });
    expect(cells).toEqual({
      model: 'GPT-4o mini 2024-07-18',
      provider: 'openai',
      risk: 'limited',
      assessments: 'nist_ai_rmf: approved, iso_42001: draft',
      status: 'approved, review by 2025-01-01',
      approval: 'approved'
    });
  });

  it('when a model has no assessment then it is not approved and says why', () => {
    const cells = modelCells({ id: 'm2', assessments: {}, approved: false });
    expect(cells).toMatchObject({ model: 'm2', assessments: 'none', approval: 'not-approved' });
    expect(cells.status).toBe('not approved: no assessment in force');
  });
});
