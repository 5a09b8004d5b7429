import { pino, type Logger } from 'pino';
import type { Config } from './config/config.js';
import { buildApp, type BuiltApp } from './app.js';
import { loggerOptions } from './lib/logger.js';
import { MailWorker } from './mail/worker.js';
import type { Database } from './storage/dialects/index.js';
import { openMigratedDatabase } from './services-factory.js';
import { issueSetupToken } from './domain/actions/setup.js';
import { startBlobGc } from './domain/actions/blob-gc.js';
import { EXPIRY_SWEEP_INTERVAL_MS, eraseExpired } from './domain/actions/expiry.js';
import { RedisBus } from './bus/redis-bus.js';

export interface RunningServer {
  readonly url: string;
  readonly built: BuiltApp;
  readonly database: Database;
  /** The one-time first-admin link, when this start found an empty database. */
  readonly setupLink: string | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly log?: Logger;
  /** Called with the first-admin link once, on the first start of an empty database (printed, never logged). */
  readonly onSetupLink?: (link: string) => void;
  /** Runs after migrations and before listening (e.g. seeding the demo network). */
  readonly beforeListen?: (built: BuiltApp) => Promise<void>;
}

/**
 * The composition root of a server process: open and migrate the database, build the app, start the mail
 * worker, listen, and shut down gracefully (in-flight requests finish, then the database closes).
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? pino(loggerOptions(config.logLevel));
  const database = await openMigratedDatabase(config, log);

  let worker: MailWorker | undefined;
  // Cluster mode: every process shares the bus (docs/decisions/0008-cluster-bus.md); alone, the in-process one.
  const bus =
    config.busUrl === undefined
      ? undefined
      : await RedisBus.connect(config.busUrl, {
          log,
          ...(config.busChannel === undefined ? {} : { channel: config.busChannel }),
        }).catch(async (error: unknown) => {
          await database.close();
          throw error;
        });
  const built = await buildApp({
    config,
    database,
    log,
    wakeMailer: () => worker?.wake(),
    ...(bus === undefined ? {} : { bus }),
  });
  if (config.smtpUrl !== undefined) {
    worker = new MailWorker({
      db: database.db,
      clock: built.services.clock,
      log,
      smtpUrl: config.smtpUrl,
      from: config.mailFrom,
      pollIntervalMs: config.mailPollIntervalMs,
    });
    worker.start();
  } else {
    log.warn(
      'no SMTP server configured (ENLETS_SMTP_URL): mail is queued and visible to admins until one is',
    );
  }

  if (options.beforeListen) await options.beforeListen(built);
  const token = await issueSetupToken(built.services);
  const setupLink = token === undefined ? undefined : `${config.publicUrl}/setup#token=${token}`;
  if (setupLink !== undefined) options.onSetupLink?.(setupLink);

  const address = await built.app.listen({ host: config.host, port: config.port });
  log.info({ address }, 'ENLETS Messenger listening');
  // Web Push wake-ups pending when a process crashed were in its memory: wake those devices now.
  built.push.catchUp();

  // Expiring messages: every process sweeps (erasing is idempotent); one sweep at a time, awaited on stop.
  let sweep: Promise<void> | undefined;
  const expiryTimer = setInterval(() => {
    sweep ??= eraseExpired(built.services)
      .then(() => undefined)
      .catch((error: unknown) => log.error({ err: error }, 'expiry sweep failed'))
      .finally(() => {
        sweep = undefined;
      });
  }, EXPIRY_SWEEP_INTERVAL_MS);
  expiryTimer.unref();
  // Attachments no message references any more, and abandoned uploads (docs/decisions/0009-attachments.md).
  const blobGc = startBlobGc(built.services, config.blobGcIntervalMs);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(expiryTimer);
      await sweep;
      await blobGc.stop();
      built.beginShutdown();
      await built.app.close();
      await worker?.stop();
      await bus?.close();
      await database.close();
    })();
    return stopping;
  };
  return { url: address, built, database, setupLink, stop };
}
