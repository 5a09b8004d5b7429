import type { Kysely } from 'kysely';

/**
 * Who is online, for the whole cluster (docs/architecture.md, "Presence"). Each server process registers itself
 * in `server_processes` and renews `heartbeat_at`; `online_users` holds one row per (process, user) with at least
 * one live WebSocket on that process. A user is online when a row of theirs belongs to a process whose heartbeat
 * is fresh, so a process that died (SIGKILL, power) stops counting without anyone cleaning up after it first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_processes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('online_users')
    .addColumn('process_id', 'text', (c) => c.notNull().references('server_processes.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('since', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('online_users_pk', ['process_id', 'user_id'])
    .execute();
  await db.schema.createIndex('online_users_user').on('online_users').column('user_id').execute();
}
