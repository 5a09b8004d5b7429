import type { Kysely } from 'kysely';

/**
 * Which device batches a large group's membership changes (docs/decisions/0021-mls-large-groups.md, "One batching
 * device at a time"): `mls_groups.batch_lease_device_id` holds the lease until `batch_lease_until` (ms), renewed
 * by each of its batches. Other managers' devices get empty batches meanwhile, so they neither claim the same
 * newcomers' KeyPackages nor race the holder's commits.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('mls_groups').addColumn('batch_lease_device_id', 'text').execute();
  await db.schema.alterTable('mls_groups').addColumn('batch_lease_until', 'bigint').execute();
}
