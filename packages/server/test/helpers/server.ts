import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { ManualClock } from '../../src/lib/clock.js';
import { MailWorker } from '../../src/mail/worker.js';
import { openDatabase, type Database } from '../../src/storage/dialects/index.js';
import { migrateToLatest } from '../../src/storage/migrator.js';
import { createTestDatabase, type TestDialect } from './dialects.js';
import { ApiClient } from './http.js';
import { TestSmtpServer } from './smtp.js';

export interface TestServer {
  readonly dialect: TestDialect;
  readonly url: string;
  readonly api: ApiClient;
  readonly built: BuiltApp;
  readonly database: Database;
  readonly clock: ManualClock;
  readonly smtp: TestSmtpServer;
  readonly mailer: MailWorker;
  readonly config: Config;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly config?: Partial<Config>;
}

/** Cheapest Argon2id parameters the config accepts: tests check behaviour, not hashing cost. */
const TEST_ARGON2 = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

/**
 * A real server on 127.0.0.1 with a fresh database of the given engine, a real SMTP server and a mail worker,
 * and a hand-moved clock (time starts at 2026-01-01 and moves only when the test says so).
 */
export async function startTestServer(
  dialect: TestDialect,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const testDb = await createTestDatabase(dialect);
  const smtp = new TestSmtpServer();
  const smtpUrl = await smtp.start();
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 9));
  // Each server keeps its blobs (attachments) in a directory of its own.
  const dataDir = mkdtempSync(join(tmpdir(), 'enlets-data-'));
  const config = loadConfig(
    {},
    {
      databaseUrl: testDb.url,
      host: '127.0.0.1',
      port: 0,
      publicUrl: 'http://localhost:8080',
      logLevel: 'silent',
      smtpUrl,
      argon2: TEST_ARGON2,
      rateLimitPerMinute: 100_000,
      mailPollIntervalMs: 100,
      dataDir,
      ...options.config,
    },
  );
  const log = pino({ level: 'silent' });
  const database = openDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  const mailer = new MailWorker({
    db: database.db,
    clock,
    log,
    smtpUrl,
    from: config.mailFrom,
    pollIntervalMs: 100,
  });
  const built = await buildApp({ config, database, clock, log, wakeMailer: () => mailer.wake() });
  mailer.start();
  const address = await built.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    dialect,
    url: address,
    api: new ApiClient(address),
    built,
    database,
    clock,
    smtp,
    mailer,
    config,
    async close() {
      await built.app.close();
      await mailer.stop();
      await database.close();
      await smtp.stop();
      await testDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
