import { EnletsApiError } from '../api/http.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../backoff.js';
import { classifyFailure, SessionEndedError } from '../errors.js';
import { clearTimer, setTimer, sleep, type TimerHandle } from '../runtime.js';
import type { ClientStore } from '../store/client-store.js';
import { CLOSE_CODES } from '@enlets/protocol';
import type { LinkClosed, LinkHandlers, Transport, TransportLink } from './transport.js';

/**
 * Where the connection is. `idle` before `start` and after `stop`; `signedOut` once the server ended the
 * session (it does not reconnect from there).
 */
export type ConnectionState =
  'idle' | 'connecting' | 'authenticating' | 'syncing' | 'live' | 'backoff' | 'signedOut';

export interface ConnectionOptions {
  readonly transport: Transport;
  readonly store: ClientStore;
  /** Applies an event (dedup, gap fill, store, deliver); the sequencer does this. */
  readonly applyEvent: LinkHandlers['onEvent'];
  readonly onState: (state: ConnectionState) => void;
  readonly onSignedOut: () => void;
  readonly onResyncRequired?: () => void;
  /** Typing, presence, receipts and delivered positions, as the link receives them. */
  readonly onSignal?: LinkHandlers['onSignal'];
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  /** How often an HTTP link polls `sync` while live. */
  readonly pollIntervalMs?: number;
}

/** The server ended the session: 4401/4403 on the socket, or UNAUTHENTICATED over HTTP. */
function isSessionEnd(error: unknown): boolean {
  return error instanceof SessionEndedError || classifyFailure(error) === 'signedOut';
}

/**
 * The connection state machine: idle → connecting → authenticating → syncing → live, and on any failure
 * backoff (exponential, with jitter, capped) → connecting again, resuming from the stored sync token so nothing
 * missed in between is lost. Close codes 4401/4403 (the session ended) stop it in `signedOut`; every other
 * close (4408 backpressure, 4429 rate limit, 1001 server going away, a network loss) reconnects.
 */
export class Connection {
  readonly #options: ConnectionOptions;
  readonly #backoff: BackoffPolicy;
  readonly #random: () => number;
  readonly #pollIntervalMs: number;
  #state: ConnectionState = 'idle';
  #link: TransportLink | undefined;
  #running = false;
  #generation = 0;
  #wake: (() => void) | undefined;
  #timer: TimerHandle | undefined;
  readonly #liveWaiters = new Set<() => void>();
  /** The server asked for a resume while one could not start yet (or was already running): do one more. */
  #resyncPending = false;
  #resyncing = false;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#random = options.random ?? Math.random;
    this.#pollIntervalMs = options.pollIntervalMs ?? 2_000;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The link while live, for sending over it. */
  get liveLink(): TransportLink | undefined {
    return this.#state === 'live' ? this.#link : undefined;
  }

