import type { Kysely } from 'kysely';

/** Deleting or expiring a message also erases the edits and reactions that refer to it: find them by index. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('events_ref_idx')
    .on('events')
    .columns(['conversation_id', 'ref_seq'])
    .execute();
}
