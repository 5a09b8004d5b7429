import { sql } from 'kysely';
import type { SendEventAck, SendEventRequest } from '@enlets/protocol';
import type { Actor } from './actor.js';
import { AlreadyStoredError, ack, storeEvent, type RecipientsCache } from './actions/events.js';
import type { ForwardSource } from './actions/uploads.js';
import { AdaptiveBatchWindow, SQLITE_BATCH_WINDOW } from './batch-window.js';
import { inTransaction, type Services } from './services.js';

/** Sends committed in one transaction at most; the rest wait for the next one. */
const MAX_BATCH = 256;

interface PendingSend {
  readonly actor: Actor;
  readonly conversationId: string;
  readonly request: SendEventRequest;
  readonly forwardedFrom: ForwardSource | undefined;
  readonly resolve: (ack: SendEventAck) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  { readonly ok: true; readonly ack: SendEventAck } | { readonly ok: false; readonly error: unknown };

/**
 * Group commit for sends. Every send that arrives while a commit is under way (or in the same event-loop turn)
 * is stored in the next transaction, each inside its own savepoint: a refused or duplicate event rolls back
 * only its own part, and nobody is acknowledged before the one durable commit (an fsync on SQLite, a round trip
 * on PostgreSQL) that covers them all. Within a batch, events are stored in conversation-id order (stable, so
 * one sender's events keep their order), which also makes every process lock conversation rows in the same
 * order: two processes' batches cannot deadlock on PostgreSQL.
 */
export class SendBatcher {
  readonly #services: Services;
  /**
   * How long the first send of a batch waits for others: a number when the configuration fixes it (zero: the
   * next turn, what arrived meanwhile), else on SQLite a wait that grows with the arrival rate (batch-window.ts).
   * On SQLite the commit (an fsync) blocks the event loop, and each batch's events leave in one turn, so a batch
   * of several sends costs one fsync and writes a connection's frames of all of them in one system call.
   */
  readonly #window: number | AdaptiveBatchWindow;
  #pending: PendingSend[] = [];
  #scheduled = false;
  #running = false;

  constructor(services: Services) {
    this.#services = services;
    this.#window =
      services.config.sendBatchWindowMs ??
      (services.dialect === 'sqlite' ? new AdaptiveBatchWindow(SQLITE_BATCH_WINDOW) : 0);
  }

  submit(
    actor: Actor,
    conversationId: string,
    request: SendEventRequest,
    forwardedFrom?: ForwardSource,
  ): Promise<SendEventAck> {
    if (this.#window instanceof AdaptiveBatchWindow) this.#window.noteSend(performance.now());
    return new Promise((resolve, reject) => {
      this.#pending.push({ actor, conversationId, request, forwardedFrom, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    const flush = (): void => {
      this.#scheduled = false;
      void this.#flush();
    };
    const windowMs =
      this.#window instanceof AdaptiveBatchWindow ? this.#window.windowMs(performance.now()) : this.#window;
    if (windowMs > 0) setTimeout(flush, windowMs);
    else setImmediate(flush);
  }

  async #flush(): Promise<void> {
    this.#running = true;
    const batch = this.#pending.splice(0, MAX_BATCH);
    batch.sort((a, b) =>
      a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0,
    );
    try {
      const [only] = batch;
      const outcomes =
        batch.length === 1 && only !== undefined
          ? [await this.#storeAlone(only)]
          : await this.#storeAll(batch);
      batch.forEach((item, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok === true) item.resolve(outcome.ack);
        else item.reject(outcome?.error ?? new Error('send outcome missing'));
      });
    } catch (error) {
      // The transaction itself failed (the commit, the connection): nothing of the batch was stored.
      for (const item of batch) item.reject(error);
    } finally {
      this.#running = false;
      if (this.#pending.length > 0) this.#schedule();
    }
  }

  /** Several sends: each in its own savepoint, so a refused or duplicate one gives back only its own part. */
  async #storeAll(batch: readonly PendingSend[]): Promise<Outcome[]> {
    return inTransaction(this.#services, async (trx, afterCommit) => {
      const recipients: RecipientsCache = new Map();
      const results: Outcome[] = [];
      for (const item of batch) {
        const hooks: Array<() => void> = [];
        await sql`savepoint send_item`.execute(trx);
        try {
          const result = await storeEvent(
            this.#services,
            trx,
            (hook) => hooks.push(hook),
            item.actor,
            item.conversationId,
            item.request,
            recipients,
            item.forwardedFrom,
          );
          await sql`release savepoint send_item`.execute(trx);
          // Bus messages of events that made it into the transaction go out after its commit.
          for (const hook of hooks) afterCommit(hook);
          results.push({ ok: true, ack: result });
        } catch (error) {
          await sql`rollback to savepoint send_item`.execute(trx);
          await sql`release savepoint send_item`.execute(trx);
          results.push(asOutcome(error));
        }
      }
      return results;
    });
  }

  /**
   * One send (the common case when sends do not pile up): no savepoints, two round trips fewer on PostgreSQL.
   * A refused or duplicate send rolls the whole transaction back, which is then only its own.
   */
  async #storeAlone(item: PendingSend): Promise<Outcome> {
    try {
      const result = await inTransaction(this.#services, (trx, afterCommit) =>
        storeEvent(
          this.#services,
          trx,
          afterCommit,
          item.actor,
          item.conversationId,
          item.request,
          new Map(),
          item.forwardedFrom,
        ),
      );
      return { ok: true, ack: result };
    } catch (error) {
      return asOutcome(error);
    }
  }
}

/** A refused send is its error; a retry that raced its original is acknowledged as a duplicate. */
function asOutcome(error: unknown): Outcome {
  return error instanceof AlreadyStoredError
    ? { ok: true, ack: ack(error.event, true) }
    : { ok: false, error };
}

const batchers = new WeakMap<Services, SendBatcher>();

/** The batcher of this process's services (one per app). */
export function batcherFor(services: Services): SendBatcher {
  let batcher = batchers.get(services);
  if (batcher === undefined) {
    batcher = new SendBatcher(services);
    batchers.set(services, batcher);
  }
  return batcher;
}
