import type { Kysely } from 'kysely';

/**
 * Large groups (docs/decisions/0021-mls-large-groups.md). `mls_groups.removal_pending_since`: when the group's
 * current run of pending removals began (ms; null while none is pending). A large group keeps accepting content
 * for a bounded grace after it, while a manager's device batches the removal. `mls_group_leaves.self_updated_at`:
 * when the leaf's device last committed a self-update, for the per-device rate limit of large groups.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('mls_groups').addColumn('removal_pending_since', 'bigint').execute();
  await db.schema.alterTable('mls_group_leaves').addColumn('self_updated_at', 'bigint').execute();
}
