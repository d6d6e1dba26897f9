/**
 * One notebook's governance state, polled from the server while that notebook is the active one.
 */
import { IDisposable } from '@lumino/disposable';
import { Poll, Throttler } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { AigovClient, AigovError } from './api';
import { BlockWatch } from './blocks';
import type { IDecision, INotebookState } from './types';

/** Where the model is: before its first answer, with a state, without the server extension, or failing. */
export type Phase = 'loading' | 'ready' | 'not-enabled' | 'error';

/** What the status bar and the panel show for one notebook. */
export interface IGovernanceStatus {
  readonly path: string;
  readonly phase: Phase;
  /** The last state answered (kept while a later poll fails). */
  readonly state: INotebookState | null;
  /** Why the last poll failed, when it did. */
  readonly error: string | null;
}

/** How often to poll, in ms. */
export const POLL_INTERVAL = 2000;
/** The longest wait between polls when they keep failing. */
export const POLL_MAX_INTERVAL = 30000;
/** How often to look again for a server extension that is not enabled. */
export const NOT_ENABLED_INTERVAL = 60000;
/** Executions closer together than this make one refresh. */
export const REFRESH_LIMIT = 300;

export namespace NotebookGovernance {
  export interface IOptions {
    client: AigovClient;
    path: string;
    /** Poll every so many ms (default POLL_INTERVAL). */
    interval?: number;
  }
}

/** Polls `aigov/notebook?path=` for one notebook, and says when its state changes or a new block appears. */
export class NotebookGovernance implements IDisposable {
  constructor(options: NotebookGovernance.IOptions) {
    this.client = options.client;
    this._interval = options.interval ?? POLL_INTERVAL;
    this._status = { path: options.path, phase: 'loading', state: null, error: null };
    this.poll = new Poll({
      auto: false,
      factory: () => this.check(),
      frequency: this.frequency(false),
      name: 'jupyter-aigov:notebook',
      standby: 'when-hidden'
    });
    this.refresher = new Throttler(() => this.poll.refresh(), { limit: REFRESH_LIMIT, edge: 'trailing' });
  }

  readonly client: AigovClient;

  /** The notebook's path relative to the server root. */
  get path(): string {
    return this._status.path;
  }

  get status(): IGovernanceStatus {
    return this._status;
  }

  /** Emits the new status whenever it changes. */
  get changed(): ISignal<this, IGovernanceStatus> {
    return this._changed;
  }

  /** Emits the blocked decisions that appeared since the last poll (never those of the first one). */
  get blocked(): ISignal<this, IDecision[]> {
    return this._blocked;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Whether the model is polling (its notebook is the active one). */
  get isActive(): boolean {
    return this._active;
  }

  /** Polls while the notebook is the active one. */
  activate(): void {
    if (this._isDisposed || this._active) {
      return;
    }
    this._active = true;
    void this.poll.start();
  }

  /** Stops polling: another notebook is in front. */
  deactivate(): void {
    if (this._isDisposed || !this._active) {
      return;
    }
    this._active = false;
    void this.poll.stop();
  }

  /** Asks again soon (a cell just ran); executions close together make one request. */
  refresh(): void {
    if (!this._isDisposed && this._active) {
      void this.refresher.invoke();
    }
  }

  /** Follows a rename: the notebook is now at `path`; asks about it at once. */
  setPath(path: string): void {
    if (this._isDisposed || path === this._status.path) {
      return;
    }
    this.etag = null;
    this.setStatus({ path, phase: this._status.state ? this._status.phase : 'loading', state: this._status.state, error: null });
    if (this._active) {
      void this.poll.refresh();
    }
  }

  /** One poll: asks the server (with the last ETag) and updates the status; rejects when the poll failed. */
  check(): Promise<void> {
    this.pending = this.pending.catch(() => undefined).then(() => this.checkOnce());
    return this.pending;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.refresher.dispose();
    this.poll.dispose();
    Signal.clearData(this);
  }

  private async checkOnce(): Promise<void> {
    const path = this._status.path;
    if (this._isDisposed) {
      return;
    }
    let answer;
    try {
      answer = await this.client.notebook(path, this.etag);
    } catch (error) {
      if (!this._isDisposed && path === this._status.path) {
        this.setStatus({ ...this._status, phase: 'error', error: messageOf(error) });
      }
      throw error; // so that the poll backs off
    }
    if (this._isDisposed || path !== this._status.path) {
      return; // renamed meanwhile: the answer is about the former path
    }
    this.poll.frequency = this.frequency(answer.kind === 'not-enabled');
    if (answer.kind === 'not-enabled') {
      this.etag = null;
      this.setStatus({ path, phase: 'not-enabled', state: null, error: null });
    } else if (answer.kind === 'unchanged') {
      if (this._status.phase !== 'ready') {
        this.setStatus({ ...this._status, phase: this._status.state ? 'ready' : 'loading', error: null });
      }
    } else {
      this.etag = answer.etag;
      const fresh = this.watch.newBlocks(answer.state);
      this.setStatus({ path, phase: 'ready', state: answer.state, error: null });
      if (fresh.length > 0) {
        this._blocked.emit(fresh);
      }
    }
  }

  private frequency(notEnabled: boolean): { interval: number; max: number; backoff: boolean } {
    const interval = notEnabled ? NOT_ENABLED_INTERVAL : this._interval;
    return { interval, max: Math.max(interval, notEnabled ? NOT_ENABLED_INTERVAL * 5 : POLL_MAX_INTERVAL), backoff: true };
  }

  private setStatus(status: IGovernanceStatus): void {
    this._status = status;
    this._changed.emit(status);
  }

  private readonly poll: Poll;
  private readonly refresher: Throttler;
  private readonly watch = new BlockWatch();
  private readonly _interval: number;
  private readonly _changed = new Signal<this, IGovernanceStatus>(this);
  private readonly _blocked = new Signal<this, IDecision[]>(this);
  private _status: IGovernanceStatus;
  private etag: string | null = null;
  private pending: Promise<void> = Promise.resolve();
  private _active = false;
  private _isDisposed = false;
}

/** A sentence for a failed poll. */
export function messageOf(error: unknown): string {
  if (error instanceof AigovError) {
    return error.message;
  }
  if (error instanceof Error) {
    return `The Jupyter server could not be reached: ${error.message}`;
  }
  return String(error);
}
