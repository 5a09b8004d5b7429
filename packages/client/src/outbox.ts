import type { SendEventAck, SendEventRequest } from '@enlets/protocol';
import { EnletsApiError } from './api/http.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { classifyFailure } from './errors.js';
import { clearTimer, randomUuid, setTimer, type TimerHandle } from './runtime.js';
import type { ClientStore, OutboxEntry } from './store/client-store.js';

/** Delivers one entry's stored body (over the socket or HTTP) and resolves with the server's acknowledgement. */
export type OutboxSender = (entry: OutboxEntry) => Promise<SendEventAck>;

/** What the outbox reports to its owner. */
export interface OutboxListener {
  acked(entry: OutboxEntry, ack: SendEventAck): void;
  failed(entry: OutboxEntry): void;
  signedOut(): void;
}

export interface OutboxOptions {
  readonly store: ClientStore;
  readonly send: OutboxSender;
  readonly listener: OutboxListener;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly newClientMessageId?: () => string;
  readonly now?: () => number;
}

/** The outcome of one pass over the outbox. */
export interface FlushResult {
  readonly acked: number;
  readonly failed: number;
  /** Entries still waiting (a transient failure stopped the pass, or the session ended). */
  readonly pending: number;
  /** Why the pass stopped early, if it did. */
  readonly stoppedBy?: 'transient' | 'signedOut';
  /** For a pass stopped by RATE_LIMITED: how long the server asked to wait (its `retryAfterSeconds`), in ms. */
  readonly retryAfterMs?: number;
}

/** A message accepted into the outbox: it is stored, and `acknowledged` settles when the server answers. */
export interface PendingSend {
  readonly clientMessageId: string;
  /**
   * Resolves with the acknowledgement; rejects with an `EnletsApiError` if the server refuses the message for
   * good, or with `OutboxStoppedError` if the outbox stops first (the message stays stored and is sent later).
   */
  readonly acknowledged: Promise<SendEventAck>;
}

/** The outbox was stopped while a caller waited for an acknowledgement; the entry is still stored. */
export class OutboxStoppedError extends Error {
  override readonly name = 'OutboxStoppedError';
  constructor(readonly clientMessageId: string) {
    super('the outbox stopped before the message was acknowledged; it stays queued');
  }
}

interface Waiter {
  resolve(ack: SendEventAck): void;
  reject(error: Error): void;
}

/**
 * The persistent outbox: nothing is lost, nothing is stored twice. A message gets its `clientMessageId` and its
 * final body before anything else happens, is written to the store, and is then sent, again and again with the
 * very same bytes, until the server acknowledges it (the server answers a repeat with the stored seq). Entries
 * go out one at a time in the order they were queued, so a conversation keeps the order its sender wrote in; a
 * transient failure pauses the whole queue for a backoff with jitter. Only an acknowledgement removes an entry;
 * a permanent refusal (NOT_FOUND, VALIDATION_FAILED, TLP_VIOLATION, CONVERSATION_READ_ONLY, …) marks it failed
 * with the code and reports it; an ended session pauses the queue and keeps everything.
 */
export class Outbox {
  readonly #store: ClientStore;
  readonly #send: OutboxSender;
  readonly #listener: OutboxListener;
  readonly #backoff: BackoffPolicy;
  readonly #random: () => number;
  readonly #newId: () => string;
  readonly #now: () => number;
  readonly #waiters = new Map<string, Waiter>();
  #running = false;
  #flushing: Promise<FlushResult> | undefined;
  #again = false;
  #failures = 0;
  #timer: TimerHandle | undefined;
  #signedOut = false;

