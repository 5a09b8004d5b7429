import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../lib/clock.js';
import type { PasswordHasher } from '../lib/passwords.js';
import type { DialectName } from '../storage/dialects/index.js';
import type { DB } from '../storage/schema.js';
import type { EventBus } from './events.js';

/** What every action needs; built once in `app.ts` and passed down (no globals, so tests build their own). */
export interface Services {
  readonly db: Kysely<DB>;
  readonly dialect: DialectName;
  readonly clock: Clock;
  readonly config: Config;
  readonly passwords: PasswordHasher;
  readonly log: Logger;
  /** Tells the mail worker that new mail is queued (after commit), so it need not wait for its next poll. */
  readonly wakeMailer: () => void;
  /** Where committed events go, for the realtime gateways of every process (publish after commit only). */
  readonly bus: EventBus;
  /** Attachment bytes (opaque); which blobs exist is the database's to say. */
  readonly blobs: BlobStore;
}

export type Trx = Transaction<DB>;

/**
 * Runs `work` in one transaction and then the after-commit hooks it registered: nothing a rolled-back
 * transaction did can leak out as a mail wake-up or (later) an event.
 */
export async function inTransaction<T>(
  services: Services,
  work: (trx: Trx, afterCommit: (hook: () => void) => void) => Promise<T>,
): Promise<T> {
  const hooks: Array<() => void> = [];
  const result = await services.db.transaction().execute((trx) => work(trx, (hook) => hooks.push(hook)));
  for (const hook of hooks) hook();
  return result;
}
