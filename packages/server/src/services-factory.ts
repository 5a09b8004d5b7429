import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { BlobStore } from './blobs/blob-store.js';
import { LocalBlobStore } from './blobs/local-blob-store.js';
import type { Config } from './config/config.js';
import type { Services } from './domain/services.js';
import { InProcessBus, type EventBus } from './domain/events.js';
import { systemClock, type Clock } from './lib/clock.js';
import { loggerOptions } from './lib/logger.js';
import { PasswordHasher } from './lib/passwords.js';
import { MailWorker } from './mail/worker.js';
import { openDatabase, type Database } from './storage/dialects/index.js';
import { migrateToLatest } from './storage/migrator.js';

/** The domain without HTTP: what administration commands run actions and queries with. */
export interface ServicesHandle {
  readonly services: Services;
  readonly database: Database;
  close(): Promise<void>;
}

export interface OpenServicesOptions {
  /** Defaults to a logger on stderr, so that a command's stdout stays its output. */
  readonly log?: Logger;
  readonly clock?: Clock;
}

/** Opens the configured database and brings its schema up to date (closing it again if that fails). */
export async function openMigratedDatabase(config: Config, log: Logger): Promise<Database> {
  const database = openDatabase(config.databaseUrl);
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

export interface ServicesDeps {
  readonly config: Config;
  readonly database: Database;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Wakes a mail worker after commit; without one, queued mail waits for a worker's next poll. */
  readonly wakeMailer?: () => void;
  /** The cluster bus; one process uses an in-process bus. */
  readonly bus?: EventBus;
  /** Attachment storage; defaults to `<dataDir>/blobs/` on the local disk. */
  readonly blobs?: BlobStore;
}

/** The one place that assembles Services, for the HTTP app and the administration commands alike. */
export function createServices(deps: ServicesDeps): Services {
  return {
    db: deps.database.db,
    dialect: deps.database.dialect,
    clock: deps.clock ?? systemClock,
    config: deps.config,
    passwords: new PasswordHasher(deps.config.argon2),
    log: deps.log,
    wakeMailer: deps.wakeMailer ?? (() => undefined),
    bus: deps.bus ?? new InProcessBus(),
    blobs: deps.blobs ?? new LocalBlobStore(join(deps.config.dataDir, 'blobs')),
  };
}

/**
 * Opens and migrates the configured database and builds the services, as the server does but without an HTTP
 * app or mail worker (mail queued by a command waits for the server's worker, or `enlets mail send-now`).
 */
export async function openServices(
  config: Config,
  options: OpenServicesOptions = {},
): Promise<ServicesHandle> {
  const log = options.log ?? pino(loggerOptions(config.logLevel), pino.destination(2));
  const database = await openMigratedDatabase(config, log);
  const services = createServices({
    config,
    database,
    log,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { services, database, close: () => database.close() };
}

export class SmtpNotConfiguredError extends Error {
  override readonly name = 'SmtpNotConfiguredError';
}

/** One pass of the mail worker over the due mail; returns how many were sent. */
export async function sendQueuedMailNow(handle: ServicesHandle): Promise<number> {
  const { config, clock, log } = handle.services;
  if (config.smtpUrl === undefined)
    throw new SmtpNotConfiguredError('no SMTP server is configured (ENLETS_SMTP_URL)');
  const worker = new MailWorker({
    db: handle.database.db,
    clock,
    log,
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    pollIntervalMs: config.mailPollIntervalMs,
  });
  try {
    return await worker.runOnce();
  } finally {
    await worker.stop();
  }
}
