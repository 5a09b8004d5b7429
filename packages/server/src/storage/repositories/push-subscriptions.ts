import type { TimestampMs, UserId } from '@enlets/protocol';
import type { Db } from './users.js';

/** A device's Web Push subscription (docs/decisions/0018-web-push.md). */
export interface PushSubscriptionRecord {
  readonly sessionId: string;
  readonly userId: UserId;
  readonly endpoint: string;
  readonly p256dh: string;
  readonly auth: string;
}

/**
 * Stores the subscription of a device, replacing the one it had. The endpoint reaches one browser profile, so a
 * row of another session with the same endpoint (someone else signed in on that browser before, and never
 * signed out) is removed: it must not wake this browser for them.
 */
export async function upsertPushSubscription(
  db: Db,
  subscription: PushSubscriptionRecord,
  now: TimestampMs,
): Promise<void> {
  await db
    .deleteFrom('push_subscriptions')
    .where('endpoint', '=', subscription.endpoint)
    .where('session_id', '!=', subscription.sessionId)
    .execute();
  await db
    .insertInto('push_subscriptions')
    .values({
      session_id: subscription.sessionId,
      user_id: subscription.userId,
      endpoint: subscription.endpoint,
      p256dh: subscription.p256dh,
      auth: subscription.auth,
      created_at: now,
      updated_at: now,
      last_success_at: null,
    })
    .onConflict((oc) =>
      oc.column('session_id').doUpdateSet({
        endpoint: subscription.endpoint,
        p256dh: subscription.p256dh,
        auth: subscription.auth,
        updated_at: now,
        last_success_at: null,
      }),
    )
    .execute();
}

