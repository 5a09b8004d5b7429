import type { TimestampMs, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** A user's identity public key and, once uploaded, their signed device list (ADR 0011). */
export interface E2eeIdentityRecord {
  readonly userId: UserId;
  readonly identityKey: Uint8Array;
  /** The list exactly as uploaded (`encodeDeviceList` bytes). */
  readonly deviceList: Uint8Array | null;
  readonly deviceListVersion: number | null;
  readonly createdAt: TimestampMs;
}

export async function findIdentity(db: Db, userId: string): Promise<E2eeIdentityRecord | undefined> {
  const row = await db
    .selectFrom('e2ee_identities')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (
    row && {
      userId: row.user_id as UserId,
      identityKey: new Uint8Array(row.identity_key),
      deviceList: row.device_list === null ? null : new Uint8Array(row.device_list),
      deviceListVersion: row.device_list_version,
      createdAt: row.created_at,
    }
  );
}

/** The identity keys of several users at once (for checking every leaf of a commit in one query). */
export async function listIdentityKeys(
  db: Db,
  userIds: readonly string[],
): Promise<ReadonlyMap<string, Uint8Array>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('e2ee_identities')
    .select(['user_id', 'identity_key'])
    .where('user_id', 'in', [...new Set(userIds)])
    .execute();
  return new Map(rows.map((r) => [r.user_id, new Uint8Array(r.identity_key)]));
}

/** Registers a user's identity key; false when one is registered already (the caller compares). */
export async function insertIdentity(
  db: Db,
  userId: UserId,
  identityKey: Uint8Array,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .insertInto('e2ee_identities')
    .values({
      user_id: userId,
      identity_key: identityKey,
      device_list: null,
      device_list_version: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Stores a newer device list. The version condition makes it a compare-and-set: of two concurrent uploads
 * only the higher version can land, and a replayed older list changes nothing (false).
 */
export async function storeDeviceList(
  db: Db,
  userId: UserId,
  list: Uint8Array,
  version: number,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .updateTable('e2ee_identities')
    .set({ device_list: list, device_list_version: version, updated_at: now })
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('device_list_version', 'is', null), eb('device_list_version', '<', version)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