  /** Whether `start` was called and `stop` not since (whatever the current state). */
  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#generation += 1;
    void this.#run(this.#generation);
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#generation += 1;
    const link = this.#link;
    this.#link = undefined;
    link?.close();
    this.#cancelWait();
    this.#setState('idle');
  }

  /**
   * Resolves with the live link, or undefined if the connection is not live within `timeoutMs` or the current
   * attempt fails first.
   */
  waitLive(timeoutMs: number): Promise<TransportLink | undefined> {
    const now = this.liveLink;
    if (now !== undefined || !this.#running) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimer(timer);
        this.#liveWaiters.delete(done);
        resolve(this.liveLink);
      };
      const timer = setTimer(done, timeoutMs);
      this.#liveWaiters.add(done);
    });
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onState(state);
    // Waiters want the link, or to know soon that there is none (an attempt failed: backoff).
    if (state === 'live' || state === 'idle' || state === 'signedOut' || state === 'backoff') {
      for (const waiter of [...this.#liveWaiters]) waiter();
    }
  }

  async #run(generation: number): Promise<void> {
    let attempt = 0;
    const current = (): boolean => this.#running && this.#generation === generation;
    while (current()) {
      this.#setState('connecting');
      let closedInfo: LinkClosed | undefined;
      try {
        let closedBy: ((closed: LinkClosed) => void) | undefined;
        const closed = new Promise<LinkClosed>((resolve) => (closedBy = resolve));
        const link = await this.#options.transport.open({
          onAuthenticating: () => {
            if (current()) this.#setState('authenticating');
          },
          onEvent: (event) => this.#options.applyEvent(event),
          onClosed: (info) => {
            closedInfo = info;
            closedBy?.(info);
          },
          onResyncRequested: (jitterMs) => {
            if (current()) this.#resyncSoon(jitterMs);
          },
          onSignal: (signal) => {
            if (current()) this.#options.onSignal?.(signal);
          },
        });
        if (!current()) {
          link.close();
          return;
        }
        this.#link = link;
        this.#setState('syncing');
        this.#resyncPending = false;
        await this.#syncAll(link);
        // A resync asked for while this one ran may cover what it read too early.
        while (this.#takeResyncRequest() && current()) await this.#syncAll(link);
        if (!current()) return;
        attempt = 0;
        this.#setState('live');
        const ended = link.pushesEvents ? await closed : await this.#poll(link, current);
        if (ended !== undefined && isClosedBySessionEnd(ended)) throw new SessionEndedError(ended.code);
      } catch (error) {
        if (!current()) return;
        // A sync or send cut short by a 4401/4403 close fails as a network error; the close code decides.
        if (isSessionEnd(error) || (closedInfo !== undefined && isClosedBySessionEnd(closedInfo))) {
          this.#running = false;
          this.#link = undefined;
          this.#setState('signedOut');
          this.#options.onSignedOut();
          return;
        }
      }
      this.#link?.close();
      this.#link = undefined;
      if (!current()) return;
      attempt += 1;
      this.#setState('backoff');
      await this.#wait(backoffDelay(attempt, this.#backoff, this.#random));
    }
  }

  /**
   * The server may have failed to push some live events (its cluster bus was away): resume again from the
   * stored token after a random delay below `jitterMs` (so a whole server's devices do not ask at once). While
   * not live, the resume under way is simply repeated. A resume that fails drops the link: the reconnect resumes.
   */
  #resyncSoon(jitterMs: number): void {
    this.#resyncPending = true;
    const link = this.#link;
    if (this.#state !== 'live' || this.#resyncing || link === undefined) return;
    this.#resyncing = true;
    const run = async (): Promise<void> => {
      await sleep(Math.floor(this.#random() * jitterMs));
      while (this.#link === link && this.#state === 'live' && this.#takeResyncRequest()) {
        await this.#syncAll(link);
      }
    };
    run()
      .catch(() => link.close())
      .finally(() => {
        this.#resyncing = false;
      });
  }

  /** Whether a resume was asked for since the last one started (and forgets the request). */
  #takeResyncRequest(): boolean {
    const pending = this.#resyncPending;
    this.#resyncPending = false;
    return pending;
  }

  /** Resumes until the server has nothing more, storing each token only after its events were applied. */
  async #syncAll(link: TransportLink): Promise<void> {
    for (;;) {
      const token = await this.#options.store.getSyncToken();
      let batch;
      try {
        batch = await link.sync(token);
      } catch (error) {
        if (error instanceof EnletsApiError && error.code === 'RESYNC_REQUIRED' && token !== undefined) {
          // Too long away: start afresh from the current heads; the app reloads its conversation list.
          await this.#options.store.setSyncToken(undefined);
          this.#options.onResyncRequired?.();
          continue;
        }
        throw error;
      }
      for (const id of batch.leftConversationIds) await this.#options.store.dropConversation(id);
      await this.#options.store.setSyncToken(batch.token);
      if (!batch.hasMore) return;
    }
  }

  /**
   * Live over a link that does not push: poll `sync` until it fails (the caller backs off and reconnects) or
   * the connection stops.
   */
  async #poll(link: TransportLink, current: () => boolean): Promise<undefined> {
    while (current()) {
      await this.#wait(this.#pollIntervalMs);
      if (!current()) break;
      await this.#syncAll(link);
    }
    return undefined;
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimer(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
    });
  }

  #cancelWait(): void {
    clearTimer(this.#timer);
    this.#timer = undefined;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function isClosedBySessionEnd(closed: LinkClosed): boolean {
  return closed.code === CLOSE_CODES.UNAUTHENTICATED || closed.code === CLOSE_CODES.SESSION_REVOKED;
}
