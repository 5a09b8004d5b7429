import type { TimestampMs, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** Whether the account has signed in before: a known device or any session, live or not. */
export async function hasSignedInBefore(db: Db, userId: UserId): Promise<boolean> {
  const device = await db
    .selectFrom('known_devices')
    .select('user_id')
    .where('user_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  if (device !== undefined) return true;
  const session = await db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  return session !== undefined;
}

/** Remembers a device for an account; true when it was new. */
export async function rememberDevice(
  db: Db,
  userId: UserId,
  deviceHash: string,
  now: TimestampMs,
): Promise<boolean> {
  const result = await db
    .insertInto('known_devices')
    .values({ user_id: userId, device_hash: deviceHash, first_seen_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'device_hash']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
