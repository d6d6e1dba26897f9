import { BlockWatch, blockMessage, blocksOf } from '../blocks';
import { block, decision, governedState } from './fixtures';

describe('BlockWatch', () => {
  it('when a notebook is first loaded then its old blocks are not news', () => {
    const watch = new BlockWatch();
    expect(watch.newBlocks(governedState([block(1), decision({ seq: 2 }), block(3)]))).toEqual([]);
    expect(watch.isLoaded).toBe(true);
  });

  it('when a block appears after the first load then it is news once', () => {
    const watch = new BlockWatch();
    watch.newBlocks(governedState([decision({ seq: 1 })]));
    const later = governedState([decision({ seq: 1 }), block(2)]);
    expect(watch.newBlocks(later).map(item => item.seq)).toEqual([2]);
    expect(watch.newBlocks(later)).toEqual([]);
  });

  it('when the first load had no evidence then the first block is news', () => {
    const watch = new BlockWatch();
    watch.newBlocks(governedState([], { governed: false }));
    expect(watch.newBlocks(governedState([block(1)])).map(item => item.seq)).toEqual([1]);
  });

  it('when several blocks appear in one poll then all are news, oldest first', () => {
    const watch = new BlockWatch();
    watch.newBlocks(governedState([decision({ seq: 1 })]));
    const fresh = watch.newBlocks(governedState([decision({ seq: 1 }), block(2), decision({ seq: 3 }), block(4)]));
    expect(fresh.map(item => item.seq)).toEqual([2, 4]);
  });

  it('when another log has a block with a seq already seen then it is news (decisions are keyed by log and seq)', () => {
    const watch = new BlockWatch();
    watch.newBlocks(governedState([block(1, { log: 'old-name.jsonl' })]));
    const renamed = governedState([block(1, { log: 'old-name.jsonl' }), block(1, { log: 'churn.jsonl', ts: '2024-05-01T13:00:00+00:00' })]);
    expect(watch.newBlocks(renamed).map(item => item.log)).toEqual(['churn.jsonl']);
  });

  it('when a rename briefly hides the old evidence then its old blocks are not replayed', () => {
    const watch = new BlockWatch();
    const before = governedState([block(1, { log: 'old-name.jsonl' })]);
    watch.newBlocks(before);
    expect(watch.newBlocks(governedState([], { governed: false }))).toEqual([]);
    expect(watch.newBlocks(before)).toEqual([]);
  });

  it('when the renamed notebook shows old blocks of its former name never seen before then they are not news', () => {
    const watch = new BlockWatch();
    watch.newBlocks(governedState([decision({ seq: 5, log: 'new.jsonl', ts: '2024-05-01T12:10:00+00:00' })]));
    const withFormer = governedState([
      block(1, { log: 'old.jsonl', ts: '2024-05-01T11:00:00+00:00' }),
      decision({ seq: 5, log: 'new.jsonl', ts: '2024-05-01T12:10:00+00:00' })
    ]);
    expect(watch.newBlocks(withFormer)).toEqual([]);
  });

  it('when the last block is no longer among the listed decisions then it still counts', () => {
    const watch = new BlockWatch();
    watch.newBlocks(governedState([decision({ seq: 1 })]));
    const state = governedState([decision({ seq: 1 })], { last_block: block(2) });
    expect(watch.newBlocks(state).map(item => item.seq)).toEqual([2]);
  });
});

describe('blocksOf', () => {
  it('when the last block is also listed then it is counted once', () => {
    const state = governedState([block(1), decision({ seq: 2 })]);
    expect(blocksOf(state)).toHaveLength(1);
  });
});

describe('blockMessage', () => {
  it('when an AI call was blocked then the message names the model, notebook, rule and reason', () => {
    expect(blockMessage(block(3), 'work/churn.ipynb')).toBe(
      'AI call to gpt-4o-mini blocked in churn.ipynb by rule no-secrets: An API key was found in the prompt.'
    );
  });

  it('when a tool call was blocked without a reason then the message names the tool', () => {
    const toolBlock = block(4, { event: 'tool.call', tool: 'run_sql', model: null, reason: null, rule: 'tools' });
    expect(blockMessage(toolBlock, 'churn.ipynb')).toBe('Tool call run_sql blocked in churn.ipynb by rule tools.');
  });
});
