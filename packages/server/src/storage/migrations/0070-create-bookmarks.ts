import type { Kysely } from 'kysely';

/** Private bookmarks (flags) on messages: only their owner ever sees them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bookmarks')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('bookmarks_pk', ['user_id', 'conversation_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('bookmarks_user_created_idx')
    .on('bookmarks')
    .columns(['user_id', 'created_at'])
    .execute();
}
