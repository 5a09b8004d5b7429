import type { Kysely } from 'kysely';

/**
 * Presence a member chose (available, busy, do not disturb, away, or "appear offline") and a short custom
 * status text. Whether they are online is not stored: it is what the realtime gateways know of live
 * connections.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('availability', 'text', (c) => c.notNull().defaultTo('available'))
    .execute();
  await db.schema.alterTable('users').addColumn('status_text', 'text').execute();
}