/** Removes a device's subscription; false when it had none. */
export async function deletePushSubscription(db: Db, sessionId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Removes a subscription the push service called dead (404, 410), unless the device replaced it meanwhile (the
 * endpoint is compared, so a fresh subscription is never lost to an old failure).
 */
export async function deleteDeadPushSubscription(
  db: Db,
  sessionId: string,
  endpoint: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('session_id', '=', sessionId)
    .where('endpoint', '=', endpoint)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findPushSubscription(
  db: Db,
  sessionId: string,
): Promise<PushSubscriptionRecord | undefined> {
  const row = await db
    .selectFrom('push_subscriptions')
    .select(['session_id', 'user_id', 'endpoint', 'p256dh', 'auth'])
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return row && toRecord(row);
}

export async function markPushSuccess(
  db: Db,
  sessionId: string,
  endpoint: string,
  now: TimestampMs,
): Promise<void> {
  await db
    .updateTable('push_subscriptions')
    .set({ last_success_at: now })
    .where('session_id', '=', sessionId)
    .where('endpoint', '=', endpoint)
    .execute();
}

/** Removes the subscriptions of ended sessions: the given ones of a user, or all of them but `except`. */
export async function deletePushSubscriptionsOfSessions(
  db: Db,
  userId: string,
  sessionIds: readonly string[] | 'all',
  except?: string,
): Promise<void> {
  let query = db.deleteFrom('push_subscriptions').where('user_id', '=', userId);
  if (sessionIds !== 'all') {
    if (sessionIds.length === 0) return;
    query = query.where('session_id', 'in', sessionIds);
  }
  if (except !== undefined) query = query.where('session_id', '!=', except);
  await query.execute();
}

/** Removes the subscriptions of sessions that ended or expired (however they ended). */
export async function deletePushSubscriptionsOfEndedSessions(db: Db, now: TimestampMs): Promise<number> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('session_id', 'in', (eb) =>
      eb
        .selectFrom('sessions')
        .select('id')
        .where((w) => w.or([w('revoked_at', 'is not', null), w('expires_at', '<=', now)])),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The subscriptions to wake for a new event at `seq` in a conversation: devices of `userIds` whose session is
 * live, whose user is still a member and has not muted the conversation, and which have not reported the event
 * as delivered (a device whose WebSocket is open on any server process reports it within a second or two).
 */
export async function listPushTargets(
  db: Db,
  conversationId: string,
  userIds: readonly string[],
  seq: number,
  now: TimestampMs,
  /** Leaves out subscriptions woken successfully at or after this time (a catch-up after a restart). */
  notWokenSince?: TimestampMs,
): Promise<readonly PushSubscriptionRecord[]> {
  if (userIds.length === 0) return [];
  let query = db
    .selectFrom('push_subscriptions as p')
    .innerJoin('sessions as s', 's.id', 'p.session_id')
    .innerJoin('conversation_members as m', (join) =>
      join.onRef('m.user_id', '=', 'p.user_id').on('m.conversation_id', '=', conversationId),
    )
    .leftJoin('delivery_positions as d', (join) =>
      join
        .onRef('d.device_id', '=', 'p.session_id')
        .onRef('d.user_id', '=', 'p.user_id')
        .on('d.conversation_id', '=', conversationId),
    )
    .select(['p.session_id', 'p.user_id', 'p.endpoint', 'p.p256dh', 'p.auth'])
    .where('p.user_id', 'in', userIds)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .where('m.muted', '=', 0)
    .where((w) => w.or([w('d.delivered_seq', 'is', null), w('d.delivered_seq', '<', seq)]));
  if (notWokenSince !== undefined) {
    query = query.where((w) =>
      w.or([w('p.last_success_at', 'is', null), w('p.last_success_at', '<', notWokenSince)]),
    );
  }
  const rows = await query.orderBy('p.session_id').execute();
  return rows.map(toRecord);
}

/** New messages of one conversation since a moment: what a wake-up lost in a crash would have been for. */
export interface RecentMessages {
  readonly conversationId: string;
  /** The newest message's seq. */
  readonly seq: number;
  /** When the newest of them was stored: a device woken after that moment was woken for all of them. */
  readonly newestAt: TimestampMs;
  /** Who sent them (a message never wakes its own sender). */
  readonly senderIds: readonly UserId[];
  readonly memberIds: readonly UserId[];
}

/** How many of a conversation's newest events are looked at: a catch-up needs to know only that there are some. */
const RECENT_EVENTS_LOOKED_AT = 200;

/**
 * The conversations with new messages stored after `since`, found through `conversations.updated_at` (every
 * stored event sets it) rather than a scan of the events table, each with its newest events read backwards along
 * the primary key.
 */
export async function listConversationsWithMessagesSince(
  db: Db,
  since: TimestampMs,
): Promise<readonly RecentMessages[]> {
  const conversations = await db
    .selectFrom('conversations')
    .select('id')
    .where('updated_at', '>', since)
    .execute();
  const found: RecentMessages[] = [];
  for (const { id } of conversations) {
    const events = await db
      .selectFrom('events')
      .select(['seq', 'kind', 'sender_id', 'created_at'])
      .where('conversation_id', '=', id)
      .orderBy('seq', 'desc')
      .limit(RECENT_EVENTS_LOOKED_AT)
      .execute();
    const messages = events.filter((e) => e.kind === 'message' && e.created_at > since);
    const newest = messages[0];
    if (newest === undefined) continue;
    const members = await db
      .selectFrom('conversation_members')
      .select('user_id')
      .where('conversation_id', '=', id)
      .execute();
    found.push({
      conversationId: id,
      seq: newest.seq,
      newestAt: newest.created_at,
      senderIds: [...new Set(messages.flatMap((m) => (m.sender_id === null ? [] : [m.sender_id as UserId])))],
      memberIds: members.map((m) => m.user_id as UserId),
    });
  }
  return found;
}

function toRecord(row: {
  session_id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}): PushSubscriptionRecord {
  return {
    sessionId: row.session_id,
    userId: row.user_id as UserId,
    endpoint: row.endpoint,
    p256dh: row.p256dh,
    auth: row.auth,
  };
}
