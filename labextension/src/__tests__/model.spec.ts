import type { IGovernanceStatus } from '../model';
import { NotebookGovernance, NOT_ENABLED_INTERVAL } from '../model';
import type { IDecision } from '../types';
import { block, decision, governedState, json, NOT_FOUND_PAGE, response, ScriptedServer } from './fixtures';

function modelOf(server: ScriptedServer, path = 'work/churn.ipynb', interval?: number): NotebookGovernance {
  return new NotebookGovernance({ client: server.client(), path, interval });
}

/** Records what a model emits. */
function listen(model: NotebookGovernance): { statuses: IGovernanceStatus[]; blocks: IDecision[][] } {
  const seen = { statuses: [] as IGovernanceStatus[], blocks: [] as IDecision[][] };
  model.changed.connect((_, status) => seen.statuses.push(status));
  model.blocked.connect((_, blocks) => seen.blocks.push(blocks));
  return seen;
}

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) {
      throw new Error('condition not met in time');
    }
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

describe('NotebookGovernance', () => {
  it('when created then it is loading its path', () => {
    const model = modelOf(new ScriptedServer());
    expect(model.status).toEqual({ path: 'work/churn.ipynb', phase: 'loading', state: null, error: null });
    model.dispose();
  });

  it('when the server answers a state then it is ready with it, and the next poll sends its ETag', async () => {
    const state = governedState([decision()]);
    const server = new ScriptedServer().answer(json(200, state, { ETag: '"e1"' }), response(304));
    const model = modelOf(server);
    const seen = listen(model);
    await model.check();
    expect(model.status).toMatchObject({ phase: 'ready', state });
    const shown = model.status.state;
    await model.check();
    expect(server.headersOf(1)['If-None-Match']).toBe('"e1"');
    expect(model.status.state).toBe(shown);
    expect(seen.statuses).toHaveLength(1); // a 304 changes nothing
    model.dispose();
  });

  it('when the server extension is not enabled then says so and polls only once a minute', async () => {
    const server = new ScriptedServer().answer(NOT_FOUND_PAGE);
    const model = modelOf(server);
    await model.check();
    expect(model.status.phase).toBe('not-enabled');
    expect((model as unknown as { poll: { frequency: { interval: number } } }).poll.frequency.interval).toBe(
      NOT_ENABLED_INTERVAL
    );
    model.dispose();
  });

  it('when a poll fails after a state then keeps the state, records the error and rejects so the poll backs off', async () => {
    const state = governedState([decision()]);
    const server = new ScriptedServer().answer(json(200, state), json(500, { message: 'Broken log' }));
    const model = modelOf(server);
    await model.check();
    await expect(model.check()).rejects.toThrow('Broken log');
    expect(model.status).toMatchObject({ phase: 'error', state, error: 'Broken log' });
    model.dispose();
  });

  it('when the server cannot be reached then the error says so', async () => {
    const model = modelOf(new ScriptedServer().answer(new TypeError('Failed to fetch')));
    await expect(model.check()).rejects.toThrow();
    expect(model.status.error).toBe('The Jupyter server could not be reached: Failed to fetch');
    model.dispose();
  });

  it('when a block appears after the first load then it is emitted once; old blocks never', async () => {
    const first = governedState([block(1)]);
    const second = governedState([block(1), decision({ seq: 2 }), block(3)]);
    const server = new ScriptedServer().answer(json(200, first), json(200, second), json(200, second));
    const model = modelOf(server);
    const seen = listen(model);
    await model.check();
    await model.check();
    await model.check();
    expect(seen.blocks.map(blocks => blocks.map(item => item.seq))).toEqual([[3]]);
    model.dispose();
  });

  it('when renamed then asks about the new path without the old ETag and keeps its blocks seen', async () => {
    const state = governedState([block(1)]);
    const server = new ScriptedServer().answer(
      json(200, state, { ETag: '"old"' }),
      json(200, { ...state, path: 'work/renamed.ipynb', former_paths: ['work/churn.ipynb'] }, { ETag: '"new"' })
    );
    const model = modelOf(server);
    const seen = listen(model);
    await model.check();
    model.setPath('work/renamed.ipynb');
    expect(model.path).toBe('work/renamed.ipynb');
    await model.check();
    expect(server.requests[1].url).toContain('path=work%2Frenamed.ipynb');
    expect(server.headersOf(1)).not.toHaveProperty('If-None-Match');
    expect(model.status.state?.former_paths).toEqual(['work/churn.ipynb']);
    expect(seen.blocks).toEqual([]);
    model.dispose();
  });

  it('when renamed while a poll is in flight then the answer about the former path is dropped', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>(resolve => (release = resolve));
    const server = new ScriptedServer().answer(async () => {
      await gate;
      return json(200, governedState([], { path: 'old.ipynb' }));
    });
    const model = modelOf(server, 'old.ipynb');
    const pending = model.check();
    await until(() => server.requests.length === 1);
    model.setPath('new.ipynb');
    release();
    await pending;
    expect(model.status).toMatchObject({ path: 'new.ipynb', phase: 'loading', state: null });
    model.dispose();
  });

  it('when active then it polls by itself, and a refresh after a cell ran asks again soon', async () => {
    const server = new ScriptedServer();
    for (let i = 0; i < 20; i++) {
      server.answer(json(200, governedState([decision()])));
    }
    const model = modelOf(server, 'work/churn.ipynb', 60000);
    model.activate();
    await until(() => model.status.phase === 'ready');
    const polled = server.requests.length;
    model.refresh();
    model.refresh();
    model.refresh();
    await until(() => server.requests.length > polled);
    await new Promise(resolve => setTimeout(resolve, 500));
    expect(server.requests.length - polled).toBe(1); // three executions close together: one request
    model.dispose();
  });

  it('when inactive then it neither polls nor refreshes', async () => {
    const server = new ScriptedServer();
    const model = modelOf(server, 'work/churn.ipynb', 50);
    model.refresh();
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(server.requests).toHaveLength(0);
    model.dispose();
  });

  it('when deactivated then polling stops', async () => {
    const server = new ScriptedServer();
    for (let i = 0; i < 100; i++) {
      server.answer(response(304));
    }
    const model = modelOf(server, 'work/churn.ipynb', 20);
    model.activate();
    await until(() => server.requests.length >= 2);
    model.deactivate();
    await new Promise(resolve => setTimeout(resolve, 50));
    const count = server.requests.length;
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(server.requests.length).toBe(count);
    model.dispose();
  });

  it('when disposed then it says so and emits nothing more', async () => {
    const server = new ScriptedServer().answer(json(200, governedState()));
    const model = modelOf(server);
    const seen = listen(model);
    model.dispose();
    await model.check();
    expect(model.isDisposed).toBe(true);
    expect(seen.statuses).toEqual([]);
  });
});
