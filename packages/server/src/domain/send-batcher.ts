import { sql } from 'kysely';
import type { SendEventAck, SendEventRequest } from '@enlets/protocol';
import type { Actor } from './actor.js';
import { AlreadyStoredError, ack, storeEvent } from './actions/events.js';
import { inTransaction, type Services } from './services.js';

/** Sends committed in one transaction at most; the rest wait for the next one. */
const MAX_BATCH = 256;

interface PendingSend {
  readonly actor: Actor;
  readonly conversationId: string;
  readonly request: SendEventRequest;
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
  #pending: PendingSend[] = [];
  #scheduled = false;
  #running = false;

  constructor(services: Services) {
    this.#services = services;
  }

  submit(actor: Actor, conversationId: string, request: SendEventRequest): Promise<SendEventAck> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ actor, conversationId, request, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#running = true;
    const batch = this.#pending.splice(0, MAX_BATCH);
    batch.sort((a, b) =>
      a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0,
    );
    try {
      const outcomes = await inTransaction(this.#services, async (trx, afterCommit) => {
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
            );
            await sql`release savepoint send_item`.execute(trx);
            // Bus messages of events that made it into the transaction go out after its commit.
            for (const hook of hooks) afterCommit(hook);
            results.push({ ok: true, ack: result });
          } catch (error) {
            await sql`rollback to savepoint send_item`.execute(trx);
            await sql`release savepoint send_item`.execute(trx);
            results.push(
              error instanceof AlreadyStoredError
                ? { ok: true, ack: ack(error.event, true) }
                : { ok: false, error },
            );
          }
        }
        return results;
      });
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
