import type { Kysely } from 'kysely';

/**
 * "Removal follows authorization" (docs/decisions/0011-e2ee-design.md): `mls_groups.removal_pending` is set in
 * the transaction that makes one of the group's leaves unauthorized (its user left or was removed, suspended,
 * or its device ended) and recomputed when a commit is accepted; while it is set the server refuses new
 * application messages into the group. Reading it is one primary-key lookup per send. The index finds the
 * groups holding a user's (or one device's) leaves when a session or an account ends.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('mls_groups')
    .addColumn('removal_pending', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('mls_group_leaves_user_idx')
    .on('mls_group_leaves')
    .columns(['user_id', 'device_id'])
    .execute();
}
