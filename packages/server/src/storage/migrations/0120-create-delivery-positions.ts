import type { Kysely } from 'kysely';

/**
 * Delivered state per device: how far each device of each member has stored a conversation's events. One row
 * per (conversation, user, device) that only moves forward; devices report in batches, so this is written at
 * most once per flush interval per device and conversation, never once per event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('delivery_positions')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    // The device is the login session (docs/decisions/0011-e2ee-design.md).
    .addColumn('device_id', 'text', (c) => c.notNull().references('sessions.id'))
    .addColumn('delivered_seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('delivery_positions_pk', ['conversation_id', 'user_id', 'device_id'])
    .execute();
}
