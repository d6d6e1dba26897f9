/**
 * States, decisions and a scripted server for the unit tests.
 */
import { AigovClient, IResponseLike, RequestFunction } from '../api';
import type { IDecision, INotebookState } from '../types';

/** A decision, `allow` by default, at 12:00:<seq> UTC on 2024-05-01. */
export function decision(overrides: Partial<IDecision> = {}): IDecision {
  const seq = overrides.seq ?? 1;
  return {
    seq,
    ts: `2024-05-01T12:00:${String(seq % 60).padStart(2, '0')}+00:00`,
    event: 'ai.call',
    model: 'gpt-4o-mini',
    provider: 'openai',
    decision: 'allow',
    rules: [],
    rule: null,
    reason: null,
    entities: {},
    tool: null,
    use_case: 'churn-analysis',
    input_tokens: 10,
    output_tokens: 20,
    log: 'churn.jsonl',
    ...overrides
  };
}

/** A blocked decision with its rule and reason. */
export function block(seq: number, overrides: Partial<IDecision> = {}): IDecision {
  return decision({
    seq,
    decision: 'block',
    rules: ['no-secrets'],
    rule: 'no-secrets',
    reason: 'An API key was found in the prompt.',
    ...overrides
  });
}

/** A governed notebook's state with these decisions (counts made from them). */
export function governedState(decisions: IDecision[] = [], overrides: Partial<INotebookState> = {}): INotebookState {
  const calls = decisions.filter(item => item.event !== 'tool.call');
  const count = (kind: string): number => calls.filter(item => item.decision === kind).length;
  const blocks = decisions.filter(item => item.decision === 'block');
  const last = decisions.length > 0 ? decisions[decisions.length - 1] : null;
  return {
    path: 'work/churn.ipynb',
    governed: true,
    kernel_extension: true,
    evidence: {
      logs: ['work/.aigov/evidence/churn.jsonl'],
      records: decisions.length + 2,
      last_seq: last?.seq ?? null,
      last_ts: last?.ts ?? null
    },
    policy: { name: 'aigov.yaml', path: 'work/aigov.yaml', sha256: 'abc', origin: 'evidence', use_case: 'churn-analysis' },
    counts: {
      calls: calls.length,
      allowed: count('allow'),
      redacted: count('redact'),
      blocked: count('block'),
      redactions: calls
        .filter(item => item.decision === 'redact')
        .reduce((sum, item) => sum + Object.values(item.entities).reduce((a, b) => a + b, 0), 0),
      tool_calls: 0,
      tool_blocks: 0
    },
    last_decision: last,
    last_block: blocks.length > 0 ? blocks[blocks.length - 1] : null,
    decisions,
    decisions_total: decisions.length,
    models: [],
    registry: { configured: false, url: null },
    former_paths: [],
    ...overrides
  };
}

/** The state of a notebook without evidence. */
export function ungovernedState(overrides: Partial<INotebookState> = {}): INotebookState {
  return governedState([], {
    governed: false,
    kernel_extension: false,
    evidence: { logs: [], records: 0, last_seq: null, last_ts: null },
    policy: { name: 'aigov.yaml', path: 'work/aigov.yaml', sha256: 'abc', origin: 'discovered', use_case: null },
    ...overrides
  });
}

/** A response with this status, body and headers. */
export function response(status: number, body = '', headers: Record<string, string> = {}): IResponseLike {
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    status,
    headers: { get: (name: string) => lower[name.toLowerCase()] ?? null },
    text: async () => body
  };
}

/** A JSON response. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): IResponseLike {
  return response(status, JSON.stringify(body), { 'Content-Type': 'application/json', ...headers });
}

/** The HTML page jupyter_server answers for a URL no handler serves. */
export const NOT_FOUND_PAGE = response(404, '<!DOCTYPE HTML><html><body><h1>404 : Not Found</h1></body></html>', {
  'Content-Type': 'text/html'
});

/** One request the scripted server received. */
export interface IRecordedRequest {
  url: string;
  init: RequestInit;
}

/** A server that answers from a script of responses (or functions of the request), recording each request. */
export class ScriptedServer {
  readonly requests: IRecordedRequest[] = [];
  private readonly script: (IResponseLike | Error | ((request: IRecordedRequest) => IResponseLike | Promise<IResponseLike>))[] = [];

  /** Queues answers, in order. */
  answer(...answers: (IResponseLike | Error | ((request: IRecordedRequest) => IResponseLike | Promise<IResponseLike>))[]): this {
    this.script.push(...answers);
    return this;
  }

  readonly request: RequestFunction = async (url, init) => {
    const request = { url, init };
    this.requests.push(request);
    const next = this.script.shift();
    if (next === undefined) {
      throw new Error(`Unexpected request ${init.method ?? 'GET'} ${url}`);
    }
    if (next instanceof Error) {
      throw next;
    }
    return typeof next === 'function' ? next(request) : next;
  };

  /** A client of this server, at `baseUrl`, with `token`. */
  client(baseUrl = 'http://localhost:8888/lab-base/', token = ''): AigovClient {
    return new AigovClient(this.request, { baseUrl, token });
  }

  /** The headers of the n-th request, as a plain record. */
  headersOf(index: number): Record<string, string> {
    return (this.requests[index].init.headers ?? {}) as Record<string, string>;
  }
}
