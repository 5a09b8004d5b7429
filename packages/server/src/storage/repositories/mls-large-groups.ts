import type { TimestampMs } from '@enlets/protocol';
import type { Db } from './users.js';

/** The number of members of a conversation: what decides whether its group is large (ADR 0021). */
export async function countMembers(db: Db, conversationId: string): Promise<number> {
  const row = await db
    .selectFrom('conversation_members')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('conversation_id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether a removal is pending in the group, and since when (null: unknown, flagged before migration 0180). */
export interface RemovalState {
  readonly pending: boolean;
  readonly since: TimestampMs | null;
}

export async function findRemovalState(db: Db, conversationId: string): Promise<RemovalState> {
  const row = await db
    .selectFrom('mls_groups')
    .select(['removal_pending', 'removal_pending_since'])
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return {
    pending: row !== undefined && row.removal_pending !== 0,
    since: row?.removal_pending_since ?? null,
  };
}

/** When the device holding this leaf last committed a self-update in the group (null: never, or not recorded). */
export async function findLeafSelfUpdatedAt(
  db: Db,
  conversationId: string,
  leafIndex: number,
): Promise<TimestampMs | null> {
  const row = await db
    .selectFrom('mls_group_leaves')
    .select('self_updated_at')
    .where('conversation_id', '=', conversationId)
    .where('leaf_index', '=', leafIndex)
    .executeTakeFirst();
  return row?.self_updated_at ?? null;
}

export async function recordLeafSelfUpdate(
  db: Db,
  conversationId: string,
  leafIndex: number,
  /** null: forget it (the device's next self-update is not held back). */
  at: TimestampMs | null,
): Promise<void> {
  await db
    .updateTable('mls_group_leaves')
    .set({ self_updated_at: at })
    .where('conversation_id', '=', conversationId)
    .where('leaf_index', '=', leafIndex)
    .execute();
}

/**
 * Takes or renews the group's batch lease for `deviceId` until `until`, unless another device holds one that has
 * not lapsed by `now`. One conditional update, so two devices asking at once cannot both win.
 */
export async function takeBatchLease(
  db: Db,
  conversationId: string,
  deviceId: string,
  now: TimestampMs,
  until: TimestampMs,
): Promise<boolean> {
  const result = await db
    .updateTable('mls_groups')
    .set({ batch_lease_device_id: deviceId, batch_lease_until: until })
    .where('conversation_id', '=', conversationId)
    .where((eb) =>
      eb.or([
        eb('batch_lease_device_id', 'is', null),
        eb('batch_lease_device_id', '=', deviceId),
        eb('batch_lease_until', '<', now),
      ]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
