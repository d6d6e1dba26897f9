import { AigovError, NotEnabledError } from '../api';
import { governedState, json, NOT_FOUND_PAGE, response, ScriptedServer } from './fixtures';

describe('AigovClient.notebook', () => {
  it('when the server answers 200 then returns the state and its ETag', async () => {
    const state = governedState();
    const server = new ScriptedServer().answer(json(200, state, { ETag: '"v1"' }));
    const answer = await server.client().notebook('work/churn.ipynb');
    expect(answer).toEqual({ kind: 'state', state, etag: '"v1"' });
  });

  it('when asked about a path then requests aigov/notebook under the base URL with the path encoded', async () => {
    const server = new ScriptedServer().answer(json(200, governedState()));
    await server.client('http://localhost:8888/lab-base/').notebook('work/my churn.ipynb');
    expect(server.requests[0].url).toBe('http://localhost:8888/lab-base/aigov/notebook?path=work%2Fmy+churn.ipynb');
    expect(server.requests[0].init.method).toBe('GET');
  });

  it('when there is no previous ETag then sends no If-None-Match', async () => {
    const server = new ScriptedServer().answer(json(200, governedState()));
    await server.client().notebook('a.ipynb');
    expect(server.headersOf(0)).not.toHaveProperty('If-None-Match');
  });

  it('when given the last ETag then sends it as If-None-Match', async () => {
    const server = new ScriptedServer().answer(response(304));
    await server.client().notebook('a.ipynb', '"v1"');
    expect(server.headersOf(0)['If-None-Match']).toBe('"v1"');
  });

  it('when the server answers 304 then the state is unchanged', async () => {
    const server = new ScriptedServer().answer(response(304));
    expect(await server.client().notebook('a.ipynb', '"v1"')).toEqual({ kind: 'unchanged' });
  });

  it('when the server answers its HTML 404 page then the server extension is not enabled', async () => {
    const server = new ScriptedServer().answer(NOT_FOUND_PAGE);
    expect(await server.client().notebook('a.ipynb')).toEqual({ kind: 'not-enabled' });
  });

  it('when a 404 carries our JSON message then it is our error, with that message', async () => {
    const message = "No notebook at '../x.ipynb' under the server root: give a path relative to the root.";
    const server = new ScriptedServer().answer(json(404, { message, reason: null }));
    const failure = server.client().notebook('../x.ipynb');
    await expect(failure).rejects.toBeInstanceOf(AigovError);
    await expect(server.answer(json(404, { message })).client().notebook('../x.ipynb')).rejects.toMatchObject({
      status: 404,
      message
    });
  });

  it('when the server answers 400 with a message then rejects with that message', async () => {
    const message = "Missing query parameter: path (the notebook's path relative to the server root)";
    const server = new ScriptedServer().answer(json(400, { message }));
    await expect(server.client().notebook('')).rejects.toMatchObject({ status: 400, message });
  });

  it('when the server answers 500 without JSON then rejects with the status in a sentence', async () => {
    const server = new ScriptedServer().answer(response(500, 'oops'));
    await expect(server.client().notebook('a.ipynb')).rejects.toThrow('HTTP 500');
  });

  it('when the network fails then the error reaches the caller', async () => {
    const server = new ScriptedServer().answer(new TypeError('Failed to fetch'));
    await expect(server.client().notebook('a.ipynb')).rejects.toThrow('Failed to fetch');
  });
});

describe('AigovClient.exportBundle and push', () => {
  const exported = {
    bundle: 'churn-20240501.zip',
    download: 'aigov/bundle?path=work%2Fchurn.ipynb&name=churn-20240501.zip',
    records: 42,
    signer: 'SHA256:abc'
  };

  it('when exporting then POSTs the path as JSON and returns the bundle', async () => {
    const server = new ScriptedServer().answer(json(201, exported));
    expect(await server.client().exportBundle('work/churn.ipynb')).toEqual(exported);
    expect(server.requests[0].url).toBe('http://localhost:8888/lab-base/aigov/export');
    expect(server.requests[0].init.method).toBe('POST');
    expect(JSON.parse(server.requests[0].init.body as string)).toEqual({ path: 'work/churn.ipynb' });
  });

  it('when exporting a notebook without evidence then rejects with the server message', async () => {
    const message = 'No evidence for work/churn.ipynb yet: run a cell with %load_ext aigov first.';
    const server = new ScriptedServer().answer(json(404, { message }));
    await expect(server.client().exportBundle('work/churn.ipynb')).rejects.toMatchObject({ status: 404, message });
  });

  it('when exporting without the server extension then rejects saying how to enable it', async () => {
    const server = new ScriptedServer().answer(NOT_FOUND_PAGE);
    const failure = server.client().exportBundle('a.ipynb');
    await expect(failure).rejects.toBeInstanceOf(NotEnabledError);
    await expect(new ScriptedServer().answer(NOT_FOUND_PAGE).client().push('a.ipynb')).rejects.toThrow(
      'jupyter server extension enable jupyter_aigov'
    );
  });

  it('when pushing without a registry then rejects with the 409 message', async () => {
    const message = 'No registry configured: set AIGOV_REGISTRY_URL (and AIGOV_REGISTRY_TOKEN) in the environment.';
    const server = new ScriptedServer().answer(json(409, { message }));
    await expect(server.client().push('a.ipynb')).rejects.toMatchObject({ status: 409, message });
  });

  it('when the registry stores the bundle then push returns its answer', async () => {
    const pushed = { status: 'stored', id: 'b-1', url: 'http://registry/b-1', bundle: 'x.zip' };
    const server = new ScriptedServer().answer(json(201, pushed));
    expect(await server.client().push('a.ipynb')).toEqual(pushed);
    expect(server.requests[0].url).toBe('http://localhost:8888/lab-base/aigov/push');
  });
});

describe('AigovClient.downloadUrl', () => {
  const link = 'aigov/bundle?path=work%2Fchurn.ipynb&name=churn.zip';

  it('when the server uses a token then adds it to the query', () => {
    const client = new ScriptedServer().client('http://host:8888/base/', 's3cret');
    expect(client.downloadUrl(link)).toBe('http://host:8888/base/aigov/bundle?path=work%2Fchurn.ipynb&name=churn.zip&token=s3cret');
  });

  it('when the server uses no token then keeps the query as it is', () => {
    const client = new ScriptedServer().client('http://host:8888/', '');
    expect(client.downloadUrl(link)).toBe('http://host:8888/aigov/bundle?path=work%2Fchurn.ipynb&name=churn.zip');
  });
});
