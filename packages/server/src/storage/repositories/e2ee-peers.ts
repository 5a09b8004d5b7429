import type { SessionId, TimestampMs, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** True when the two users are members of at least one common conversation. */
export async function sharesConversation(db: Db, a: string, b: string): Promise<boolean> {
  const row = await db
    .selectFrom('conversation_members as m1')
    .innerJoin('conversation_members as m2', 'm2.conversation_id', 'm1.conversation_id')
    .select('m1.conversation_id')
    .where('m1.user_id', '=', a)
    .where('m2.user_id', '=', b)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The live devices (sessions neither revoked nor expired) of active accounts among `userIds`: a device of a
 * suspended or removed account, or whose session ended, is no device for E2EE any more.
 */
export async function listLiveDevices(
  db: Db,
  userIds: readonly string[],
  now: TimestampMs,
): Promise<ReadonlyMap<UserId, readonly SessionId[]>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id', 's.user_id'])
    .where('s.user_id', 'in', [...new Set(userIds)])
    .where('u.status', '=', 'active')
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .orderBy('s.created_at')
    .execute();
  const devices = new Map<UserId, SessionId[]>();
  for (const row of rows) {
    const list = devices.get(row.user_id as UserId) ?? [];
    list.push(row.id as SessionId);
    devices.set(row.user_id as UserId, list);
  }
  return devices;
}

/**
 * Deletes what the ended devices of `userId` left behind: unclaimed KeyPackages and unread Welcomes. Claims and
 * listings already ignore them (they filter on live sessions); this only reclaims the space.
 */
export async function deleteE2eeDataOfEndedDevices(db: Db, userId: string, now: TimestampMs): Promise<void> {
  const ended = db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('expires_at', '<=', now)]));
  await db.deleteFrom('e2ee_key_packages').where('device_id', 'in', ended).execute();
  await db.deleteFrom('mls_welcomes').where('device_id', 'in', ended).execute();
}

/**
 * The live devices of the conversation's current members, as `listLiveDevices` counts them, in one query
 * (a channel of thousands is one round trip, not one per member). Members without one are absent.
 */
export async function listLiveDevicesOfMembers(
  db: Db,
  conversationId: string,
  now: TimestampMs,
): Promise<ReadonlyMap<UserId, readonly SessionId[]>> {
  const rows = await db
    .selectFrom('conversation_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('sessions as s', 's.user_id', 'm.user_id')
    .select(['s.id', 's.user_id'])
    .where('m.conversation_id', '=', conversationId)
    .where('u.status', '=', 'active')
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .orderBy('s.user_id')
    .orderBy('s.created_at')
    .execute();
  const devices = new Map<UserId, SessionId[]>();
  for (const row of rows) {
    const list = devices.get(row.user_id as UserId) ?? [];
    list.push(row.id as SessionId);
    devices.set(row.user_id as UserId, list);
  }
  return devices;
}
