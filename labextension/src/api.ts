/**
 * The client of the server extension's REST API, over an injected request function.
 */
import { URLExt } from '@jupyterlab/coreutils';

import type { IExportResult, INotebookState, IPushResult } from './types';

/** The part of a fetch `Response` the client reads. */
export interface IResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** Sends one request (in JupyterLab: `ServerConnection.makeRequest` with the server settings). */
export type RequestFunction = (url: string, init: RequestInit) => Promise<IResponseLike>;

/** Where the server is: its base URL and, when it uses one, its token. */
export interface IServerLocation {
  readonly baseUrl: string;
  readonly token: string;
}

/** What a poll of a notebook's state found. */
export type NotebookAnswer =
  | { kind: 'state'; state: INotebookState; etag: string | null }
  | { kind: 'unchanged' }
  | { kind: 'not-enabled' };

/** An error answered by the aigov server extension itself (its JSON `message` says what to do). */
export class AigovError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
    this.name = 'AigovError';
  }
}

/** The server extension is not enabled: its URLs fall through to the server's HTML 404 page. */
export class NotEnabledError extends Error {
  constructor() {
    super('The jupyter_aigov server extension is not enabled: run `jupyter server extension enable jupyter_aigov`.');
    this.name = 'NotEnabledError';
  }
}

/** The command that enables the server extension. */
export const ENABLE_COMMAND = 'jupyter server extension enable jupyter_aigov';

/** Reads and acts on one notebook's governance through `<base_url>/aigov/...`. */
export class AigovClient {
  constructor(
    private readonly request: RequestFunction,
    readonly location: IServerLocation
  ) {}

  /** The notebook's state; `unchanged` when `etag` still matches, `not-enabled` without the server extension. */
  async notebook(path: string, etag: string | null = null): Promise<NotebookAnswer> {
    const headers: Record<string, string> = {};
    if (etag) {
      headers['If-None-Match'] = etag;
    }
    const response = await this.request(this.url('notebook', { path }), { method: 'GET', headers });
    if (response.status === 304) {
      return { kind: 'unchanged' };
    }
    const body = await readJson(response);
    if (response.status === 404 && !isOurError(body)) {
      return { kind: 'not-enabled' };
    }
    if (response.status !== 200) {
      throw errorOf(response.status, body);
    }
    return { kind: 'state', state: body as INotebookState, etag: response.headers.get('ETag') };
  }

  /** Exports an evidence bundle of the notebook on the server. */
  async exportBundle(path: string): Promise<IExportResult> {
    return (await this.post('export', { path })) as IExportResult;
  }

  /** Exports a bundle and pushes it to the registry the server is configured with. */
  async push(path: string): Promise<IPushResult> {
    return (await this.post('push', { path })) as IPushResult;
  }

  /** The absolute URL of a `download` link the server answered, with the token when the server uses one. */
  downloadUrl(download: string): string {
    const [route, query = ''] = download.split('?', 2);
    const params = new URLSearchParams(query);
    if (this.location.token) {
      params.set('token', this.location.token);
    }
    const search = params.toString();
    return URLExt.join(this.location.baseUrl, route) + (search ? `?${search}` : '');
  }

  /** The URL of an aigov endpoint with its query. */
  url(endpoint: string, query: Record<string, string> = {}): string {
    const search = new URLSearchParams(query).toString();
    return URLExt.join(this.location.baseUrl, 'aigov', endpoint) + (search ? `?${search}` : '');
  }

  private async post(endpoint: string, body: unknown): Promise<unknown> {
    const response = await this.request(this.url(endpoint), {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' }
    });
    const answer = await readJson(response);
    if (response.status === 404 && !isOurError(answer)) {
      throw new NotEnabledError();
    }
    if (response.status < 200 || response.status >= 300) {
      throw errorOf(response.status, answer);
    }
    return answer;
  }
}

/** The body as JSON, or undefined when it is not JSON (e.g. the server's HTML error page). */
async function readJson(response: IResponseLike): Promise<unknown> {
  const text = await response.text();
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether a body is an error of a Jupyter API handler (JSON with a `message`), not the server's 404 page. */
function isOurError(body: unknown): body is { message: string } {
  return typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string';
}

function errorOf(status: number, body: unknown): AigovError {
  if (isOurError(body) && body.message) {
    return new AigovError(status, body.message);
  }
  return new AigovError(status, `The server answered HTTP ${status} to an AI governance request.`);
}
