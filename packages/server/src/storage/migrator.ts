import { Migrator, sql, type Kysely, type MigrationProvider, type Migration } from 'kysely';
import type { DB } from './schema.js';
import { MIGRATIONS } from './migrations/index.js';

const MIGRATION_TABLE = 'schema_migrations';
const MIGRATION_LOCK_TABLE = 'schema_migrations_lock';

/** The database was written by a newer release of the server: starting would risk corrupting it. */
export class DatabaseFromFutureError extends Error {
  override readonly name = 'DatabaseFromFutureError';
}

const provider: MigrationProvider = {
  getMigrations: () =>
    Promise.resolve(Object.fromEntries(MIGRATIONS.map(([name, m]): [string, Migration] => [name, m]))),
};

/** Names of the migrations the database says were applied (empty on a new database). */
async function appliedMigrations(db: Kysely<unknown>): Promise<readonly string[]> {
  const tables = await db.introspection.getTables();
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const rows = await sql<{
    name: string;
  }>`select name from ${sql.table(MIGRATION_TABLE)} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** Refuses a database with migrations this code does not know, then applies the missing ones in order. */
export async function migrateToLatest(typedDb: Kysely<DB>): Promise<{ applied: readonly string[] }> {
  // Migrations see the database untyped: they must not depend on today's schema types.
  const db = typedDb as unknown as Kysely<unknown>;
  const known = new Set(MIGRATIONS.map(([name]) => name));
  const unknown = (await appliedMigrations(db)).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new DatabaseFromFutureError(
      `the database has migrations this server does not know (${unknown.join(', ')}): it was written by a newer ` +
        'release. Run that release, or restore a backup made for this one.',
    );
  }
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined)
    throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** True when every known migration is applied (the `/ready` check). */
export async function isSchemaCurrent(db: Kysely<DB>): Promise<boolean> {
  const applied = new Set(await appliedMigrations(db as unknown as Kysely<unknown>));
  return MIGRATIONS.every(([name]) => applied.has(name));
}
