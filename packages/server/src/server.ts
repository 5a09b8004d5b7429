import { pino, type Logger } from 'pino';
import type { Config } from './config/config.js';
import { buildApp, type BuiltApp } from './app.js';
import { loggerOptions } from './lib/logger.js';
import { MailWorker } from './mail/worker.js';
import type { Database } from './storage/dialects/index.js';
import { openMigratedDatabase } from './services-factory.js';
import { issueSetupToken } from './domain/actions/setup.js';

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
  const built = await buildApp({ config, database, log, wakeMailer: () => worker?.wake() });
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

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      built.beginShutdown();
      await built.app.close();
      await worker?.stop();
      await database.close();
    })();
    return stopping;
  };
  return { url: address, built, database, setupLink, stop };
}
