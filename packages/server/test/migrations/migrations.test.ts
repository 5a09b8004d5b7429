import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { startServer } from '../../src/server.js';
import { openDatabase, type Database } from '../../src/storage/dialects/index.js';
import { MIGRATIONS } from '../../src/storage/migrations/index.js';
import { DatabaseFromFutureError, isSchemaCurrent, migrateToLatest } from '../../src/storage/migrator.js';
import type { DB } from '../../src/storage/schema.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/dialects.js';

const NAMES = MIGRATIONS.map(([name]) => name);
const MIGRATIONS_DIR = fileURLToPath(new URL('../../src/storage/migrations/', import.meta.url));
/** Every table of the schema types: a migrated database must have each of them. */
const TABLES: ReadonlyArray<keyof DB> = [
  'users',
  'user_roles',
  'sessions',
  'known_devices',
  'recovery_codes',
  'login_throttle',
  'one_time_tokens',
  'countries',
  'agencies',
  'applications',
  'audit_log',
  'mail_queue',
];

describe('storage/migrations', () => {
  it('names migrations NNNN-kebab-description, unique, in steps of 10 and in order', () => {
    assert.ok(NAMES.length > 0);
    assert.equal(new Set(NAMES).size, NAMES.length, 'duplicate names');
    let previous = 0;
    for (const name of NAMES) {
      assert.match(name, /^\d{4}-[a-z0-9]+(?:-[a-z0-9]+)*$/, name);
      const number = Number(name.slice(0, 4));
      assert.equal(number % 10, 0, `${name}: not a step of 10`);
      assert.ok(number > previous, `${name} comes after ${String(previous).padStart(4, '0')}`);
      previous = number;
    }
  });

  it('lists every migration file, in file-name order', () => {
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{4}-.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    assert.deepEqual(NAMES, files);
  });
});

for (const dialect of DIALECTS) {
  describe(`storage/migrator [${dialect}]`, () => {
    let testDb: TestDatabase;
    let database: Database;
    before(async () => {
      testDb = await createTestDatabase(dialect);
      database = openDatabase(testDb.url);
    });
    after(async () => {
      await database.close();
      await testDb.drop();
    });

    it('migrates an empty database to the latest schema', async () => {
      assert.equal(await isSchemaCurrent(database.db), false);
      const { applied } = await migrateToLatest(database.db);
      assert.deepEqual(applied, NAMES);
      assert.equal(await isSchemaCurrent(database.db), true);
      const tables = new Set((await database.db.introspection.getTables()).map((t) => t.name));
      for (const table of TABLES) assert.ok(tables.has(table), `missing table ${table}`);
      const countries = await database.db
        .selectFrom('countries')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      assert.ok(Number(countries.n) > 0, 'reference countries seeded');
    });

    it('does nothing when run again', async () => {
      const { applied } = await migrateToLatest(database.db);
      assert.deepEqual(applied, []);
      const rows = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(
        database.db,
      );
      assert.deepEqual(
        rows.rows.map((r) => r.name),
        NAMES,
      );
    });

    it('refuses a database written by a newer release, and the server refuses to start on it', async () => {
      await sql`insert into schema_migrations (name, timestamp) values (${'9990-from-the-future'}, ${new Date().toISOString()})`.execute(
        database.db,
      );
      await assert.rejects(migrateToLatest(database.db), (error: unknown) => {
        assert.ok(error instanceof DatabaseFromFutureError);
        assert.match(error.message, /9990-from-the-future/);
        return true;
      });
      const config = loadConfig(
        {},
        {
          databaseUrl: testDb.url,
          port: 0,
          logLevel: 'silent',
          argon2: { memoryKiB: 19_456, iterations: 2, parallelism: 1 },
        },
      );
      await assert.rejects(startServer(config, { log: pino({ level: 'silent' }) }), DatabaseFromFutureError);
      // Nothing was touched: the unknown row is still there and no known migration was re-run.
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from schema_migrations`.execute(
        database.db,
      );
      assert.equal(Number(rows[0]?.n), NAMES.length + 1);
    });
  });
}
