import type { SessionId, TimestampMs, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** A conversation's MLS group as the Delivery Service keeps it (ADR 0011). */
export interface MlsGroupRecord {
  readonly conversationId: string;
  readonly cipherSuite: string;
  readonly epoch: number;
  /** The latest GroupInfo (an MLSMessage, with the ratchet tree extension). */
  readonly groupInfo: Uint8Array;
}

/** Who holds a leaf of the group's ratchet tree. */
export interface MlsLeaf {
  readonly userId: UserId;
  readonly deviceId: SessionId;
}

/** Leaf index → holder; indexes absent from the map are blank leaves. */
export type MlsLeafMap = ReadonlyMap<number, MlsLeaf>;

export async function findMlsGroup(db: Db, conversationId: string): Promise<MlsGroupRecord | undefined> {
  const row = await db
    .selectFrom('mls_groups')
    .select(['conversation_id', 'cipher_suite', 'epoch', 'group_info'])
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return (
    row && {
      conversationId: row.conversation_id,
      cipherSuite: row.cipher_suite,
      epoch: row.epoch,
      groupInfo: new Uint8Array(row.group_info),
    }
  );
}

/** Registers a group at epoch 0; false when the conversation has one already. */
export async function insertMlsGroup(
  db: Db,
  group: Omit<MlsGroupRecord, 'epoch'>,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .insertInto('mls_groups')
    .values({
      conversation_id: group.conversationId,
      cipher_suite: group.cipherSuite,
      epoch: 0,
      group_info: group.groupInfo,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('conversation_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Moves the group from `epoch` to `epoch + 1` if it is at `epoch` now: the compare-and-set that admits exactly
 * one commit per epoch. The update also locks the group's row (PostgreSQL; SQLite has one writer) until the
 * transaction ends, so whatever the caller checks next cannot change under it. False: another commit won.
 */
export async function advanceMlsEpoch(
  db: Db,
  conversationId: string,
  epoch: number,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .updateTable('mls_groups')
    .set({ epoch: epoch + 1, updated_at: now })
    .where('conversation_id', '=', conversationId)
    .where('epoch', '=', epoch)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Stores an accepted commit's GroupInfo and whether leaves it left in place are unauthorized. A removal still
 * pending keeps the time its run began (ADR 0021: a large group's grace is not restarted by other commits).
 */
export async function storeGroupInfo(
  db: Db,
  conversationId: string,
  groupInfo: Uint8Array,
  removalPending: boolean,
  now: TimestampMs,
): Promise<void> {
  await db
    .updateTable('mls_groups')
    .set((eb) => ({
      group_info: groupInfo,
      removal_pending: removalPending ? 1 : 0,
      removal_pending_since: removalPending ? eb.fn.coalesce('removal_pending_since', eb.val(now)) : null,
    }))
    .where('conversation_id', '=', conversationId)
    .execute();
}

export async function clearRemovalPending(db: Db, conversationId: string): Promise<void> {
  await db
    .updateTable('mls_groups')
    .set({ removal_pending: 0, removal_pending_since: null })
    .where('conversation_id', '=', conversationId)
    .execute();
}

/** Whose leaves just became unauthorized: some users' (in one conversation, or everywhere), or some devices'. */
export interface EndedLeaves {
  readonly userIds: readonly UserId[];
  /** Only the groups of this conversation (a membership ended). */
  readonly conversationId?: string;
  /** Only these devices of the users (sessions ended). */
  readonly deviceIds?: readonly SessionId[];
  /** Every device of the users but this one (the other sessions ended). */
  readonly exceptDeviceId?: SessionId;
  /** When they ended: starts a large group's removal grace (ADR 0021) unless a run is pending already. */
  readonly at: TimestampMs;
}

/**
 * Flags every group that holds one of these leaves as waiting for a removal commit. The flag is written even
 * where it is set already: on PostgreSQL that waits for a commit in flight on the group (which computed the
 * flag from what it saw before this change) instead of being overwritten by it.
 */
export async function flagRemovalPending(db: Db, ended: EndedLeaves): Promise<void> {
  if (ended.userIds.length === 0 || ended.deviceIds?.length === 0) return;
  const { conversationId, deviceIds, exceptDeviceId } = ended;
  let holders = db
    .selectFrom('mls_group_leaves')
    .select('conversation_id')
    .where('user_id', 'in', [...ended.userIds]);
  if (conversationId !== undefined) holders = holders.where('conversation_id', '=', conversationId);
  if (deviceIds !== undefined) holders = holders.where('device_id', 'in', [...deviceIds]);
  if (exceptDeviceId !== undefined) holders = holders.where('device_id', '!=', exceptDeviceId);
  await db
    .updateTable('mls_groups')
    .set((eb) => ({
      removal_pending: 1,
      removal_pending_since: eb.fn.coalesce('removal_pending_since', eb.val(ended.at)),
    }))
    .where('conversation_id', 'in', holders)
    .execute();
}

export async function listMlsLeaves(db: Db, conversationId: string): Promise<MlsLeafMap> {
  const rows = await db
    .selectFrom('mls_group_leaves')
    .select(['leaf_index', 'user_id', 'device_id'])
    .where('conversation_id', '=', conversationId)
    .execute();
  return new Map(
    rows.map((r) => [r.leaf_index, { userId: r.user_id as UserId, deviceId: r.device_id as SessionId }]),
  );
}

/** Applies a commit's effect on the leaf map: blanked leaves go, new leaves come. */
export async function updateMlsLeaves(
  db: Db,
  conversationId: string,
  removed: readonly number[],
  added: ReadonlyMap<number, MlsLeaf>,
): Promise<void> {
  if (removed.length > 0) {
    await db
      .deleteFrom('mls_group_leaves')
      .where('conversation_id', '=', conversationId)
      .where('leaf_index', 'in', removed)
      .execute();
  }
  if (added.size > 0) {
    await db
      .insertInto('mls_group_leaves')
      .values(
        [...added].map(([leafIndex, leaf]) => ({
          conversation_id: conversationId,
          leaf_index: leafIndex,
          user_id: leaf.userId,
          device_id: leaf.deviceId,
        })),
      )
      .execute();
  }
}

export async function insertMlsCommit(
  db: Db,
  conversationId: string,
  epoch: number,
  seq: number,
): Promise<void> {
  await db.insertInto('mls_commits').values({ conversation_id: conversationId, epoch, seq }).execute();
}

/** The seqs of the commits accepted at `fromEpoch` and after, oldest first: what a stale committer missed. */
export async function listCommitSeqsSince(
  db: Db,
  conversationId: string,
  fromEpoch: number,
  limit: number,
): Promise<readonly number[]> {
  const rows = await db
    .selectFrom('mls_commits')
    .select('seq')
    .where('conversation_id', '=', conversationId)
    .where('epoch', '>=', fromEpoch)
    .orderBy('epoch')
    .limit(limit)
    .execute();
  return rows.map((r) => r.seq);
}

export interface MlsWelcomeRecord {
  readonly id: string;
  readonly userId: UserId;
  readonly deviceId: SessionId;
  readonly conversationId: string;
  readonly epoch: number;
  readonly bytes: Uint8Array;
  readonly createdAt: TimestampMs;
}

export async function insertWelcomes(db: Db, welcomes: readonly MlsWelcomeRecord[]): Promise<void> {
  if (welcomes.length === 0) return;
  await db
    .insertInto('mls_welcomes')
    .values(
      welcomes.map((w) => ({
        id: w.id,
        user_id: w.userId,
        device_id: w.deviceId,
        conversation_id: w.conversationId,
        epoch: w.epoch,
        bytes: w.bytes,
        created_at: w.createdAt,
      })),
    )
    .execute();
}

/** The Welcomes waiting for a device, oldest first. */
export async function listWelcomes(
  db: Db,
  deviceId: string,
  limit: number,
): Promise<readonly MlsWelcomeRecord[]> {
  const rows = await db
    .selectFrom('mls_welcomes')
    .selectAll()
    .where('device_id', '=', deviceId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id as UserId,
    deviceId: r.device_id as SessionId,
    conversationId: r.conversation_id,
    epoch: r.epoch,
    bytes: new Uint8Array(r.bytes),
    createdAt: r.created_at,
  }));
}

/** Deletes a Welcome of the device; false when it is not the device's or gone already. */
export async function deleteWelcome(db: Db, deviceId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('mls_welcomes')
    .where('id', '=', id)
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
