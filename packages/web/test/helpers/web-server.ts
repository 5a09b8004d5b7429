import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { build } from 'vite';
import type { Role, UserId } from '@enlets/protocol';
import { EnletsHttpClient } from '@enlets/client';
import { buildApp, type BuiltApp } from '../../../server/src/app.js';
import { loadConfig, type Config } from '../../../server/src/config/config.js';
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from '../../../server/src/realtime/gateway.js';
import { inTransaction } from '../../../server/src/domain/services.js';
import { newId } from '../../../server/src/lib/secrets.js';
import { totpCode } from '../../../server/src/lib/totp.js';
import { openDatabase, type Database } from '../../../server/src/storage/dialects/index.js';
import { migrateToLatest } from '../../../server/src/storage/migrator.js';
import { grantRole, insertUser } from '../../../server/src/storage/repositories/users.js';
import { createTestDatabase } from '../../../server/test/helpers/dialects.js';
import { freePort } from '../../../server/test/helpers/spawn-server.js';

const WEB_ROOT = new URL('../..', import.meta.url).pathname;

/**
 * The web client built from its sources, exactly as `npm run build` does. `tools/run-tests.mjs` builds it once
 * for all browser suites of a run and names the directory in `ENLETS_TEST_WEB_BUILD` (a build takes a minute of
 * the two cores, and every suite would otherwise repeat it); a suite started on its own builds a fresh copy.
 */
export async function buildWebClient(): Promise<{ readonly dir: string; readonly remove: () => void }> {
  const shared = process.env['ENLETS_TEST_WEB_BUILD'];
  if (shared !== undefined && shared !== '') return { dir: shared, remove: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'enlets-web-'));
  await build({
    root: WEB_ROOT,
    configFile: join(WEB_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface WebTestServer {
  /** The origin the browser uses; it is the server's public URL, so the Origin checks pass as in production. */
  readonly url: string;
  readonly built: BuiltApp;
  close(): Promise<void>;
}

/** Cheapest Argon2id parameters the config accepts: the suite checks the client, not hashing cost. */
const TEST_ARGON2 = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

/**
 * The real server (SQLite, real clock) serving `webDir`, on a fixed free port so that its public URL, which the
 * cookie Origin checks and the WebSocket handshake compare against, is the address the browser loads.
 */
/**
 * Realtime limits for suites that seed hundreds of messages from one device before the browser looks at them:
 * the defaults (30 frames and 10 writes a second per connection, the flood protection the server's realtime
 * suites test) pace such seeding through refusals and back-offs to a minute or more.
 */
export const SEEDING_REALTIME: Partial<GatewayLimits> = {
  rate: {
    ...DEFAULT_GATEWAY_LIMITS.rate,
    perSecond: 2_000,
    burst: 2_000,
    writesPerSecond: 1_000,
    writeBurst: 1_000,
  },
};

export async function startWebTestServer(
  webDir: string,
  /** Settings a suite needs beyond the defaults (e.g. a low large-group threshold). */
  overrides: Partial<Config> = {},
  /** The realtime gateway's limits, where a suite needs others than the defaults (`SEEDING_REALTIME`). */
  realtime?: Partial<GatewayLimits>,
): Promise<WebTestServer> {
  const testDb = await createTestDatabase('sqlite');
  const dataDir = mkdtempSync(join(tmpdir(), 'enlets-data-'));
  const port = await freePort();
  const config = loadConfig(
    {},
    {
      databaseUrl: testDb.url,
      host: '127.0.0.1',
      port,
      publicUrl: `http://localhost:${String(port)}`,
      logLevel: 'silent',
      argon2: TEST_ARGON2,
      rateLimitPerMinute: 100_000,
      dataDir,
      webDir,
      ...overrides,
    },
  );
  const database: Database = openDatabase(config.databaseUrl);
  await migrateToLatest(database.db);
  const built = await buildApp({
    config,
    database,
    log: pino({ level: 'silent' }),
    ...(realtime === undefined ? {} : { realtime }),
  });
  await built.app.listen({ host: '127.0.0.1', port });
  return {
    url: config.publicUrl,
    built,
    async close() {
      await built.app.close();
      await database.close();
      await testDb.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SeededUser {
  readonly id: UserId;
  readonly email: string;
  readonly password: string;
  readonly displayName: string;
  /** A bearer client of this user, for arranging the scene through the API. */
  readonly api: EnletsHttpClient;
  /** That client's session token (it is also a device of the user, for end-to-end encryption). */
  readonly token: string;
}

/** An active member, written through the repositories (as packages/server/test/helpers/actors.ts does). */
export async function seedUser(
  server: WebTestServer,
  displayName: string,
  roles: readonly Role[] = ['lea_member'],
): Promise<SeededUser> {
  const services = server.built.services;
  const id = newId<UserId>();
  const email = `${displayName.toLowerCase().replace(/[^a-z]+/g, '.')}@police.example`;
  const password = `correct horse battery ${displayName}`;
  const passwordHash = await services.passwords.hash(password);
  await inTransaction(services, async (trx) => {
    const now = services.clock.now();
    await insertUser(trx, {
      id,
      email,
      displayName,
      countryCode: 'DE',
      agencyId: null,
      position: 'Analyst',
      status: 'active',
      passwordHash,
      now,
    });
    for (const role of roles) await grantRole(trx, id, { role, scope: '' }, null, now);
  });
  const api = new EnletsHttpClient({ baseUrl: server.url });
  const { token } = await api.login({ email, password });
  if (token === undefined) throw new Error('a bearer login returns its token');
  return { id, email, password, displayName, api, token };
}

/** Turns on TOTP for a user through the API; returns the secret, to compute codes as an authenticator app. */
export async function enableTotp(user: SeededUser): Promise<string> {
  const { secret } = await user.api.post<{ secret: string }>('/me/totp/setup', {
    currentPassword: user.password,
  });
  await user.api.post('/me/totp/confirm', { code: totpCode(secret, Date.now()) });
  return secret;
}

export { totpCode };
