import type { Kysely } from 'kysely';

/** Requests to join a closed channel, waiting for a manager's approval (one per user and channel). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('channel_requests')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_requests_pk', ['conversation_id', 'user_id'])
    .execute();
}