  constructor(options: OutboxOptions) {
    this.#store = options.store;
    this.#send = options.send;
    this.#listener = options.listener;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#random = options.random ?? Math.random;
    this.#newId = options.newClientMessageId ?? randomUuid;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Queues a message: picks its clientMessageId, fixes its body and stores it, then (if running) starts
   * sending. Resolves once the message is stored.
   */
  async enqueue(
    conversationId: string,
    request: Omit<SendEventRequest, 'clientMessageId'>,
    clientMessageId: string = this.#newId(),
  ): Promise<PendingSend> {
    const body: SendEventRequest = { clientMessageId, ...request };
    const entry: OutboxEntry = {
      clientMessageId,
      conversationId,
      body: JSON.stringify(body),
      createdAt: this.#now(),
      attempts: 0,
      status: 'pending',
    };
    const acknowledged = new Promise<SendEventAck>((resolve, reject) => {
      this.#waiters.set(clientMessageId, { resolve, reject });
    });
    // Callers that ignore the promise must not cause an unhandled rejection; awaiting it still throws.
    acknowledged.catch(() => undefined);
    try {
      await this.#store.putOutbox(entry);
    } catch (error) {
      this.#waiters.delete(clientMessageId);
      throw error;
    }
    this.kick();
    return { clientMessageId, acknowledged };
  }

  /** The stored entries, pending and failed, oldest first. */
  list(): Promise<ReadonlyArray<OutboxEntry>> {
    return this.#store.listOutbox();
  }

  /** Removes an entry (a failed message the user gave up on). */
  async discard(clientMessageId: string): Promise<void> {
    await this.#store.deleteOutbox(clientMessageId);
    this.#waiters.get(clientMessageId)?.reject(new OutboxStoppedError(clientMessageId));
    this.#waiters.delete(clientMessageId);
  }

  /** Sends automatically from now on: after each enqueue, after each backoff, and whenever `kick` is called. */
  start(): void {
    this.#running = true;
    this.#signedOut = false;
    this.kick();
  }

  /** Stops sending; waiting callers get `OutboxStoppedError`, entries stay in the store. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimer(this.#timer);
    this.#timer = undefined;
    await this.#flushing?.catch(() => undefined);
    for (const [id, waiter] of this.#waiters) waiter.reject(new OutboxStoppedError(id));
    this.#waiters.clear();
  }

  /** Tries now (a connection came up, the user asked): ends the current backoff. */
  kick(resetBackoff = false): void {
    if (!this.#running || this.#signedOut) return;
    if (resetBackoff) this.#failures = 0;
    if (this.#flushing !== undefined) {
      this.#again = true;
      return;
    }
    clearTimer(this.#timer);
    this.#timer = undefined;
    void this.#loop();
  }

  async #loop(): Promise<void> {
    let result: FlushResult;
    try {
      result = await this.flush();
    } catch {
      result = { acked: 0, failed: 0, pending: 1, stoppedBy: 'transient' };
    }
    if (!this.#running) return;
    if (this.#again) {
      this.#again = false;
      if (result.stoppedBy === undefined) {
        this.kick();
        return;
      }
    }
    if (result.stoppedBy === 'transient') {
      this.#failures += 1;
      // A server that said how long to wait is believed: sooner would only be refused again.
      const delay = Math.max(
        backoffDelay(this.#failures, this.#backoff, this.#random),
        result.retryAfterMs ?? 0,
      );
      this.#timer = setTimer(() => {
        this.#timer = undefined;
        this.kick();
      }, delay);
    }
  }

  /**
   * One pass: sends every pending entry in order until all are acknowledged or refused, or a transient
   * failure or an ended session stops it. Concurrent calls share the pass.
   */
  flush(): Promise<FlushResult> {
    if (this.#flushing !== undefined) return this.#flushing;
    const pass = this.#flushOnce().finally(() => {
      this.#flushing = undefined;
    });
    this.#flushing = pass;
    return pass;
  }

  async #flushOnce(): Promise<FlushResult> {
    let acked = 0;
    let failed = 0;
    const entries = (await this.#store.listOutbox()).filter((e) => e.status === 'pending');
    for (const [index, stored] of entries.entries()) {
      const entry: OutboxEntry = { ...stored, attempts: stored.attempts + 1 };
      await this.#store.putOutbox(entry);
      let ack: SendEventAck;
      try {
        ack = await this.#send(entry);
      } catch (error) {
        const kind = classifyFailure(error);
        if (kind === 'permanent') {
          const apiError = error as EnletsApiError;
          const failedEntry: OutboxEntry = {
            ...entry,
            status: 'failed',
            error: { code: apiError.code, message: apiError.message },
          };
          await this.#store.putOutbox(failedEntry);
          failed += 1;
          this.#settle(entry.clientMessageId, undefined, apiError);
          this.#listener.failed(failedEntry);
          continue;
        }
        if (kind === 'signedOut') {
          this.#signedOut = true;
          this.#listener.signedOut();
        }
        const retryAfterMs = retryAfter(error);
        return {
          acked,
          failed,
          pending: entries.length - index,
          stoppedBy: kind,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      }
      await this.#store.deleteOutbox(entry.clientMessageId);
      acked += 1;
      this.#failures = 0;
      this.#settle(entry.clientMessageId, ack, undefined);
      this.#listener.acked(entry, ack);
    }
    return { acked, failed, pending: 0 };
  }

  #settle(clientMessageId: string, ack: SendEventAck | undefined, error: Error | undefined): void {
    const waiter = this.#waiters.get(clientMessageId);
    if (waiter === undefined) return;
    this.#waiters.delete(clientMessageId);
    if (ack !== undefined) waiter.resolve(ack);
    else waiter.reject(error ?? new Error('refused'));
  }
}

/** The wait a RATE_LIMITED refusal asks for (`details.retryAfterSeconds`), in ms, capped at a minute. */
function retryAfter(error: unknown): number | undefined {
  if (!(error instanceof EnletsApiError) || error.code !== 'RATE_LIMITED') return undefined;
  const seconds = error.details?.['retryAfterSeconds'];
  return typeof seconds === 'number' && seconds > 0 ? Math.min(seconds, 60) * 1000 : undefined;
}
